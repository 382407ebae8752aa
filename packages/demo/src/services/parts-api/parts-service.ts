/**
 * parts-api: the revenue path. Quotes (`POST /api/parts/quote`, the plan's parts_ordering_flow):
 * simulated suppliers' costs, markup applied internally, customer price out. Orders
 * (`POST /api/parts/order`): payment through the payment-processor over HTTP (402 declined, 503
 * unreachable), revenue reported to billing.
 *
 * Supplier cost and markup stay inside: they are stored, and measured only in the restricted
 * `_sms_` metrics (which the SDK keeps off the public /metrics); responses, logs, span attributes
 * and public metrics carry customer prices only.
 */
import { JOURNEYS } from '@watchkeeper/sdk';
import { z } from 'zod';
import { ORDER_TYPES, OrderRequest, QuoteRequest } from '../../contract.js';
import { csvRow } from '../shared/csv.js';
import { PortalError } from '../shared/errors.js';
import { GaugeSync } from '../shared/gauge-sync.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import { parseInput } from '../shared/validation.js';
import {
  PARTS_CATEGORIES,
  bestQuote,
  checkPartNumber,
  customerPrice,
  markupFor,
  priceBand,
  recommendMarkup,
  roundCents,
  supplierQuotes,
  type PartsCategory,
  type Urgency,
} from './parts-domain.js';

const SCHEMA = `
CREATE TABLE quotes (
  quote_id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL,
  vessel_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  part_number TEXT NOT NULL,
  category TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  urgency TEXT NOT NULL,
  supplier TEXT NOT NULL,
  supplier_cost_dollars REAL NOT NULL,
  markup REAL NOT NULL,
  customer_price_dollars REAL NOT NULL,
  price_band TEXT NOT NULL,
  lead_time_days INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  valid_until_ms INTEGER NOT NULL,
  ordered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX quotes_company ON quotes (company_id, created_at_ms);
CREATE INDEX quotes_created ON quotes (created_at_ms);
CREATE TABLE supplier_prices (
  supplier TEXT NOT NULL,
  category TEXT NOT NULL,
  cost_index REAL NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX supplier_prices_at ON supplier_prices (supplier, category, at_ms);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  quote_id TEXT NOT NULL UNIQUE REFERENCES quotes (quote_id),
  company_id TEXT NOT NULL,
  vessel_id TEXT NOT NULL,
  order_type TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'declined', 'failed')),
  failure_reason TEXT,
  payment_id TEXT,
  created_at_ms INTEGER NOT NULL,
  completed_at_ms INTEGER
);
CREATE INDEX orders_company ON orders (company_id, created_at_ms);
CREATE TABLE webhook_outbox (
  event_id INTEGER PRIMARY KEY,
  company_id TEXT NOT NULL,
  event TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
`;

const spans = JOURNEYS.partsOrdering.spans;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
/** How long a quote's price holds, by urgency. */
const QUOTE_VALIDITY_MS: Readonly<Record<Urgency, number>> = {
  routine: 72 * HOUR_MS,
  urgent: 24 * HOUR_MS,
  aog: 4 * HOUR_MS,
};
const QUOTE_LIST_TTL_MS = 30_000;
const CompanyQuery = z.object({
  company_id: z
    .string()
    .regex(/^cmp_[a-z0-9]+$/)
    .optional(),
});
const ExportQuery = CompanyQuery.extend({ format: z.enum(['csv', 'json']).default('csv') });

interface QuoteRow {
  quote_id: string;
  company_id: string;
  vessel_id: string;
  part_number: string;
  category: PartsCategory;
  quantity: number;
  urgency: Urgency;
  supplier: string;
  supplier_cost_dollars: number;
  customer_price_dollars: number;
  lead_time_days: number;
  created_at_ms: number;
  valid_until_ms: number;
  ordered: number;
}

/** What a customer may see of a quote. */
function quoteView(q: QuoteRow) {
  return {
    quote_id: q.quote_id,
    vessel_id: q.vessel_id,
    part_number: q.part_number,
    quantity: q.quantity,
    urgency: q.urgency,
    customer_price_dollars: q.customer_price_dollars,
    lead_time_days: q.lead_time_days,
    valid_until: new Date(q.valid_until_ms).toISOString(),
    ordered: q.ordered === 1,
  };
}

export const partsService: ServiceDefinition = {
  name: 'parts-api',
  schema: SCHEMA,
  setup(ctx: ServiceContext) {
    const { app, t, pool } = ctx;
    const quotesRequested = t.counter('sms_parts_quotes_requested_total');
    const ordersTotal = t.counter('sms_parts_orders_total');
    const ordersFailed = t.counter('sms_parts_orders_failed_total');
    // Every order series exists from the start at 0: a counter series that first appears at 1
    // shows no increase, and PartsOrderFailureRate would miss the first failures.
    for (const order_type of ORDER_TYPES) {
      ordersTotal.inc({ order_type }, 0);
      ordersFailed.inc({ order_type }, 0);
    }
    const ordersCompleted = t.counter('sms_parts_orders_completed_total');
    const orderValue = t.histogram('sms_parts_order_value_dollars');
    const featureUsage = t.counter('sms_feature_usage_total');
    // Restricted: the SDK keeps these on /internal/metrics only.
    const markupRealized = t.counter('_sms_parts_markup_realized_dollars');
    const supplierCost = t.counter('_sms_parts_supplier_cost_dollars');
    const markupPercent = new GaugeSync(t.gauge('_sms_parts_markup_realized_percent'));
    const margin = new GaugeSync(t.gauge('_sms_margin_by_parts_category'));
    const costTrend = new GaugeSync(t.gauge('_sms_supplier_cost_trend'));
    const conversion = new GaugeSync(t.gauge('_sms_quote_to_order_conversion'));
    const recommendations = new GaugeSync(t.gauge('_sms_ml_markup_recommendations'));
    /** GET /api/parts/quotes answers by company; a new quote invalidates its company's entry. */
    const quoteListCache = new Map<string, { atMs: number; body: unknown }>();

    const outbox = (companyId: string, event: string, payload: object) =>
      pool.query((sql) =>
        sql.run(
          'INSERT INTO webhook_outbox (company_id, event, payload_json, created_at_ms) VALUES (?, ?, ?, ?)',
          companyId,
          event,
          JSON.stringify(payload),
          ctx.now(),
        ),
      );

    app.post('/api/parts/quote', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'POST /api/parts/quote');
      const body = parseInput(QuoteRequest, request.body);
      ctx.assertCompany(claims, body.company_id, 'POST /api/parts/quote');
      const part = checkPartNumber(body.part_number);
      if (!part.ok) {
        if (part.suspectedInjection) {
          throw new PortalError('rejected_input', part.reason, {
            fields: { part_number: [part.reason] },
            rejectedValues: { part_number: body.part_number },
          });
        }
        throw new PortalError('invalid_request', part.reason, { fields: { part_number: [part.reason] } });
      }
      quotesRequested.inc({ vessel_id: body.vessel_id, company_id: body.company_id, urgency: body.urgency });
      const now = ctx.now();

      const quotes = await t.span(spans.partsGetSupplierQuotes, async (span) => {
        span.setAttribute('parts.category', part.category);
        // The suppliers' price lists are remote: a few milliseconds each, asked in parallel.
        await new Promise((r) => setTimeout(r, 3 + Math.floor(ctx.env.random() * 20)));
        const found = supplierQuotes(part.partNumber, part.category, body.quantity, body.urgency, now, ctx.env.random);
        span.setAttribute('parts.suppliers_quoting', found.length);
        await pool.transaction('record_supplier_prices', (sql) => {
          for (const q of found) {
            sql.run(
              'INSERT INTO supplier_prices (supplier, category, cost_index, at_ms) VALUES (?, ?, ?, ?)',
              q.supplier,
              part.category,
              q.costIndex,
              now,
            );
          }
        });
        return found;
      });

      // Internal only: no cost or markup on the span.
      const priced = await t.span(spans.markupCalculatePrice, async () => {
        const best = bestQuote(quotes);
        if (best === undefined) throw new PortalError('not_found', `No supplier has ${part.partNumber}`);
        const markup = markupFor(part.category, body.urgency, body.quantity);
        return { best, markup, price: customerPrice(best.costDollars, markup) };
      });

      const quoteId = newId('qt');
      const validUntilMs = now + QUOTE_VALIDITY_MS[body.urgency];
      await t.span(spans.databaseSaveQuote, () =>
        pool.query((sql) =>
          sql.run(
            `INSERT INTO quotes (quote_id, company_id, vessel_id, user_id, part_number, category, quantity, urgency, supplier,
               supplier_cost_dollars, markup, customer_price_dollars, price_band, lead_time_days, created_at_ms, valid_until_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            quoteId,
            body.company_id,
            body.vessel_id,
            claims.userId,
            part.partNumber,
            part.category,
            body.quantity,
            body.urgency,
            priced.best.supplier,
            priced.best.costDollars,
            priced.markup,
            priced.price,
            priceBand(priced.price),
            priced.best.leadTimeDays,
            now,
            validUntilMs,
          ),
        ),
      );
      await t.span(spans.cacheInvalidate, async () => {
        quoteListCache.delete(body.company_id);
      });
      await t.span(spans.webhookNotifyUser, () =>
        outbox(body.company_id, 'quote.created', { quote_id: quoteId, customer_price_dollars: priced.price }),
      );

      featureUsage.inc({ feature: 'parts_quote', role: claims.role });
      ctx.usage.add(body.company_id, 'parts_quote');
      t.logger.info(
        { company_id: body.company_id, vessel_id: body.vessel_id, user_id: claims.userId, quote_id: quoteId },
        'Parts quote requested',
      );
      return reply.send({
        quote_id: quoteId,
        customer_price_dollars: priced.price,
        valid_until: new Date(validUntilMs).toISOString(),
        part_number: part.partNumber,
        quantity: body.quantity,
        lead_time_days: priced.best.leadTimeDays,
      });
    });

    app.post('/api/parts/order', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'POST /api/parts/order');
      const body = parseInput(OrderRequest, request.body);
      const quote = await pool.query((sql) =>
        sql.get<QuoteRow>('SELECT * FROM quotes WHERE quote_id = ?', body.quote_id),
      );
      if (quote === undefined) throw new PortalError('not_found', `No quote ${body.quote_id}`);
      ctx.assertCompany(claims, quote.company_id, 'POST /api/parts/order');
      if (quote.ordered === 1) throw new PortalError('conflict', `Quote ${quote.quote_id} has been ordered already`);

      const orderLabels = { order_type: body.order_type };
      ordersTotal.inc(orderLabels);
      const now = ctx.now();
      if (quote.valid_until_ms < now) {
        ordersFailed.inc(orderLabels);
        throw new PortalError(
          'gone',
          `Quote ${quote.quote_id} expired at ${new Date(quote.valid_until_ms).toISOString()}`,
        );
      }
      const orderId = newId('ord');
      const inserted = await pool.query(
        (sql) =>
          sql.run(
            `INSERT INTO orders (order_id, quote_id, company_id, vessel_id, order_type, status, created_at_ms)
             VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (quote_id) DO NOTHING`,
            orderId,
            quote.quote_id,
            quote.company_id,
            quote.vessel_id,
            body.order_type,
            now,
          ).changes,
      );
      if (inserted === 0) {
        ordersFailed.inc(orderLabels);
        throw new PortalError('conflict', `Quote ${quote.quote_id} is being ordered already`);
      }

      const fail = async (status: 'declined' | 'failed', reason: string, error: PortalError): Promise<never> => {
        ordersFailed.inc(orderLabels);
        await pool.query((sql) =>
          sql.run(
            'UPDATE orders SET status = ?, failure_reason = ?, completed_at_ms = ? WHERE order_id = ?',
            status,
            reason,
            ctx.now(),
            orderId,
          ),
        );
        t.logger.warn(
          { company_id: quote.company_id, order_id: orderId, reason, user_id: claims.userId },
          `Parts order ${status}`,
        );
        throw error;
      };

      let res: Response;
      try {
        res = await ctx.peers.call(
          'payment-processor',
          'POST',
          '/api/payments/charge',
          { order_id: orderId, amount_dollars: quote.customer_price_dollars, card_token: body.card_token },
          5_000,
        );
      } catch (err) {
        const error =
          err instanceof PortalError
            ? err
            : new PortalError('dependency_unavailable', 'The payment processor failed', { cause: err });
        return fail('failed', 'processor_unavailable', error);
      }
      const answer = (await res.json().catch(() => ({}))) as { payment_id?: string; message?: string };
      if (res.status === 402) {
        return fail(
          'declined',
          'payment_declined',
          new PortalError('payment_declined', answer.message ?? 'Payment declined'),
        );
      }
      if (!res.ok || typeof answer.payment_id !== 'string') {
        const unavailable = res.status >= 500 || res.status === 429;
        return fail(
          'failed',
          unavailable ? 'processor_error' : `processor_rejected_${res.status}`,
          new PortalError(
            unavailable ? 'dependency_unavailable' : 'internal',
            `The payment processor answered ${res.status}`,
          ),
        );
      }
      const paymentId = answer.payment_id;
      await pool.transaction('complete_order', (sql) => {
        sql.run(
          "UPDATE orders SET status = 'paid', payment_id = ?, completed_at_ms = ? WHERE order_id = ?",
          paymentId,
          ctx.now(),
          orderId,
        );
        sql.run('UPDATE quotes SET ordered = 1 WHERE quote_id = ?', quote.quote_id);
      });

      const price = quote.customer_price_dollars;
      ordersCompleted.inc({ vessel_id: quote.vessel_id, company_id: quote.company_id, order_type: body.order_type });
      orderValue.observe({ vessel_id: quote.vessel_id, company_id: quote.company_id }, price);
      markupRealized.inc({ parts_category: quote.category }, roundCents(price - quote.supplier_cost_dollars));
      supplierCost.inc({ parts_category: quote.category, supplier: quote.supplier }, quote.supplier_cost_dollars);
      featureUsage.inc({ feature: 'parts_order', role: claims.role });
      ctx.usage.add(quote.company_id, 'parts_order');
      ctx.peers.deliver('billing', '/api/billing/charges', {
        company_id: quote.company_id,
        amount_dollars: price,
        kind: 'parts',
      });
      await outbox(quote.company_id, 'order.paid', { order_id: orderId, customer_price_dollars: price });
      t.logger.info(
        { company_id: quote.company_id, vessel_id: quote.vessel_id, order_id: orderId, user_id: claims.userId },
        'Parts order paid',
      );
      return reply.code(201).send({ order_id: orderId, status: 'paid', customer_price_dollars: price });
    });

    app.get('/api/parts/quotes', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/parts/quotes');
      const query = parseInput(CompanyQuery, request.query, 'query');
      const companyId = query.company_id ?? claims.companyId;
      ctx.assertCompany(claims, companyId, 'GET /api/parts/quotes');
      const cached = quoteListCache.get(companyId);
      if (cached !== undefined && ctx.now() - cached.atMs < QUOTE_LIST_TTL_MS) return reply.send(cached.body);
      const rows = await pool.query((sql) =>
        sql.all<QuoteRow>('SELECT * FROM quotes WHERE company_id = ? ORDER BY created_at_ms DESC LIMIT 50', companyId),
      );
      const body = { quotes: rows.map(quoteView) };
      quoteListCache.set(companyId, { atMs: ctx.now(), body });
      return reply.send(body);
    });

    app.get('/api/parts/orders/export', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/parts/orders/export');
      const query = parseInput(ExportQuery, request.query, 'query');
      if (query.company_id !== undefined) ctx.assertCompany(claims, query.company_id, 'GET /api/parts/orders/export');
      // Support without company_id exports every company's orders.
      const companyId = query.company_id ?? (claims.role === 'support' ? undefined : claims.companyId);
      featureUsage.inc({ feature: 'bulk_export', role: claims.role });
      const rows = await pool.query((sql) =>
        sql.all<{
          order_id: string;
          quote_id: string;
          company_id: string;
          vessel_id: string;
          order_type: string;
          status: string;
          part_number: string;
          category: string;
          quantity: number;
          urgency: string;
          customer_price_dollars: number;
          created_at_ms: number;
        }>(
          `SELECT o.order_id, o.quote_id, o.company_id, o.vessel_id, o.order_type, o.status, q.part_number, q.category,
             q.quantity, q.urgency, q.customer_price_dollars, o.created_at_ms
           FROM orders o JOIN quotes q ON q.quote_id = o.quote_id
           WHERE (? IS NULL OR o.company_id = ?) ORDER BY o.created_at_ms`,
          companyId ?? null,
          companyId ?? null,
        ),
      );
      t.logger.info(
        {
          user_id: claims.userId,
          company_id: claims.companyId,
          rows: rows.length,
          all_companies: companyId === undefined,
        },
        'Bulk export of parts orders',
      );
      if (query.format === 'json') return reply.send({ orders: rows });
      const header =
        'order_id,quote_id,company_id,vessel_id,order_type,status,part_number,category,quantity,urgency,customer_price_dollars,created_at';
      const lines = rows.map((r) =>
        csvRow([
          r.order_id,
          r.quote_id,
          r.company_id,
          r.vessel_id,
          r.order_type,
          r.status,
          r.part_number,
          r.category,
          r.quantity,
          r.urgency,
          r.customer_price_dollars.toFixed(2),
          new Date(r.created_at_ms).toISOString(),
        ]),
      );
      return reply.type('text/csv; charset=utf-8').send(`${header}\n${lines.join('\n')}\n`);
    });

    ctx.every(10 * 60_000, async () => {
      await pool.query((sql) => sql.run('DELETE FROM supplier_prices WHERE at_ms < ?', ctx.now() - WEEK_MS));
    });

    ctx.onScrape(() => {
      const now = ctx.now();
      const stats = pool.tryQuery((sql) => ({
        margins: sql.all<{ category: string; price: number; cost: number; recent_price: number; recent_cost: number }>(
          `SELECT q.category, sum(q.customer_price_dollars) AS price, sum(q.supplier_cost_dollars) AS cost,
             sum(CASE WHEN o.completed_at_ms > ? THEN q.customer_price_dollars ELSE 0 END) AS recent_price,
             sum(CASE WHEN o.completed_at_ms > ? THEN q.supplier_cost_dollars ELSE 0 END) AS recent_cost
           FROM orders o JOIN quotes q ON q.quote_id = o.quote_id
           WHERE o.status = 'paid' AND o.completed_at_ms > ? GROUP BY q.category`,
          now - 24 * HOUR_MS,
          now - 24 * HOUR_MS,
          now - WEEK_MS,
        ),
        trends: sql.all<{ supplier: string; category: string; latest: number; average: number }>(
          `SELECT p.supplier, p.category, avg(p.cost_index) AS average,
             (SELECT l.cost_index FROM supplier_prices l WHERE l.supplier = p.supplier AND l.category = p.category
              ORDER BY l.at_ms DESC LIMIT 1) AS latest
           FROM supplier_prices p WHERE p.at_ms > ? GROUP BY p.supplier, p.category`,
          now - WEEK_MS,
        ),
        bands: sql.all<{ price_band: string; quotes: number; orders: number }>(
          `SELECT price_band, count(*) AS quotes, sum(ordered) AS orders FROM quotes WHERE created_at_ms > ? GROUP BY price_band`,
          now - WEEK_MS,
        ),
        markupBands: sql.all<{ category: PartsCategory; markup: number; quotes: number; orders: number }>(
          `SELECT category, avg(markup) AS markup, count(*) AS quotes, sum(ordered) AS orders
           FROM quotes WHERE created_at_ms > ? GROUP BY category, round(markup * 50)`,
          now - WEEK_MS,
        ),
      }));
      if (stats === undefined) return;
      markupPercent.update(
        stats.margins
          .filter((m) => m.recent_cost > 0)
          .map((m) => ({
            labels: { parts_category: m.category },
            value: (100 * (m.recent_price - m.recent_cost)) / m.recent_cost,
          })),
      );
      margin.update(
        stats.margins
          .filter((m) => m.price > 0)
          .map((m) => ({ labels: { parts_category: m.category }, value: (100 * (m.price - m.cost)) / m.price })),
      );
      costTrend.update(
        stats.trends
          .filter((tr) => tr.average > 0)
          .map((tr) => ({
            labels: { supplier: tr.supplier, parts_category: tr.category },
            value: tr.latest / tr.average,
          })),
      );
      conversion.update(
        stats.bands.map((b) => ({
          labels: { price_band: b.price_band },
          value: b.quotes === 0 ? 0 : b.orders / b.quotes,
        })),
      );
      recommendations.update(
        PARTS_CATEGORIES.map((category) => {
          const bands = stats.markupBands.filter((b) => b.category === category);
          return { labels: { parts_category: category }, value: 100 * recommendMarkup(category, bands) };
        }),
      );
    });
  },
};

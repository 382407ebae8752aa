/**
 * billing: companies and their subscriptions (tiers, churn, renewals), invoices for subscriptions
 * and parts, and the subscription economics of the plan: sms_mrr_dollars, sms_company_active,
 * sms_churn_rate_percent, sms_ltv_dollars, sms_revenue_total, sms_churn_risk_score and onboarding
 * progress — from its own tables and the usage other services report.
 */
import { z } from 'zod';
import {
  CancelSubscriptionRequest,
  ChangeSubscriptionRequest,
  ChargeRequest,
  CreateCompanyRequest,
  UsageReport,
} from '../../contract.js';
import { csvRow } from '../shared/csv.js';
import { PortalError } from '../shared/errors.js';
import { GaugeSync } from '../shared/gauge-sync.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import { parseInput } from '../shared/validation.js';
import {
  DAY_MS,
  TIER_PRICE_DOLLARS,
  churnRates,
  churnRiskScore,
  lifetimeValues,
  onboardingProgressPercent,
  type ChurnReason,
  type CompanyFacts,
  type Tier,
} from './billing-domain.js';

const SCHEMA = `
CREATE TABLE companies (
  company_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  tier TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'churned')),
  created_at_ms INTEGER NOT NULL,
  churned_at_ms INTEGER,
  churn_reason TEXT,
  next_renewal_ms INTEGER NOT NULL,
  last_downgrade_ms INTEGER,
  vessels INTEGER NOT NULL DEFAULT 0,
  equipment_templates INTEGER NOT NULL DEFAULT 0,
  equipment_documented INTEGER NOT NULL DEFAULT 0,
  last_activity_ms INTEGER
);
CREATE TABLE subscription_events (
  event_id INTEGER PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies (company_id),
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  tier TEXT NOT NULL,
  reason TEXT
);
CREATE TABLE invoices (
  invoice_id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies (company_id),
  kind TEXT NOT NULL CHECK (kind IN ('subscription', 'parts')),
  amount_dollars REAL NOT NULL,
  created_at_ms INTEGER NOT NULL,
  description TEXT NOT NULL
);
CREATE INDEX invoices_company ON invoices (company_id, created_at_ms);
CREATE TABLE usage_daily (
  company_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (company_id, day, kind)
);
`;

/** Subscriptions renew (and are invoiced) every 30 days. */
export const BILLING_PERIOD_MS = 30 * DAY_MS;
const TIER_ORDER: Readonly<Record<Tier, number>> = { basic: 0, professional: 1, enterprise: 2 };

interface CompanyRow {
  company_id: string;
  name: string;
  tier: Tier;
  status: 'active' | 'churned';
  created_at_ms: number;
  churned_at_ms: number | null;
  churn_reason: ChurnReason | null;
  next_renewal_ms: number;
  last_downgrade_ms: number | null;
  vessels: number;
  equipment_templates: number;
  equipment_documented: number;
  last_activity_ms: number | null;
}

const CompanyParams = z.object({ company_id: z.string().regex(/^cmp_[a-z0-9]+$/) });
const ExportQuery = z.object({ format: z.enum(['csv', 'json']).default('csv') });

export const billingService: ServiceDefinition = {
  name: 'billing',
  schema: SCHEMA,
  setup(ctx: ServiceContext) {
    const { app, t, pool } = ctx;
    const revenue = t.counter('sms_revenue_total');
    const featureUsage = t.counter('sms_feature_usage_total');
    const mrr = new GaugeSync(t.gauge('sms_mrr_dollars'));
    const companyActive = new GaugeSync(t.gauge('sms_company_active'));
    const churnRate = new GaugeSync(t.gauge('sms_churn_rate_percent'));
    const ltv = new GaugeSync(t.gauge('sms_ltv_dollars'));
    const churnRisk = new GaugeSync(t.gauge('sms_churn_risk_score'));
    const onboarding = new GaugeSync(t.gauge('sms_onboarding_progress_percent'));
    const onboardingStarted = new GaugeSync(t.gauge('sms_onboarding_started_timestamp'));

    /** Writes an invoice inside a transaction; the caller counts the revenue after the commit. */
    const invoice = (
      sql: Parameters<Parameters<typeof pool.transaction>[1]>[0],
      companyId: string,
      kind: 'subscription' | 'parts',
      amountDollars: number,
      description: string,
    ): void => {
      sql.run(
        'INSERT INTO invoices (invoice_id, company_id, kind, amount_dollars, created_at_ms, description) VALUES (?, ?, ?, ?, ?, ?)',
        newId('inv'),
        companyId,
        kind,
        amountDollars,
        ctx.now(),
        description,
      );
    };

    const findCompany = (companyId: string): Promise<CompanyRow | undefined> =>
      pool.query((sql) => sql.get<CompanyRow>('SELECT * FROM companies WHERE company_id = ?', companyId));

    const requireCompany = async (companyId: string): Promise<CompanyRow> => {
      const company = await findCompany(companyId);
      if (company === undefined) throw new PortalError('not_found', `No company ${companyId}`);
      return company;
    };

    const companyView = (c: CompanyRow) => ({
      company_id: c.company_id,
      name: c.name,
      tier: c.tier,
      status: c.status,
      mrr_dollars: c.status === 'active' ? TIER_PRICE_DOLLARS[c.tier] : 0,
      created_at: new Date(c.created_at_ms).toISOString(),
      onboarding_progress_percent: onboardingProgressPercent({
        vessels: c.vessels,
        equipmentTemplates: c.equipment_templates,
        equipmentDocumented: c.equipment_documented,
      }),
    });

    app.post('/api/companies', async (request, reply) => {
      const body = parseInput(CreateCompanyRequest, request.body);
      const now = ctx.now();
      const price = TIER_PRICE_DOLLARS[body.tier];
      const created = await pool.transaction('create_company', (sql) => {
        const inserted = sql.run(
          `INSERT INTO companies (company_id, name, tier, status, created_at_ms, next_renewal_ms)
           VALUES (?, ?, ?, 'active', ?, ?) ON CONFLICT (company_id) DO NOTHING`,
          body.company_id,
          body.name,
          body.tier,
          now,
          now + BILLING_PERIOD_MS,
        ).changes;
        if (inserted === 0) return false;
        sql.run(
          "INSERT INTO subscription_events (company_id, at_ms, kind, tier) VALUES (?, ?, 'start', ?)",
          body.company_id,
          now,
          body.tier,
        );
        invoice(sql, body.company_id, 'subscription', price, `${body.tier} subscription, first month`);
        return true;
      });
      if (!created) throw new PortalError('conflict', `Company ${body.company_id} exists`);
      revenue.inc({ company: body.name, company_id: body.company_id }, price);
      t.logger.info({ company_id: body.company_id, tier: body.tier }, 'Company signed up; onboarding started');
      return reply.code(201).send({ company_id: body.company_id, tier: body.tier, mrr_dollars: price });
    });

    app.get('/api/companies/export', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/companies/export');
      const { format } = parseInput(ExportQuery, request.query, 'query');
      const allCompanies = claims.role === 'support';
      featureUsage.inc({ feature: 'bulk_export', role: claims.role });
      const rows = await pool.query((sql) =>
        sql.all<{
          invoice_id: string;
          company_id: string;
          name: string;
          tier: string;
          status: string;
          kind: string;
          amount_dollars: number;
          created_at_ms: number;
          description: string;
        }>(
          `SELECT i.invoice_id, c.company_id, c.name, c.tier, c.status, i.kind, i.amount_dollars, i.created_at_ms, i.description
           FROM invoices i JOIN companies c ON c.company_id = i.company_id
           WHERE (? = 1 OR c.company_id = ?) ORDER BY i.created_at_ms`,
          allCompanies ? 1 : 0,
          claims.companyId,
        ),
      );
      t.logger.info(
        { user_id: claims.userId, company_id: claims.companyId, rows: rows.length, all_companies: allCompanies },
        'Bulk export of invoices',
      );
      if (format === 'json') {
        return reply.send({
          rows: rows.map((r) => ({ ...r, created_at: new Date(r.created_at_ms).toISOString() })),
        });
      }
      const header = 'invoice_id,company_id,company,tier,status,kind,amount_dollars,created_at,description';
      const lines = rows.map((r) =>
        csvRow([
          r.invoice_id,
          r.company_id,
          r.name,
          r.tier,
          r.status,
          r.kind,
          r.amount_dollars.toFixed(2),
          new Date(r.created_at_ms).toISOString(),
          r.description,
        ]),
      );
      return reply.type('text/csv; charset=utf-8').send(`${header}\n${lines.join('\n')}\n`);
    });

    app.get('/api/companies/:company_id', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/companies/:company_id');
      const { company_id: companyId } = parseInput(CompanyParams, request.params, 'path');
      ctx.assertCompany(claims, companyId, 'GET /api/companies/:company_id');
      return reply.send(companyView(await requireCompany(companyId)));
    });

    app.put('/api/companies/:company_id/subscription', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'PUT /api/companies/:company_id/subscription');
      const { company_id: companyId } = parseInput(CompanyParams, request.params, 'path');
      ctx.assertCompany(claims, companyId, 'PUT /api/companies/:company_id/subscription');
      const { tier } = parseInput(ChangeSubscriptionRequest, request.body);
      const company = await requireCompany(companyId);
      const now = ctx.now();
      const reactivated = company.status === 'churned';
      await pool.transaction('change_subscription', (sql) => {
        sql.run(
          `UPDATE companies SET tier = ?, status = 'active', churned_at_ms = NULL, churn_reason = NULL,
             last_downgrade_ms = CASE WHEN ? THEN ? ELSE last_downgrade_ms END,
             next_renewal_ms = CASE WHEN ? THEN ? ELSE next_renewal_ms END
           WHERE company_id = ?`,
          tier,
          TIER_ORDER[tier] < TIER_ORDER[company.tier] && !reactivated ? 1 : 0,
          now,
          reactivated ? 1 : 0,
          now + BILLING_PERIOD_MS,
          companyId,
        );
        sql.run(
          'INSERT INTO subscription_events (company_id, at_ms, kind, tier) VALUES (?, ?, ?, ?)',
          companyId,
          now,
          reactivated ? 'reactivate' : 'change',
          tier,
        );
        if (reactivated)
          invoice(sql, companyId, 'subscription', TIER_PRICE_DOLLARS[tier], `${tier} subscription, first month`);
      });
      if (reactivated) {
        revenue.inc({ company: company.name, company_id: companyId }, TIER_PRICE_DOLLARS[tier]);
        ctx.peers.deliver('vessels', '/api/vessels/company-status', { company_id: companyId, active: true });
      }
      featureUsage.inc({ feature: 'change_subscription', role: claims.role });
      t.logger.info({ company_id: companyId, from: company.tier, to: tier, reactivated }, 'Subscription changed');
      return reply.send(companyView((await findCompany(companyId))!));
    });

    app.delete('/api/companies/:company_id/subscription', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'DELETE /api/companies/:company_id/subscription');
      const { company_id: companyId } = parseInput(CompanyParams, request.params, 'path');
      ctx.assertCompany(claims, companyId, 'DELETE /api/companies/:company_id/subscription');
      const { reason } = parseInput(CancelSubscriptionRequest, request.body);
      const company = await requireCompany(companyId);
      if (company.status === 'churned') throw new PortalError('conflict', `Company ${companyId} has already cancelled`);
      const now = ctx.now();
      await pool.transaction('cancel_subscription', (sql) => {
        sql.run(
          "UPDATE companies SET status = 'churned', churned_at_ms = ?, churn_reason = ? WHERE company_id = ?",
          now,
          reason,
          companyId,
        );
        sql.run(
          "INSERT INTO subscription_events (company_id, at_ms, kind, tier, reason) VALUES (?, ?, 'cancel', ?, ?)",
          companyId,
          now,
          company.tier,
          reason,
        );
      });
      ctx.peers.deliver('vessels', '/api/vessels/company-status', { company_id: companyId, active: false });
      t.logger.warn({ company_id: companyId, tier: company.tier, reason }, 'Company churned');
      return reply.send(companyView((await findCompany(companyId))!));
    });

    app.post('/api/billing/charges', async (request, reply) => {
      const claims = ctx.authenticateService(request);
      const body = parseInput(ChargeRequest, request.body);
      const company = await requireCompany(body.company_id);
      await pool.transaction('record_charge', (sql) => {
        invoice(sql, body.company_id, body.kind, body.amount_dollars, `${body.kind} charge from ${claims.service}`);
        sql.run('UPDATE companies SET last_activity_ms = ? WHERE company_id = ?', ctx.now(), body.company_id);
      });
      revenue.inc({ company: company.name, company_id: body.company_id }, body.amount_dollars);
      return reply.code(204).send();
    });

    app.post('/api/billing/usage', async (request, reply) => {
      ctx.authenticateService(request);
      const { reports } = parseInput(UsageReport, request.body);
      const now = ctx.now();
      const day = Math.floor(now / DAY_MS);
      await pool.transaction('record_usage', (sql) => {
        for (const r of reports) {
          sql.run(
            `INSERT INTO usage_daily (company_id, day, kind, count) VALUES (?, ?, ?, ?)
             ON CONFLICT (company_id, day, kind) DO UPDATE SET count = count + excluded.count`,
            r.company_id,
            day,
            r.kind,
            r.count,
          );
          sql.run(
            `UPDATE companies SET
               vessels = vessels + (CASE WHEN ? = 'vessel_created' THEN ? ELSE 0 END),
               equipment_templates = equipment_templates + (CASE WHEN ? = 'equipment_templates' THEN ? ELSE 0 END),
               equipment_documented = equipment_documented + (CASE WHEN ? = 'equipment_documented' THEN ? ELSE 0 END),
               last_activity_ms = ?
             WHERE company_id = ?`,
            r.kind,
            r.count,
            r.kind,
            r.count,
            r.kind,
            r.count,
            now,
            r.company_id,
          );
        }
      });
      return reply.code(204).send();
    });

    // Renewals: every active subscription is invoiced again each billing period.
    ctx.every(60_000, async () => {
      const now = ctx.now();
      const due = await pool.query((sql) =>
        sql.all<CompanyRow>("SELECT * FROM companies WHERE status = 'active' AND next_renewal_ms <= ?", now),
      );
      for (const company of due) {
        const price = TIER_PRICE_DOLLARS[company.tier];
        await pool.transaction('renew_subscription', (sql) => {
          invoice(sql, company.company_id, 'subscription', price, `${company.tier} subscription renewal`);
          sql.run(
            'UPDATE companies SET next_renewal_ms = next_renewal_ms + ? WHERE company_id = ?',
            BILLING_PERIOD_MS,
            company.company_id,
          );
        });
        revenue.inc({ company: company.name, company_id: company.company_id }, price);
      }
    });

    ctx.onScrape(() => {
      const now = ctx.now();
      const today = Math.floor(now / DAY_MS);
      const snapshot = pool.tryQuery((sql) => ({
        companies: sql.all<CompanyRow>('SELECT * FROM companies'),
        parts: sql.all<{ company_id: string; total: number }>(
          "SELECT company_id, sum(amount_dollars) AS total FROM invoices WHERE kind = 'parts' GROUP BY company_id",
        ),
        usage: sql.all<{ company_id: string; last7: number; previous7: number }>(
          `SELECT company_id,
             sum(CASE WHEN day > ? THEN count ELSE 0 END) AS last7,
             sum(CASE WHEN day <= ? THEN count ELSE 0 END) AS previous7
           FROM usage_daily WHERE day > ? AND kind NOT IN ('equipment_templates') GROUP BY company_id`,
          today - 7,
          today - 7,
          today - 14,
        ),
      }));
      if (snapshot === undefined) return;
      const partsByCompany = new Map(snapshot.parts.map((p) => [p.company_id, p.total]));
      const usageByCompany = new Map(snapshot.usage.map((u) => [u.company_id, u]));
      const facts: CompanyFacts[] = snapshot.companies.map((c) => ({
        companyId: c.company_id,
        name: c.name,
        tier: c.tier,
        createdAtMs: c.created_at_ms,
        churnedAtMs: c.churned_at_ms ?? undefined,
        churnReason: c.churn_reason ?? undefined,
        partsRevenueDollars: partsByCompany.get(c.company_id) ?? 0,
      }));
      const active = snapshot.companies.filter((c) => c.status === 'active');
      mrr.update(
        active.map((c) => ({ labels: { tier: c.tier, company_id: c.company_id }, value: TIER_PRICE_DOLLARS[c.tier] })),
      );
      companyActive.update(active.map((c) => ({ labels: { company_id: c.company_id, tier: c.tier }, value: 1 })));
      churnRate.update(
        churnRates(facts, now).map((r) => ({ labels: { tier: r.tier, reason: r.reason }, value: r.percent })),
      );
      ltv.update(
        lifetimeValues(facts, now).map((v) => ({ labels: { tier: v.tier, cohort: v.cohort }, value: v.dollars })),
      );
      churnRisk.update(
        active.map((c) => {
          const usage = usageByCompany.get(c.company_id);
          return {
            labels: { company: c.name, company_id: c.company_id },
            value: churnRiskScore(
              {
                createdAtMs: c.created_at_ms,
                lastActivityMs: c.last_activity_ms ?? undefined,
                usageLast7d: usage?.last7 ?? 0,
                usagePrevious7d: usage?.previous7 ?? 0,
                recentDowngrade: c.last_downgrade_ms !== null && now - c.last_downgrade_ms < 30 * DAY_MS,
              },
              now,
            ),
          };
        }),
      );
      onboarding.update(
        active.map((c) => ({
          labels: { company: c.name },
          value: onboardingProgressPercent({
            vessels: c.vessels,
            equipmentTemplates: c.equipment_templates,
            equipmentDocumented: c.equipment_documented,
          }),
        })),
      );
      onboardingStarted.update(active.map((c) => ({ labels: { company: c.name }, value: c.created_at_ms / 1000 })));
    });
  },
};

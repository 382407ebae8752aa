/**
 * payment-processor: charges for parts orders, called by parts-api only (service token). Declines
 * a small share of charges as card networks do, always declines the test cards
 * `tok_chargeDeclined`, `tok_insufficientFunds` and `tok_expiredCard`, and during a `payment_failures` fault fails the configured share —
 * half declined (402), half processor errors (500). Idempotent per order.
 */
import { createHash } from 'node:crypto';
import { PaymentRequest } from '../../contract.js';
import { PortalError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import { parseInput } from '../shared/validation.js';

const SCHEMA = `
CREATE TABLE payments (
  payment_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  amount_dollars REAL NOT NULL,
  card_fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'declined', 'error')),
  decline_reason TEXT,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);
`;

/** Share of charges card networks decline on an ordinary day. */
export const BASE_DECLINE_RATE = 0.02;
/** Largest single charge the processor accepts. */
export const MAX_CHARGE_DOLLARS = 500_000;
/** Test cards with a fixed outcome. */
export const DECLINING_CARDS: Readonly<Record<string, string>> = {
  tok_chargeDeclined: 'card_declined',
  tok_insufficientFunds: 'insufficient_funds',
  tok_expiredCard: 'expired_card',
};

type Outcome = { status: 'succeeded' } | { status: 'declined'; reason: string } | { status: 'error'; reason: string };

export const paymentService: ServiceDefinition = {
  name: 'payment-processor',
  schema: SCHEMA,
  setup(ctx: ServiceContext) {
    const { app, t, pool, env } = ctx;

    const decide = (cardToken: string, amountDollars: number): Outcome => {
      const fixed = DECLINING_CARDS[cardToken];
      if (fixed !== undefined) return { status: 'declined', reason: fixed };
      if (amountDollars > MAX_CHARGE_DOLLARS) return { status: 'declined', reason: 'amount_limit' };
      const faultRatio = env.faults.paymentFailureRatio();
      if (faultRatio !== undefined && env.random() < faultRatio) {
        return env.random() < 0.5
          ? { status: 'declined', reason: 'issuer_unavailable' }
          : { status: 'error', reason: 'acquirer_timeout' };
      }
      if (env.random() < BASE_DECLINE_RATE) return { status: 'declined', reason: 'card_declined' };
      return { status: 'succeeded' };
    };

    app.post('/api/payments/charge', async (request, reply) => {
      const caller = ctx.authenticateService(request);
      const body = parseInput(PaymentRequest, request.body);
      return t.span('payment.charge', async (span) => {
        span.setAttribute('payment.caller', caller.service);
        const previous = await pool.query((sql) =>
          sql.get<{ payment_id: string }>(
            "SELECT payment_id FROM payments WHERE order_id = ? AND status = 'succeeded'",
            body.order_id,
          ),
        );
        if (previous !== undefined) return reply.send({ payment_id: previous.payment_id, status: 'succeeded' });

        // The card network's round trip.
        await new Promise((r) => setTimeout(r, 10 + Math.floor(env.random() * 40)));
        const outcome = decide(body.card_token, body.amount_dollars);
        const paymentId = newId('pay');
        await pool.query((sql) =>
          sql.run(
            `INSERT INTO payments (payment_id, order_id, amount_dollars, card_fingerprint, status, decline_reason, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
            paymentId,
            body.order_id,
            body.amount_dollars,
            createHash('sha256').update(body.card_token).digest('hex').slice(0, 16),
            outcome.status,
            outcome.status === 'succeeded' ? null : outcome.reason,
            ctx.now(),
          ),
        );
        span.setAttribute('payment.status', outcome.status);
        if (outcome.status === 'declined') {
          t.logger.info({ order_id: body.order_id, reason: outcome.reason }, 'Charge declined');
          throw new PortalError('payment_declined', `Payment declined: ${outcome.reason}`);
        }
        if (outcome.status === 'error') {
          throw new PortalError('internal', `Processor error: ${outcome.reason}`);
        }
        return reply.send({ payment_id: paymentId, status: 'succeeded' });
      });
    });
  },
};

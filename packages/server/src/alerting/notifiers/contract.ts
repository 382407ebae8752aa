/**
 * The behaviour every notifier must show, as a shared Vitest suite (like tsdb/storage-contract.ts):
 * each notifier's `*.contract.test.ts` calls `describeNotifierContract` with a factory that starts
 * a real local receiver (an HTTP capture server, or an SMTP server for email) and builds the
 * notifier from an alertmanager.yml receiver pointing at it.
 */
import { describe, expect, it } from 'vitest';
import type { Notifier, NotifyOutcome } from './notifier.js';
import { ACK_URL, ALERTNAME, notifyContext, partsAlert } from './testing/context.js';

/** How the receiver answers: success, a transient failure (HTTP 5xx, SMTP 451), a permanent one (HTTP 4xx, SMTP 550), 429, or never. */
export type ReceiverMode = 'ok' | 'transient' | 'permanent' | 'rate-limited' | 'hang';

/** One notification as the receiver got it. */
export interface ContractDelivery {
  /** The group's state as the receiver reads it (webhook `status`, Slack title, PagerDuty `event_action`, subject, SMS text). */
  readonly status: 'firing' | 'resolved';
  /** Everything the receiver got, decoded to text (JSON body, or subject and both mail bodies), for "contains" checks. */
  readonly text: string;
}

export interface NotifierUnderTest {
  /** The notifier, configured for the running receiver, or for an address where nothing listens. */
  notifier(options: { readonly sendResolved: boolean; readonly unreachable?: boolean }): Notifier;
  /** How the receiver answers from now on. */
  respond(mode: ReceiverMode): void;
  /** What the receiver got so far, in order. */
  deliveries(): ContractDelivery[];
  /** The secrets in the notifier's configuration: none may appear in an outcome. */
  readonly secrets: readonly string[];
  /** Whether the receiver's protocol has a "too many requests" answer (HTTP 429; SMTP has none). */
  readonly rateLimits: boolean;
  close(): Promise<void>;
}

const alert = (instance: string, status: 'firing' | 'resolved') => partsAlert(instance, status);
const context = notifyContext;

function expectNoSecrets(outcome: NotifyOutcome, secrets: readonly string[]): void {
  const serialized = JSON.stringify(outcome);
  for (const s of secrets) expect(serialized, `outcome reveals a secret: ${serialized}`).not.toContain(s);
}

export function describeNotifierContract(name: string, start: () => Promise<NotifierUnderTest>): void {
  describe(`notifier contract: ${name}`, () => {
    const withReceiver = (fn: (u: NotifierUnderTest) => Promise<void>) => async () => {
      const u = await start();
      try {
        await fn(u);
      } finally {
        await u.close();
      }
    };

    it(
      'delivers a firing notification, then a resolved one',
      withReceiver(async (u) => {
        const n = u.notifier({ sendResolved: true });
        expect(n.sendResolved).toBe(true);
        expect(await n.notify(context([alert('parts-1', 'firing'), alert('parts-2', 'firing')]))).toEqual({
          ok: true,
        });
        expect(u.deliveries()).toHaveLength(1);
        expect(u.deliveries()[0]!.status).toBe('firing');
        expect(u.deliveries()[0]!.text).toContain(ALERTNAME);

        expect(await n.notify(context([alert('parts-1', 'resolved'), alert('parts-2', 'resolved')]))).toEqual({
          ok: true,
        });
        expect(u.deliveries().map((d) => d.status)).toEqual(['firing', 'resolved']);
        expect(u.deliveries()[1]!.text).toContain(ALERTNAME);
      }),
    );

    it(
      'with send_resolved: false, sends nothing for resolved alerts and leaves them out of a firing notification',
      withReceiver(async (u) => {
        const n = u.notifier({ sendResolved: false });
        expect(n.sendResolved).toBe(false);
        expect(await n.notify(context([alert('parts-1', 'resolved')]))).toEqual({ ok: true });
        expect(u.deliveries()).toEqual([]);

        expect(await n.notify(context([alert('parts-live', 'firing'), alert('parts-gone', 'resolved')]))).toEqual({
          ok: true,
        });
        expect(u.deliveries()).toHaveLength(1);
        expect(u.deliveries()[0]!.status).toBe('firing');
        expect(u.deliveries()[0]!.text).not.toContain('parts-gone');
      }),
    );

    it(
      'asks for a retry on a transient failure (5xx), without revealing secrets',
      withReceiver(async (u) => {
        u.respond('transient');
        const outcome = await u.notifier({ sendResolved: true }).notify(context([alert('parts-1', 'firing')]));
        expect(outcome).toMatchObject({ ok: false, retry: true });
        expectNoSecrets(outcome, u.secrets);
      }),
    );

    it(
      'does not ask for a retry on a permanent failure (4xx), without revealing secrets',
      withReceiver(async (u) => {
        u.respond('permanent');
        const outcome = await u.notifier({ sendResolved: true }).notify(context([alert('parts-1', 'firing')]));
        expect(outcome).toMatchObject({ ok: false, retry: false });
        expectNoSecrets(outcome, u.secrets);
      }),
    );

    it(
      'asks for a retry when rate-limited (429)',
      withReceiver(async (u) => {
        if (!u.rateLimits) return;
        u.respond('rate-limited');
        const outcome = await u.notifier({ sendResolved: true }).notify(context([alert('parts-1', 'firing')]));
        expect(outcome).toMatchObject({ ok: false, retry: true });
        expectNoSecrets(outcome, u.secrets);
      }),
    );

    it(
      'asks for a retry when the connection is refused, without revealing secrets',
      withReceiver(async (u) => {
        const outcome = await u
          .notifier({ sendResolved: true, unreachable: true })
          .notify(context([alert('parts-1', 'firing')]));
        expect(outcome).toMatchObject({ ok: false, retry: true });
        expectNoSecrets(outcome, u.secrets);
      }),
    );

    it(
      "gives up when the context's signal fires (a receiver that never answers), asking for a retry",
      withReceiver(async (u) => {
        u.respond('hang');
        const started = performance.now();
        const outcome = await u
          .notifier({ sendResolved: true })
          .notify(context([alert('parts-1', 'firing')], { signal: AbortSignal.timeout(300) }));
        const elapsedMs = performance.now() - started;
        expect(outcome).toMatchObject({ ok: false, retry: true });
        expect(elapsedMs).toBeLessThan(3_000);
        expectNoSecrets(outcome, u.secrets);
      }),
    );

    it(
      'does not start when the signal has already fired',
      withReceiver(async (u) => {
        const outcome = await u
          .notifier({ sendResolved: true })
          .notify(context([alert('parts-1', 'firing')], { signal: AbortSignal.abort(new Error('shutting down')) }));
        expect(outcome).toMatchObject({ ok: false, retry: true });
        expect(u.deliveries()).toEqual([]);
      }),
    );

    it(
      'includes the acknowledge link when there is one, and none otherwise',
      withReceiver(async (u) => {
        const n = u.notifier({ sendResolved: true });
        expect(await n.notify(context([alert('parts-1', 'firing')]))).toEqual({ ok: true });
        expect(await n.notify(context([alert('parts-1', 'firing')], { acknowledgeURL: ACK_URL }))).toEqual({
          ok: true,
        });
        const [plain, withLink] = u.deliveries();
        expect(plain!.text).not.toContain('/api/wk/acknowledge/');
        expect(withLink!.text).toContain(ACK_URL);
      }),
    );
  });
}

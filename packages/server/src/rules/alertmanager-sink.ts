/**
 * An AlertSink that posts alerts to external Alertmanagers (`POST <base>/api/v2/alerts`), as
 * Prometheus's notifier does: alerts are queued (10,000 at most; the oldest are dropped when
 * full), sent in batches of 64 to every Alertmanager at once, each request bounded by a timeout
 * on the clock. A batch counts as delivered when at least one Alertmanager took it.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Clock } from '../lib/clock.js';
import type { AlertSink, PostableAlert } from './alert-sink.js';

/** One Alertmanager to post to. */
export interface AlertmanagerTarget {
  /** Base URL including any path prefix: `http://127.0.0.1:9093` (the sink appends `/api/v2/alerts`). */
  readonly baseUrl: string;
  /** @default 10_000 */
  readonly timeoutMs?: number;
  /** Extra request headers (authorization), computed per request so that credential files can change. */
  readonly headers?: () => Record<string, string>;
}

export interface AlertmanagerSinkOptions {
  readonly alertmanagers: readonly AlertmanagerTarget[];
  readonly clock: Clock;
  /** @default 10_000 */
  readonly queueCapacity?: number;
  /** @default 64 */
  readonly maxBatchSize?: number;
  readonly registry?: Registry;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** The result of posting one batch to one Alertmanager (failures are values). */
export type PostResult = { ok: true } | { ok: false; error: string };

/** `alerting.alertmanagers[]` of watchkeeper.yml, as prometheus.yml has it (static targets only). */
export interface AlertmanagerConfig {
  readonly static_configs: readonly { readonly targets: readonly string[] }[];
  readonly scheme: 'http' | 'https';
  readonly path_prefix: string;
  readonly timeoutMs: number;
  readonly basic_auth?: { readonly username: string; readonly password?: string; readonly password_file?: string };
  readonly authorization?: { readonly type: string; readonly credentials?: string; readonly credentials_file?: string };
}

function readSecret(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

/** The targets of `alerting.alertmanagers` (Prometheus joins `/`, path_prefix and `/api/v2/alerts`). */
export function alertmanagerTargets(configs: readonly AlertmanagerConfig[]): AlertmanagerTarget[] {
  return configs.flatMap((c) => {
    const prefix = `/${c.path_prefix}`.replace(/\/+/g, '/').replace(/\/$/, '');
    const headers = (): Record<string, string> => {
      if (c.basic_auth) {
        const password =
          c.basic_auth.password_file !== undefined
            ? readSecret(c.basic_auth.password_file)
            : (c.basic_auth.password ?? '');
        return {
          authorization: `Basic ${Buffer.from(`${c.basic_auth.username}:${password}`).toString('base64')}`,
        };
      }
      if (c.authorization) {
        const cred =
          c.authorization.credentials_file !== undefined
            ? readSecret(c.authorization.credentials_file)
            : (c.authorization.credentials ?? '');
        return { authorization: `${c.authorization.type} ${cred}` };
      }
      return {};
    };
    return c.static_configs.flatMap((sc) =>
      sc.targets.map((t) => ({ baseUrl: `${c.scheme}://${t}${prefix}`, timeoutMs: c.timeoutMs, headers })),
    );
  });
}

export class AlertmanagerSink implements AlertSink {
  private queue: PostableAlert[] = [];
  private sending: Promise<void> | undefined;
  private stopped = false;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly doFetch: typeof fetch;
  private readonly sent: Counter<'alertmanager'>;
  private readonly errors: Counter<'alertmanager'>;
  private readonly dropped: Counter;
  private readonly latency: Gauge<'alertmanager'>;

  constructor(private readonly opts: AlertmanagerSinkOptions) {
    this.capacity = opts.queueCapacity ?? 10_000;
    this.batchSize = opts.maxBatchSize ?? 64;
    this.doFetch = opts.fetch ?? globalThis.fetch;
    const registers = [opts.registry ?? new Registry()];
    this.sent = new Counter({
      name: 'watchkeeper_notifications_sent_total',
      help: 'Alerts posted to each Alertmanager.',
      labelNames: ['alertmanager'],
      registers,
    });
    this.errors = new Counter({
      name: 'watchkeeper_notifications_errors_total',
      help: 'Alerts that could not be posted to an Alertmanager.',
      labelNames: ['alertmanager'],
      registers,
    });
    this.dropped = new Counter({
      name: 'watchkeeper_notifications_dropped_total',
      help: 'Alerts dropped: queue full, or no Alertmanager took them.',
      registers,
    });
    this.latency = new Gauge({
      name: 'watchkeeper_notifications_last_latency_seconds',
      help: 'Duration of the last post to each Alertmanager.',
      labelNames: ['alertmanager'],
      registers,
    });
    const queue = (): number => this.queue.length;
    new Gauge({
      name: 'watchkeeper_notifications_queue_length',
      help: 'Alerts waiting to be posted.',
      registers,
      collect() {
        this.set(queue());
      },
    });
  }

  /** Alerts waiting to be posted. */
  get queueLength(): number {
    return this.queue.length;
  }

  send(alerts: readonly PostableAlert[]): void {
    if (this.stopped || this.opts.alertmanagers.length === 0) return;
    this.queue.push(...alerts);
    if (this.queue.length > this.capacity) {
      const drop = this.queue.length - this.capacity;
      this.queue.splice(0, drop);
      this.dropped.inc(drop);
      this.opts.log?.('Alert notification queue full, dropping alerts', { dropped: drop });
    }
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, this.batchSize);
      const results = await Promise.all(this.opts.alertmanagers.map((am) => this.post(am, batch)));
      if (!results.some((r) => r.ok)) this.dropped.inc(batch.length);
    }
  }

  /** Posts one batch to one Alertmanager. */
  async post(am: AlertmanagerTarget, alerts: readonly PostableAlert[]): Promise<PostResult> {
    const url = `${am.baseUrl}/api/v2/alerts`;
    const controller = new AbortController();
    const cancel = this.opts.clock.setTimeout(() => controller.abort(), am.timeoutMs ?? 10_000);
    const started = performance.now();
    try {
      const res = await this.doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Watchkeeper', ...(am.headers?.() ?? {}) },
        body: JSON.stringify(alerts),
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`bad response status ${res.status} ${res.statusText}`);
      this.sent.inc({ alertmanager: url }, alerts.length);
      return { ok: true };
    } catch (e) {
      const error = controller.signal.aborted ? 'context deadline exceeded' : (e as Error).message;
      this.errors.inc({ alertmanager: url }, alerts.length);
      this.opts.log?.('Error sending alerts', { alertmanager: url, count: alerts.length, err: error });
      return { ok: false, error };
    } finally {
      cancel();
      this.latency.set({ alertmanager: url }, (performance.now() - started) / 1000);
    }
  }

  /** Resolves when the queue is empty (or every remaining post failed). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Stops sending; a post in flight finishes, queued alerts are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.sending;
    this.queue = [];
  }
}

/**
 * The harness of the alerting scenarios (alerting-scenarios.test.ts): the whole server started in
 * process through main.ts's `startServer` on a stepping ManualClock, with the repository's
 * watchkeeper.yml (escalation, suppression rules), config/rules and config/alertmanager.yml, whose
 * receivers are pointed at local capture servers, and scrape targets the test controls.
 *
 * Time: `ScenarioClock` stops at every due timer, fires it, and waits until the system is idle —
 * scrapes, rule evaluations, dispatcher flushes, escalation sends, their HTTP and SMTP round trips —
 * before it moves on. What a receiver gets is stamped with the simulated time of that stop, so
 * notification times are exact to the millisecond, and an hour of timeline takes about a second.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { HttpCaptureServer } from '../../packages/server/src/alerting/notifiers/testing/http-capture.js';
import { SmtpCaptureServer } from '../../packages/server/src/alerting/notifiers/testing/smtp-capture.js';
import { resolveConfig } from '../../packages/server/src/config/index.js';
import { type Clock, ManualClock } from '../../packages/server/src/lib/clock.js';
import { startServer, type RunningServer } from '../../packages/server/src/main.js';
import type { Alert as RuleAlert } from '../../packages/server/src/rules/index.js';
import { TEST_ADMIN_TOKEN } from './helpers.js';

export const SEC = 1000;
export const MIN = 60 * SEC;

export const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

/** Lets promise continuations and I/O callbacks that are already due run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A ManualClock that stops at each due timer and awaits `idle` there: the work a timer starts —
 * with its real I/O — finishes at the simulated time the timer fired.
 */
export class ScenarioClock implements Clock {
  readonly manual: ManualClock;
  /** Awaited after every stop. */
  idle: () => Promise<void> = settle;
  /** Called after every stop, once idle, with the time of the stop. */
  afterStep: (nowMs: number) => void = () => undefined;

  constructor(startMs: number) {
    this.manual = new ManualClock(startMs);
  }

  nowMs(): number {
    return this.manual.nowMs();
  }

  setTimeout(fn: () => void, delayMs: number): () => void {
    return this.manual.setTimeout(fn, delayMs);
  }

  private nextDue(): number {
    return this.manual.nextDueMs() ?? Infinity;
  }

  private async step(): Promise<void> {
    await this.idle();
    this.afterStep(this.nowMs());
  }

  /** Moves time forward by `ms`, stopping at every due timer. */
  async run(ms: number): Promise<void> {
    const end = this.nowMs() + ms;
    await this.step();
    for (let next = this.nextDue(); next <= end; next = this.nextDue()) {
      this.manual.advance(next - this.nowMs());
      await this.step();
    }
    this.manual.advance(end - this.nowMs());
    await this.step();
  }

  async runUntil(atMs: number): Promise<void> {
    await this.run(Math.max(0, atMs - this.nowMs()));
  }

  /**
   * Runs stop by stop until `condition` holds (checked after each stop) and returns the time it
   * first held; throws after `maxMs`.
   */
  async runUntilTrue(condition: () => boolean, maxMs: number, what: string): Promise<number> {
    const end = this.nowMs() + maxMs;
    await this.step();
    if (condition()) return this.nowMs();
    for (let next = this.nextDue(); next <= end; next = this.nextDue()) {
      this.manual.advance(next - this.nowMs());
      await this.step();
      if (condition()) return this.nowMs();
    }
    throw new Error(`${what}: not within ${maxMs / 1000}s of simulated time`);
  }
}

// ---- Scrape targets ----

/** A /metrics endpoint on 127.0.0.1 whose body the test sets; it can be stopped and started again on its port. */
export class ExporterTarget {
  /** The exposition the next scrape gets. */
  body: () => string;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(body: () => string) {
    this.body = body;
  }

  static async start(body: () => string): Promise<ExporterTarget> {
    const t = new ExporterTarget(body);
    await t.listen();
    return t;
  }

  /** `127.0.0.1:<port>`, the same across a stop and a start. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  private async listen(): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.body());
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.port = address.port;
    this.server = server;
  }

  /** Stops listening: scrapes get "connection refused" (`up` 0). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async start(): Promise<void> {
    if (!this.server) await this.listen();
  }
}

// ---- Receivers ----

export type Channel = 'slack' | 'pagerduty' | 'sms' | 'webhook' | 'email';

/** One notification a capture server received, at the simulated time it arrived. */
export interface Delivery {
  readonly atMs: number;
  readonly channel: Channel;
  /** Slack channel, PagerDuty routing key, phone number, e-mail address or webhook path. */
  readonly to: string;
  /** PagerDuty's event action says `acknowledge`; everything else says firing or resolved. */
  readonly status: 'firing' | 'resolved' | 'acknowledge';
  /** `[FIRING:1] PartsOrderingSystemDown (...)`: the Slack title, SMS text, mail subject, PagerDuty summary. */
  readonly title: string;
  /** The acknowledgement link it carries, if any. */
  readonly ackURL?: string;
  /** PagerDuty's dedup_key. */
  readonly dedupKey?: string;
  /** The webhook payload's alerts, `alertname/status`. */
  readonly alerts?: string[];
  readonly body: unknown;
}

const statusOfTitle = (title: string): 'firing' | 'resolved' =>
  title.startsWith('[RESOLVED]') ? 'resolved' : 'firing';

interface JsonObject {
  [k: string]: unknown;
}
const obj = (v: unknown): JsonObject => (v !== null && typeof v === 'object' ? (v as JsonObject) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The local receivers of config/alertmanager.yml's placeholders: Slack, PagerDuty Events v2, the
 * SMS gateway and generic webhooks as four HTTP servers, e-mail as an SMTP server.
 */
export class Receivers {
  readonly deliveries: Delivery[] = [];
  private readonly seen = new Map<string, number>();

  private constructor(
    readonly slack: HttpCaptureServer,
    readonly pagerduty: HttpCaptureServer,
    readonly sms: HttpCaptureServer,
    readonly webhook: HttpCaptureServer,
    readonly smtp: SmtpCaptureServer,
  ) {}

  static async start(): Promise<Receivers> {
    const [slack, pagerduty, sms, webhook, smtp] = await Promise.all([
      HttpCaptureServer.start(),
      HttpCaptureServer.start({
        okStatus: 202,
        okBody: '{"status":"success","message":"Event processed","dedup_key":"accepted"}',
      }),
      HttpCaptureServer.start({ okStatus: 200, okBody: '{"status":"queued"}' }),
      HttpCaptureServer.start(),
      SmtpCaptureServer.start(),
    ]);
    return new Receivers(slack, pagerduty, sms, webhook, smtp);
  }

  /**
   * alertmanager.yml with its local endpoints (`http://127.0.0.1:<port>/slack/...`, `/pagerduty/`,
   * `/sms/`, `/webhook/`, `smtp_smarthost: 127.0.0.1:<port>`) pointed at these servers.
   */
  rewrite(yaml: string): string {
    const servers: Record<string, HttpCaptureServer> = {
      slack: this.slack,
      pagerduty: this.pagerduty,
      sms: this.sms,
      webhook: this.webhook,
    };
    let swapped = 0;
    const out = yaml
      .replace(/http:\/\/127\.0\.0\.1:\d+\/(slack|pagerduty|sms|webhook)\//g, (_m, kind: string) => {
        swapped++;
        return servers[kind]!.url(`/${kind}/`);
      })
      .replace(/^(\s*smtp_smarthost:\s*)127\.0\.0\.1:\d+\s*$/m, (_m, key: string) => {
        swapped++;
        return `${key}127.0.0.1:${this.smtp.port}`;
      });
    const ours = new Set([...Object.values(servers).map((x) => x.port), this.smtp.port]);
    const settings = out
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    const stray = [...settings.matchAll(/127\.0\.0\.1:(\d+)/g)].filter((m) => !ours.has(Number(m[1])));
    if (swapped === 0 || stray.length > 0) {
      throw new Error(
        `alertmanager.yml has endpoints the scenario harness does not serve: ${stray.map((m) => m[0]).join(', ')}`,
      );
    }
    return out;
  }

  /** Turns what the servers received since the last call into deliveries at `atMs`. */
  collect(atMs: number): void {
    const fresh = <T>(name: string, list: readonly T[]): T[] => {
      const from = this.seen.get(name) ?? 0;
      this.seen.set(name, list.length);
      return list.slice(from);
    };
    for (const r of fresh('slack', this.slack.requests)) {
      const body = obj(JSON.parse(r.body));
      const attachment = obj((body['attachments'] as unknown[] | undefined)?.[0]);
      const title = str(attachment['title']);
      const button = ((attachment['actions'] as unknown[] | undefined) ?? [])
        .map(obj)
        .find((a) => a['text'] === 'Acknowledge');
      this.deliveries.push({
        atMs,
        channel: 'slack',
        to: str(body['channel']),
        status: statusOfTitle(title),
        title,
        ...(button && { ackURL: str(button['url']) }),
        body,
      });
    }
    for (const r of fresh('pagerduty', this.pagerduty.requests)) {
      const body = obj(JSON.parse(r.body));
      const action = str(body['event_action']);
      const link = ((body['links'] as unknown[] | undefined) ?? [])
        .map(obj)
        .find((l) => l['text'] === 'Acknowledge in Watchkeeper');
      this.deliveries.push({
        atMs,
        channel: 'pagerduty',
        to: str(body['routing_key']),
        status: action === 'resolve' ? 'resolved' : action === 'acknowledge' ? 'acknowledge' : 'firing',
        title: str(obj(body['payload'])['summary']),
        dedupKey: str(body['dedup_key']),
        ...(link && { ackURL: str(link['href']) }),
        body,
      });
    }
    for (const r of fresh('sms', this.sms.requests)) {
      const body = obj(JSON.parse(r.body));
      const message = str(body['message']);
      const ack = /^Ack: (\S+)$/m.exec(message);
      this.deliveries.push({
        atMs,
        channel: 'sms',
        to: str(body['to']),
        status: statusOfTitle(message),
        title: message.split('\n')[0] ?? '',
        ...(ack && { ackURL: ack[1]! }),
        body,
      });
    }
    for (const r of fresh('webhook', this.webhook.requests)) {
      const body = obj(JSON.parse(r.body));
      const alerts = ((body['alerts'] as unknown[] | undefined) ?? []).map(obj);
      this.deliveries.push({
        atMs,
        channel: 'webhook',
        to: r.path,
        status: body['status'] === 'resolved' ? 'resolved' : 'firing',
        title: `${str(body['status'])} ${str(obj(body['groupLabels'])['alertname'])}`,
        alerts: alerts.map((a) => `${str(obj(a['labels'])['alertname'])}/${str(a['status'])}`),
        ...(typeof body['acknowledgeURL'] === 'string' && { ackURL: body['acknowledgeURL'] }),
        body,
      });
    }
    for (const m of fresh('smtp', this.smtp.mails)) {
      const ack = /^Acknowledge: (\S+)$/m.exec(m.text ?? '');
      this.deliveries.push({
        atMs,
        channel: 'email',
        to: m.to.join(','),
        status: statusOfTitle(m.subject),
        title: m.subject,
        ...(ack && { ackURL: ack[1]! }),
        body: m,
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      this.slack.close(),
      this.pagerduty.close(),
      this.sms.close(),
      this.webhook.close(),
      this.smtp.close(),
    ]);
  }
}

// ---- The server ----

export interface ScenarioOptions {
  /** The simulated start (Unix ms). */
  startMs: number;
  /** Scrape jobs: job name → the targets' `host:port`. */
  jobs: Readonly<Record<string, string | readonly string[]>>;
  /** More rule files (file name → content), evaluated with config/rules/*.yml. */
  extraRuleFiles?: Readonly<Record<string, string>>;
  /** `escalation.pagerduty_webhook.secret`. */
  pagerDutyWebhookSecret?: string;
}

/** Watchkeeper with the repository's configuration, its receivers and targets local, on a ScenarioClock. */
export class Scenario {
  private constructor(
    readonly clock: ScenarioClock,
    readonly server: RunningServer,
    readonly receivers: Receivers,
    private readonly dir: string,
  ) {}

  static async start(options: ScenarioOptions): Promise<Scenario> {
    // On tmpfs where there is one: storage and alerting state sync at every commit, which on a
    // shared disk costs more than the rest of a step.
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wk-alerting-scenario-'));
    const receivers = await Receivers.start();
    try {
      const amFile = join(dir, 'alertmanager.yml');
      writeFileSync(amFile, receivers.rewrite(readFileSync(join(CONFIG_DIR, 'alertmanager.yml'), 'utf8')));
      const extraRules = Object.entries(options.extraRuleFiles ?? {}).map(([name, text]) => {
        const file = join(dir, name);
        writeFileSync(file, text);
        return file;
      });
      const repo = parse(readFileSync(join(CONFIG_DIR, 'watchkeeper.yml'), 'utf8')) as Record<string, unknown>;
      const alerting = repo['alerting'] as Record<string, unknown>;
      const escalation = repo['escalation'] as Record<string, unknown>;
      const raw = {
        global: repo['global'],
        web: { listen_address: '127.0.0.1:0' },
        // external_url left out: acknowledgement links point at this server.
        alerting: { alertmanager_config: amFile, resolved_after_mute: alerting['resolved_after_mute'] },
        escalation: {
          ...escalation,
          ...(options.pagerDutyWebhookSecret !== undefined && {
            pagerduty_webhook: { secret: options.pagerDutyWebhookSecret },
          }),
        },
        suppression_rules: repo['suppression_rules'],
        storage: { path: join(dir, 'data') },
        rule_files: [join(CONFIG_DIR, 'rules', '*.yml'), ...extraRules],
        scrape_configs: Object.entries(options.jobs).map(([job, target]) => ({
          job_name: job,
          static_configs: [{ targets: typeof target === 'string' ? [target] : [...target] }],
        })),
      };
      // Every API needs a credential: the scenario's calls send the admin token (api()).
      const config = resolveConfig(raw, 'alerting scenario', { adminToken: TEST_ADMIN_TOKEN }, dir);
      // amtool 0.25's --http.config.file: how amtool sends the token.
      writeFileSync(join(dir, 'amtool-http.yml'), `authorization:\n  credentials: ${TEST_ADMIN_TOKEN}\n`);
      const clock = new ScenarioClock(options.startMs);
      const server = await startServer({ config, clock });
      const scenario = new Scenario(clock, server, receivers, dir);
      clock.idle = () => scenario.idle();
      clock.afterStep = (nowMs) => receivers.collect(nowMs);
      return scenario;
    } catch (err) {
      await receivers.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Waits until nothing runs: scrapes, rule evaluations, escalation sends and dispatcher flushes.
   * One can start another (an evaluation posts alerts, which open incidents that notify; an
   * acknowledgement sends PagerDuty's acknowledge), hence the repeated passes. A notification
   * retrying on a stopped clock never ends, hence the guard.
   */
  async idle(): Promise<void> {
    const s = this.server;
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not idle after 10 s of real time at ${new Date(this.clock.nowMs()).toISOString()}`)),
        10_000,
      );
    });
    try {
      for (let pass = 0; pass < 3; pass++) {
        await Promise.race([
          (async () => {
            await settle();
            await s.scrapeManager.settled();
            await s.ruleManager.idle();
            await s.incidents.flush();
            await s.alertmanager.dispatcher.idle();
          })(),
          guard,
        ]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  get deliveries(): readonly Delivery[] {
    return this.receivers.deliveries;
  }

  /** The rule engine's alerts named `alertname` (state, activeAt, firedAt, ...). */
  ruleAlerts(alertname: string): RuleAlert[] {
    return this.server.ruleManager
      .alertingRules()
      .filter((r) => r.name === alertname)
      .flatMap((r) => r.activeAlerts());
  }

  /** amtool's `--http.config.file` for this server (the admin token). */
  get amtoolHttpConfigFile(): string {
    return join(this.dir, 'amtool-http.yml');
  }

  /**
   * A JSON API call; the body of the answer (parsed when JSON) and its status. Sent with the admin
   * token, unless `anonymous` (the signed endpoints: acknowledgement links, webhooks).
   */
  async api(
    path: string,
    init: RequestInit = {},
    opts: { anonymous?: boolean } = {},
  ): Promise<{ status: number; body: unknown; text: string }> {
    const headers = new Headers(init.headers);
    if (!opts.anonymous) headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    const res = await fetch(this.server.url + path, { ...init, headers });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    await this.idle();
    this.receivers.collect(this.clock.nowMs());
    return { status: res.status, body, text };
  }

  /** A PagerDuty webhook v3 `incident.acknowledged` for `dedupKey`, signed as PagerDuty signs it. */
  async pagerDutyAcknowledged(dedupKey: string, secret: string): Promise<{ status: number; body: unknown }> {
    const payload = JSON.stringify({
      event: {
        id: '01DEN3X9EOIPDFJ3Y3QDRCDKFS',
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: new Date(this.clock.nowMs()).toISOString(),
        agent: { id: 'PLH1HKV', summary: 'Tenex Engineer', type: 'user_reference' },
        data: { id: 'PGR0VU2', type: 'incident', incident_key: dedupKey, status: 'acknowledged' },
      },
    });
    const signature = `v1=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    return this.api(
      '/api/wk/integrations/pagerduty/webhook',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
        body: payload,
      },
      { anonymous: true },
    );
  }

  async close(): Promise<void> {
    try {
      await this.server.close();
    } finally {
      await this.receivers.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import type { PostableAlert } from './alert-sink.js';
import { AlertmanagerSink, alertmanagerTargets } from './alertmanager-sink.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: PostableAlert[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A local Alertmanager stand-in on 127.0.0.1 that records every request (or never answers). */
async function fakeAlertmanager(opts: { hang?: boolean; status?: number } = {}) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: JSON.parse(data) as PostableAlert[],
      });
      if (opts.hang) return;
      res.writeHead(opts.status ?? 200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { received, target: `127.0.0.1:${port}`, server };
}

function alert(i: number): PostableAlert {
  return {
    labels: { alertname: 'PartsOrderingSystemDown', instance: `i${i}` },
    annotations: { summary: 'down' },
    startsAt: '2026-01-05T08:01:00Z',
    endsAt: '2026-01-05T08:05:00Z',
    generatorURL: 'http://watchkeeper:9800/graph?g0.expr=up&g0.tab=1',
  };
}

async function metric(registry: Registry, name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}

describe('AlertmanagerSink', () => {
  it('posts batches of 64 to /api/v2/alerts under the path prefix, with credentials', async () => {
    const am = await fakeAlertmanager();
    const registry = new Registry();
    const sink = new AlertmanagerSink({
      alertmanagers: alertmanagerTargets([
        {
          static_configs: [{ targets: [am.target] }],
          scheme: 'http',
          path_prefix: '/alertmanager/',
          timeoutMs: 10_000,
          authorization: { type: 'Bearer', credentials: 's3cret' },
        },
      ]),
      clock: new ManualClock(0),
      registry,
    });
    sink.send(Array.from({ length: 100 }, (_, i) => alert(i)));
    await sink.flush();
    expect(am.received.map((r) => [r.method, r.url, r.body.length])).toEqual([
      ['POST', '/alertmanager/api/v2/alerts', 64],
      ['POST', '/alertmanager/api/v2/alerts', 36],
    ]);
    expect(am.received[0]!.headers['authorization']).toBe('Bearer s3cret');
    expect(am.received[0]!.headers['content-type']).toBe('application/json');
    expect(am.received[1]!.body[35]).toEqual(alert(99));
    expect(await metric(registry, 'watchkeeper_notifications_sent_total')).toBe(100);
    await sink.stop();
  });

  it('counts failures per Alertmanager and delivers when one of them takes the alerts', async () => {
    const good = await fakeAlertmanager();
    const bad = await fakeAlertmanager({ status: 500 });
    const registry = new Registry();
    const sink = new AlertmanagerSink({
      alertmanagers: alertmanagerTargets([
        {
          static_configs: [{ targets: [good.target, bad.target] }],
          scheme: 'http',
          path_prefix: '/',
          timeoutMs: 10_000,
        },
      ]),
      clock: new ManualClock(0),
      registry,
    });
    sink.send([alert(1), alert(2)]);
    await sink.flush();
    expect(good.received.length).toBe(1);
    expect(bad.received.length).toBe(1);
    expect(await metric(registry, 'watchkeeper_notifications_errors_total')).toBe(2);
    expect(await metric(registry, 'watchkeeper_notifications_dropped_total')).toBe(0);
    await sink.stop();
  });

  it('gives up on a request after the timeout, on the clock', async () => {
    const slow = await fakeAlertmanager({ hang: true });
    const clock = new ManualClock(0);
    const registry = new Registry();
    const errors: string[] = [];
    const sink = new AlertmanagerSink({
      alertmanagers: [{ baseUrl: `http://${slow.target}`, timeoutMs: 5_000 }],
      clock,
      registry,
      log: (_m, f) => errors.push(String(f['err'])),
    });
    sink.send([alert(1)]);
    while (slow.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    clock.advance(5_000);
    await sink.flush();
    expect(errors).toEqual(['context deadline exceeded']);
    expect(await metric(registry, 'watchkeeper_notifications_dropped_total')).toBe(1);
    slow.server.closeAllConnections();
    await sink.stop();
  });

  it('drops the oldest alerts when the queue is full', async () => {
    const registry = new Registry();
    const posted: number[] = [];
    const sink = new AlertmanagerSink({
      alertmanagers: [{ baseUrl: 'http://127.0.0.1:9' }],
      clock: new ManualClock(0),
      registry,
      queueCapacity: 10,
      maxBatchSize: 64,
      fetch: async (_url, init) => {
        posted.push((JSON.parse(init?.body as string) as unknown[]).length);
        return new Response(null, { status: 200 });
      },
    });
    sink.send(Array.from({ length: 25 }, (_, i) => alert(i)));
    await sink.flush();
    expect(posted).toEqual([10]);
    expect(await metric(registry, 'watchkeeper_notifications_dropped_total')).toBe(15);
  });
});

import { writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { Engine } from '../promql/index.js';
import { MemoryStorage } from '../tsdb/index.js';
import { ruleGroupHash, evalSlotMs } from './group-hash.js';
import { RuleManager, RuleLoadError, type RuleManagerOptions } from './manager.js';
import { RecordingSink, runTimeline, writeRuleFile, type FedSeries } from './test-support.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MIN = 60_000;

const RULES = `
groups:
  - name: revenue
    rules:
      - alert: PartsOrderingSystemDown
        expr: up{job="parts-api"} == 0
        for: 1m
        labels: {severity: critical, team: revenue}
        annotations:
          summary: 'Parts ordering API is down'
          description: '{{ $labels.instance }} down, value {{ $value }}, env {{ $externalLabels.env }}'
      - record: job:up:sum
        expr: sum by (job) (up)
`;

function setup(rules = RULES, extra: Partial<RuleManagerOptions> = {}) {
  const clock = new ManualClock(T0);
  const storage = new MemoryStorage();
  const engine = new Engine(storage);
  const sink = new RecordingSink(clock);
  const registry = new Registry();
  const file = writeRuleFile(rules);
  const manager = new RuleManager({
    engine,
    storage,
    clock,
    sink,
    registry,
    evaluationIntervalMs: 15_000,
    externalURL: 'http://watchkeeper.example:9800',
    externalLabels: { env: 'test' },
    ...extra,
  });
  return { clock, storage, engine, sink, registry, file, manager };
}

/** parts-api's `up`: 1, except 0 in [downFromMs, upAgainMs). */
function partsApiUp(downFromMs: number, upAgainMs = Infinity): FedSeries {
  return {
    labels: { __name__: 'up', job: 'parts-api', instance: '127.0.0.1:9205' },
    value: (t) => (t >= downFromMs && t < upAgainMs ? 0 : 1),
  };
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}

describe('RuleManager on a simulated clock', () => {
  it('evaluates each group on the slots Prometheus gives it, at the same timestamp for all its rules', async () => {
    const { clock, storage, engine, manager, file } = setup();
    await manager.update([file]);
    manager.start();
    await runTimeline({ clock, manager, storage, series: [partsApiUp(Infinity)] }, 5 * MIN);
    const slot = evalSlotMs(ruleGroupHash(file, 'revenue'), 15_000, T0);
    const r = await engine.rangeQuery('timestamp(job:up:sum)', T0, T0 + 5 * MIN, 1000);
    const times = new Set(r.value.type === 'matrix' ? [...r.value.series[0]!.values] : []);
    // Every recorded sample sits on slot + k × 15s, and the first is the slot after the start.
    expect([...times].map((t) => (t * 1000 - slot) % 15_000)).toEqual([...times].map(() => 0));
    expect(Math.min(...times) * 1000).toBe(slot + 15_000);
    const group = manager.ruleGroups()[0]!;
    expect(group.rules.map((x) => x.status.health)).toEqual(['ok', 'ok']);
    expect(group.lastEvaluationMs).toBeGreaterThan(T0 + 4 * MIN);
    await manager.stop();
  });

  it('goes pending, fires after `for`, resends every minute, and sends resolved for 15 minutes', async () => {
    const { clock, storage, sink, manager, file, engine } = setup();
    await manager.update([file]);
    manager.start();
    const downAt = T0 + 2 * MIN;
    const upAt = T0 + 10 * MIN;
    const series = [partsApiUp(downAt, upAt)];
    await runTimeline({ clock, manager, storage, series }, 40 * MIN);
    await manager.stop();

    const sent = sink.all();
    expect(sent.every((a) => a.labels['alertname'] === 'PartsOrderingSystemDown')).toBe(true);
    // Firing alerts end 4 × max(interval, resend delay) after the evaluation that sent them;
    // resolved ones end when they resolved (which is before they are received).
    const firing = sent.filter((a) => Date.parse(a.endsAt) > a.atMs);
    const resolved = sent.filter((a) => Date.parse(a.endsAt) <= a.atMs);
    const sentAt = firing.map((a) => Date.parse(a.endsAt) - 4 * MIN);
    // Evaluations every 15s; the first one that sees 0 makes it pending, 1m later it fires.
    const firedMs = Date.parse(firing[0]!.startsAt);
    expect(sentAt[0]).toBe(firedMs);
    expect(firedMs - downAt).toBeGreaterThanOrEqual(MIN);
    expect(firedMs - downAt).toBeLessThan(MIN + 15_000);
    expect(firing[0]).toMatchObject({
      labels: {
        alertname: 'PartsOrderingSystemDown',
        severity: 'critical',
        team: 'revenue',
        job: 'parts-api',
        instance: '127.0.0.1:9205',
        env: 'test',
      },
      annotations: { summary: 'Parts ordering API is down', description: '127.0.0.1:9205 down, value 0, env test' },
      generatorURL: 'http://watchkeeper.example:9800/graph?g0.expr=up%7Bjob%3D%22parts-api%22%7D+%3D%3D+0&g0.tab=1',
    });
    expect(new Set(firing.map((a) => a.startsAt)).size).toBe(1);
    // Resent when the last send is more than a minute old: every 75s at a 15s interval.
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(new Set(gaps)).toEqual(new Set([75_000]));
    // Resolved: sent at once, then resent every 75s while kept (15 minutes): 13 times.
    const resolvedAt = Date.parse(resolved[0]!.endsAt);
    expect(resolvedAt - upAt).toBeGreaterThanOrEqual(0);
    expect(resolvedAt - upAt).toBeLessThan(15_000);
    expect(new Set(resolved.map((a) => a.endsAt)).size).toBe(1);
    expect(resolved.length).toBe(13);
    expect(resolved.at(-1)!.atMs - resolvedAt).toBeLessThanOrEqual(15 * MIN + 5_000);
    expect(sent.filter((a) => a.atMs > resolvedAt + 16 * MIN)).toEqual([]);
    const firstSentMs = firedMs;

    // ALERTS while firing; gone (stale) once resolved.
    const at = async (t: number) => {
      const r = await engine.instantQuery('ALERTS', t);
      return r.value.type === 'vector' ? r.value.samples.map((s) => s.labels.get('alertstate')) : [];
    };
    expect(await at(firstSentMs + 30_000)).toEqual(['firing']);
    expect(await at(downAt + 30_000)).toEqual(['pending']);
    expect(await at(upAt + 30_000)).toEqual([]);
    const forState = await engine.instantQuery('ALERTS_FOR_STATE', firstSentMs);
    expect(forState.value.type === 'vector' && forState.value.samples[0]!.v).toBe(
      Math.floor((firstSentMs - MIN) / 1000),
    );
  });

  it('keeps firing for keep_firing_for after the condition clears', async () => {
    const rules = `
groups:
  - name: g
    interval: 1m
    rules:
      - alert: Down
        expr: up == 0
        keep_firing_for: 5m
`;
    const { clock, storage, manager, file } = setup(rules);
    await manager.update([file]);
    manager.start();
    const series = [partsApiUp(T0 + 3 * MIN, T0 + 6 * MIN)];
    const states: [number, string][] = [];
    for (let i = 0; i < 16; i++) {
      await runTimeline({ clock, manager, storage, series }, MIN);
      const rule = manager.alertingRules()[0]!;
      states.push([Math.round((clock.nowMs() - T0) / MIN), rule.state]);
    }
    await manager.stop();
    const firingMinutes = states.filter(([, s]) => s === 'firing').map(([m]) => m);
    // Firing from the first evaluation after 3m until 5 minutes after the last one that saw 0.
    expect(firingMinutes[0]).toBe(4);
    expect(firingMinutes.at(-1)).toBe(11);
    expect(firingMinutes.length).toBe(8);
  });

  it('counts missed iterations when an evaluation cannot keep up', async () => {
    const { clock, storage, manager, file, registry } = setup();
    await manager.update([file]);
    manager.start();
    await runTimeline({ clock, manager, storage, series: [partsApiUp(Infinity)] }, MIN);
    // The process stalls for a minute: the due evaluation runs late, the slots in between are missed.
    clock.advance(MIN);
    await manager.idle();
    clock.advance(0);
    await manager.idle();
    await manager.stop();
    // The first due slot runs (late, at once); the next two pass while it cannot run; the
    // evaluation after them counts them.
    expect(await metricValue(registry, 'watchkeeper_rule_group_iterations_missed_total')).toBe(2);
  });

  it('marks recorded series stale when the rule stops returning them', async () => {
    const { clock, storage, engine, manager, file } = setup();
    await manager.update([file]);
    manager.start();
    const gone = T0 + 3 * MIN;
    const series: FedSeries[] = [
      partsApiUp(Infinity),
      { labels: { __name__: 'up', job: 'billing', instance: 'b' }, value: (t) => (t < gone ? 1 : undefined) },
    ];
    await runTimeline({ clock, manager, storage, series }, 10 * MIN);
    await manager.stop();
    const jobs = async (t: number) => {
      const r = await engine.instantQuery('job:up:sum', t);
      return r.value.type === 'vector' ? r.value.samples.map((s) => s.labels.get('job')).sort() : [];
    };
    expect(await jobs(gone - 10_000)).toEqual(['billing', 'parts-api']);
    // The input goes stale after its 5m lookback; the recorded series at the next evaluation.
    expect(await jobs(gone + 5 * MIN + 30_000)).toEqual(['parts-api']);
  });

  it('keeps alert state across a reload that changes the group, and rejects invalid files', async () => {
    const { clock, storage, sink, manager, file } = setup();
    await manager.update([file]);
    manager.start();
    const series = [partsApiUp(T0 + MIN)];
    await runTimeline({ clock, manager, storage, series }, 4 * MIN);
    const firedBefore = sink.all().filter((a) => Date.parse(a.endsAt) > a.atMs)[0]!.startsAt;
    // A changed annotation: a new group replaces the old one and takes over its alerts.
    writeFileSync(file, RULES.replace("summary: 'Parts ordering API is down'", "summary: 'down'"));
    await manager.update([file]);
    await runTimeline({ clock, manager, storage, series }, 3 * MIN);
    const after = sink.all().filter((a) => a.annotations['summary'] === 'down');
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.startsAt).toBe(firedBefore);

    const bad = writeRuleFile('groups:\n  - name: bad\n    rules:\n      - alert: X\n        expr: up ==\n');
    await expect(manager.update([file, bad])).rejects.toBeInstanceOf(RuleLoadError);
    expect(manager.ruleGroups().map((g) => g.name)).toEqual(['revenue']);
    await manager.stop();
  });

  it('applies the group limit', async () => {
    const rules = `
groups:
  - name: limited
    limit: 1
    rules:
      - alert: AnyUp
        expr: up == 1
`;
    const { clock, storage, manager, file } = setup(rules);
    await manager.update([file]);
    manager.start();
    const series: FedSeries[] = [
      { labels: { __name__: 'up', job: 'a' }, value: () => 1 },
      { labels: { __name__: 'up', job: 'b' }, value: () => 1 },
    ];
    await runTimeline({ clock, manager, storage, series }, MIN);
    await manager.stop();
    const rule = manager.alertingRules()[0]!;
    expect(rule.status.health).toBe('err');
    expect(rule.status.lastError?.message).toBe('exceeded limit of 1 with 2 alerts');
    expect(rule.activeAlerts()).toEqual([]);
  });
});

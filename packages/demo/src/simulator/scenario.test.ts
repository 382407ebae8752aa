import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, isServerFault, loadScenarioFile, parseScenario, ScenarioError } from './scenario.js';

const dir = await mkdtemp(join(tmpdir(), 'wk-scenario-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('scenarios', () => {
  it('reads a list of { at, fault } with durations in simulated time', () => {
    const scenario = parseScenario([
      { at: '2h', fault: { kind: 'down', service: 'parts-api', duration_ms: '30m' } },
      { at: 60_000, fault: { kind: 'brute_force', duration_ms: 600_000 } },
    ]);
    expect(scenario.repeatEveryMs).toBeUndefined();
    expect(scenario.entries).toEqual([
      { atMs: 60_000, fault: { kind: 'brute_force', duration_ms: 600_000, rate_per_second: 25 } },
      { atMs: 7_200_000, fault: { kind: 'down', service: 'parts-api', duration_ms: 1_800_000 } },
    ]);
    expect(scenario.entries.map((e) => isServerFault(e.fault))).toEqual([false, true]);
  });

  it('reads YAML and JSON files, with repeat_every', async () => {
    const yamlFile = join(dir, 'day.yaml');
    await writeFile(
      yamlFile,
      [
        'repeat_every: 1d',
        'faults:',
        '  - at: 5h',
        '    fault: { kind: slow, service: sync, extra_latency_ms: 800, duration_ms: 1h }',
        '  - at: 6h',
        '    fault: { kind: vessel_offline, duration_ms: 12h, vessel: "9074729" }',
      ].join('\n'),
    );
    const fromYaml = await loadScenarioFile(yamlFile);
    expect(fromYaml.repeatEveryMs).toBe(86_400_000);
    expect(fromYaml.entries[1]?.fault).toEqual({ kind: 'vessel_offline', duration_ms: 43_200_000, vessel: '9074729' });

    const jsonFile = join(dir, 'list.json');
    await writeFile(
      jsonFile,
      JSON.stringify([{ at: '1m', fault: { kind: 'payment_failures', failure_ratio: 0.5, duration_ms: '1h' } }]),
    );
    expect((await loadScenarioFile(jsonFile)).entries).toHaveLength(1);
  });

  it.each([
    [[{ at: '1h', fault: { kind: 'explode', duration_ms: '1h' } }], /At 0\.fault\.kind/],
    [[{ at: 'soon', fault: { kind: 'brute_force', duration_ms: '1h' } }], /At 0\.at: Expected a duration/],
    [[{ at: '1h', fault: { kind: 'down', service: 'mainframe', duration_ms: '1h' } }], /At 0\.fault\.service/],
    [[{ at: '1h', fault: { kind: 'brute_force', duration_ms: '1h', rate: 5 } }], /Unrecognized key.*rate/],
    [[{ at: '1h', fault: { kind: 'payment_failures', failure_ratio: 2, duration_ms: '1h' } }], /failure_ratio/],
    [
      { repeat_every: '1h', faults: [{ at: '2h', fault: { kind: 'sql_injection', duration_ms: '1m' } }] },
      /not inside repeat_every/,
    ],
  ] as const)('rejects %j with a located message', (data, message) => {
    expect(() => parseScenario(data)).toThrow(ScenarioError);
    expect(() => parseScenario(data)).toThrow(message);
  });

  it('reports a missing or malformed file as a ScenarioError', async () => {
    await expect(loadScenarioFile(join(dir, 'missing.yaml'))).rejects.toThrow(/Cannot read the scenario file/);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'faults: [unclosed');
    await expect(loadScenarioFile(bad)).rejects.toBeInstanceOf(ScenarioError);
  });

  it('has a default scenario covering every kind of fault, repeating every two days', () => {
    const kinds = new Set(DEFAULT_SCENARIO.entries.map((e) => e.fault.kind));
    expect([...kinds].sort()).toEqual(
      [
        'brute_force',
        'bulk_export',
        'db_pool_exhaustion',
        'down',
        'payment_failures',
        'slow',
        'sql_injection',
        'unauthorized_access',
        'vessel_offline',
      ].sort(),
    );
    expect(DEFAULT_SCENARIO.repeatEveryMs).toBe(2 * 86_400_000);
  });
});

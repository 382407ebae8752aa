import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TelemetryOptionsError, createTelemetry, type TelemetryOptions } from './index.js';
import { resolveOptions } from './options.js';

const VALID = { service: 'parts-api', version: '1.2.3', environment: 'demo' } as const;

interface BadOptionsCase {
  readonly name: string;
  readonly options: unknown;
  /** The option path the error must name. */
  readonly path: string;
}

const BAD_OPTIONS: readonly BadOptionsCase[] = [
  { name: 'no options', options: undefined, path: '(options)' },
  { name: 'missing service', options: { version: '1', environment: 'demo' }, path: 'service' },
  { name: 'service with capitals', options: { ...VALID, service: 'PartsApi' }, path: 'service' },
  { name: 'service starting with a digit', options: { ...VALID, service: '1parts' }, path: 'service' },
  { name: 'service with an underscore', options: { ...VALID, service: '_sms_x' }, path: 'service' },
  { name: 'missing version', options: { service: 'a', environment: 'demo' }, path: 'version' },
  { name: 'empty version', options: { ...VALID, version: '' }, path: 'version' },
  { name: 'version with spaces', options: { ...VALID, version: '1 2' }, path: 'version' },
  { name: 'missing environment', options: { service: 'a', version: '1' }, path: 'environment' },
  { name: 'short internal token', options: { ...VALID, internalMetricsToken: 'secret' }, path: 'internalMetricsToken' },
  {
    name: 'internal token with a space',
    options: { ...VALID, internalMetricsToken: 'abcdefgh ijklmnopqrs' },
    path: 'internalMetricsToken',
  },
  { name: 'unknown log level', options: { ...VALID, log: { level: 'trace' } }, path: 'log.level' },
  {
    name: 'log destination of the wrong kind',
    options: { ...VALID, log: { destination: 42 } },
    path: 'log.destination',
  },
  {
    name: 'OTLP endpoint not a URL',
    options: { ...VALID, tracing: { otlpEndpoint: 'localhost:4318' } },
    path: 'tracing.otlpEndpoint',
  },
  {
    name: 'OTLP endpoint not http',
    options: { ...VALID, tracing: { otlpEndpoint: 'ftp://127.0.0.1/v1/traces' } },
    path: 'tracing.otlpEndpoint',
  },
  {
    name: 'sampling ratio above 1',
    options: { ...VALID, tracing: { samplingRatio: 2 } },
    path: 'tracing.samplingRatio',
  },
  {
    name: 'negative revenue ratio',
    options: { ...VALID, tracing: { revenueSamplingRatio: -0.1 } },
    path: 'tracing.revenueSamplingRatio',
  },
  {
    name: 'series limit above the plan',
    options: { ...VALID, limits: { maxSeriesPerMetric: 10_001 } },
    path: 'limits.maxSeriesPerMetric',
  },
  {
    name: 'label value limit of zero',
    options: { ...VALID, limits: { maxLabelValues: 0 } },
    path: 'limits.maxLabelValues',
  },
  {
    name: 'fractional limit',
    options: { ...VALID, limits: { maxSeriesPerMetric: 1.5 } },
    path: 'limits.maxSeriesPerMetric',
  },
  { name: 'clock not a function', options: { ...VALID, now: 123 }, path: 'now' },
  { name: 'defaultMetrics not a boolean', options: { ...VALID, defaultMetrics: 'yes' }, path: 'defaultMetrics' },
  { name: 'unknown top-level option', options: { ...VALID, sevice: 'typo' }, path: 'sevice' },
  { name: 'unknown nested option', options: { ...VALID, tracing: { endpoint: 'http://x' } }, path: 'tracing.endpoint' },
];

describe('options', () => {
  it.each(BAD_OPTIONS)('rejects $name, naming $path', ({ options, path }) => {
    let caught: unknown;
    try {
      createTelemetry(options as TelemetryOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TelemetryOptionsError);
    const error = caught as TelemetryOptionsError;
    expect(error.code).toBe('WK_SDK_INVALID_OPTIONS');
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
  });

  it('resolves defaults from the catalog and the plan, and freezes them', () => {
    const resolved = resolveOptions(VALID);
    expect(resolved.limits).toEqual({ maxSeriesPerMetric: 10_000, maxLabelValues: 100, maxLabelValueLength: 256 });
    expect(resolved.tracing).toMatchObject({ revenueSamplingRatio: 0.5, samplingRatio: 0.1, otlpEndpoint: undefined });
    expect(resolved.log.level).toBe('info');
    expect(resolved.defaultMetrics).toBe(true);
    expect(resolved.pod.length).toBeGreaterThan(0);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.limits)).toBe(true);
    expect(Math.abs(resolved.now() - Date.now())).toBeLessThan(1_000);
    expect(resolved.wallClock).toBe(Date.now);
  });

  it('rejects an OTLP endpoint and an exporter together', () => {
    const exporter = { export: () => undefined, shutdown: async () => undefined };
    expect(() =>
      resolveOptions({ ...VALID, tracing: { otlpEndpoint: 'http://127.0.0.1:4318/v1/traces', exporter } }),
    ).toThrow(/tracing\.exporter/);
  });

  it('fails at setup when the log file cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-sdk-'));
    try {
      const blocker = join(dir, 'not-a-dir');
      writeFileSync(blocker, '');
      let caught: unknown;
      try {
        createTelemetry({ ...VALID, log: { destination: join(blocker, 'x.log') }, defaultMetrics: false });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'WK_SDK_INVALID_OPTIONS', path: 'log.destination' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

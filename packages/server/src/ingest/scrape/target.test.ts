import { describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedScrapeConfig } from '../../config/index.js';
import { Labels } from '../../lib/labels.js';
import { populateLabels, Target, targetUrl } from './target.js';

function scrapeConfig(extra: Record<string, unknown> = {}): ResolvedScrapeConfig {
  const sc = { job_name: 'job', scrape_interval: '15s', scrape_timeout: '10s', ...extra };
  return resolveConfig({ scrape_configs: [sc] }, 'test.yml').scrapeConfigs[0]!;
}

interface PopulateCase {
  name: string;
  discovered: Record<string, string>;
  config?: Record<string, unknown>;
  /** Expected labels of an active target, 'dropped', or an error message. */
  want: Record<string, string> | 'dropped' | { error: string };
}

const META = {
  __scheme__: 'http',
  __metrics_path__: '/metrics',
  __scrape_interval__: '15s',
  __scrape_timeout__: '10s',
  job: 'job',
};

// Re-expressed from Prometheus's scrape/target_test.go TestPopulateLabels, plus our own.
const POPULATE_CASES: PopulateCase[] = [
  {
    name: 'defaults are added, instance comes from the address',
    discovered: { __address__: '1.2.3.4:1000', custom: 'value' },
    want: { ...META, __address__: '1.2.3.4:1000', instance: '1.2.3.4:1000', custom: 'value' },
  },
  {
    name: 'labels from discovery win over the defaults',
    discovered: {
      __address__: '1.2.3.4:1000',
      __scheme__: 'https',
      __metrics_path__: '/custom',
      __scrape_interval__: '2s',
      __scrape_timeout__: '2s',
      job: 'custom-job',
      instance: 'custom-instance',
    },
    want: {
      __address__: '1.2.3.4:1000',
      __scheme__: 'https',
      __metrics_path__: '/custom',
      __scrape_interval__: '2s',
      __scrape_timeout__: '2s',
      job: 'custom-job',
      instance: 'custom-instance',
    },
  },
  {
    name: 'port 80 is added for http',
    discovered: { __address__: '1.2.3.4' },
    want: { ...META, __address__: '1.2.3.4:80', instance: '1.2.3.4:80' },
  },
  {
    name: 'port 443 is added for https',
    discovered: { __address__: 'host.example', __scheme__: 'https' },
    want: { ...META, __scheme__: 'https', __address__: 'host.example:443', instance: 'host.example:443' },
  },
  {
    name: 'a bracketed IPv6 address gets a port too',
    discovered: { __address__: '[::1]' },
    want: { ...META, __address__: '[::1]:80', instance: '[::1]:80' },
  },
  {
    name: 'meta labels are removed after relabeling',
    discovered: { __address__: 'a:1', __meta_zone: 'eu' },
    config: { relabel_configs: [{ source_labels: ['__meta_zone'], target_label: 'zone' }] },
    want: { ...META, __address__: 'a:1', instance: 'a:1', zone: 'eu' },
  },
  {
    name: 'the first value of each param becomes a __param_ label',
    discovered: { __address__: 'a:1' },
    config: { params: { module: ['x', 'y'] } },
    want: { ...META, __address__: 'a:1', instance: 'a:1', __param_module: 'x' },
  },
  {
    name: 'relabeling can drop the target',
    discovered: { __address__: 'a:1' },
    config: { relabel_configs: [{ source_labels: ['__address__'], regex: 'a:.*', action: 'drop' }] },
    want: 'dropped',
  },
  {
    name: 'relabeling can remove the address',
    discovered: { __address__: 'a:1' },
    config: { relabel_configs: [{ regex: '__address__', action: 'labeldrop' }] },
    want: { error: 'no address' },
  },
  {
    name: 'an address with a path is rejected',
    discovered: { __address__: 'a:1/metrics' },
    want: { error: '"a:1/metrics" is not a valid hostname' },
  },
  {
    name: 'a bad interval label is rejected',
    discovered: { __address__: 'a:1', __scrape_interval__: '2notseconds' },
    want: { error: 'error parsing scrape interval: not a valid duration string: "2notseconds"' },
  },
  {
    name: 'a zero interval is rejected',
    discovered: { __address__: 'a:1', __scrape_interval__: '0s' },
    want: { error: 'scrape interval cannot be 0' },
  },
  {
    name: 'a zero timeout is rejected',
    discovered: { __address__: 'a:1', __scrape_timeout__: '0s' },
    want: { error: 'scrape timeout cannot be 0' },
  },
  {
    name: 'a timeout over the interval is rejected',
    discovered: { __address__: 'a:1', __scrape_interval__: '1s', __scrape_timeout__: '2s' },
    want: { error: 'scrape timeout cannot be greater than scrape interval ("2s" > "1s")' },
  },
];

describe('populateLabels', () => {
  it.each(POPULATE_CASES)('$name', ({ discovered, config, want }) => {
    const result = populateLabels(Labels.from(discovered), scrapeConfig(config));
    if (want === 'dropped') {
      expect(result.kind).toBe('dropped');
    } else if ('error' in want) {
      expect(result).toMatchObject({ kind: 'invalid', error: want.error });
    } else {
      expect(result.kind).toBe('active');
      if (result.kind === 'active') expect(result.labels.toRecord()).toEqual(Labels.from(want).toRecord());
    }
    // The discovered labels are what relabeling saw: discovery's plus the defaults.
    expect(result.discoveredLabels.get('job')).toBe(discovered.job ?? 'job');
  });
});

describe('Target', () => {
  const target = (address: string, extra: Record<string, string> = {}): Target => {
    const result = populateLabels(Labels.from({ __address__: address, ...extra }), scrapeConfig());
    if (result.kind !== 'active') throw new Error(result.kind);
    return new Target(result.labels, result.discoveredLabels, {});
  };

  it('exposes the labels without the __ ones', () => {
    expect(target('a:1', { env: 'prod' }).publicLabels.toRecord()).toEqual({
      env: 'prod',
      instance: 'a:1',
      job: 'job',
    });
  });

  it('spreads targets over the interval with an offset pinned to absolute time', () => {
    const interval = 15_000;
    const offsets = ['a:1', 'b:1', 'c:1', 'd:1'].map((a) => target(a).offsetMs(interval, 0));
    for (const o of offsets) {
      expect(o).toBeGreaterThan(0);
      expect(o).toBeLessThanOrEqual(interval);
    }
    expect(new Set(offsets).size).toBeGreaterThan(1);
    // Asked later, the same target lands on the same phase of the interval.
    const t = target('a:1');
    const first = t.offsetMs(interval, 0);
    for (const now of [1, 4_321, 15_000, 1_704_067_200_123]) {
      expect((now + t.offsetMs(interval, now)) % interval).toBe(first % interval);
    }
  });

  it('is the same target for the same labels and URL', () => {
    expect(target('a:1').key).toBe(target('a:1').key);
    expect(target('a:1').key).not.toBe(target('a:1', { env: 'x' }).key);
  });
});

describe('targetUrl', () => {
  interface UrlCase {
    labels: Record<string, string>;
    params?: Record<string, string[]>;
    want: string;
  }
  const base = { __scheme__: 'http', __address__: 'h:1', __metrics_path__: '/metrics' };
  const URL_CASES: UrlCase[] = [
    { labels: base, want: 'http://h:1/metrics' },
    { labels: { ...base, __metrics_path__: 'no-slash' }, want: 'http://h:1/no-slash' },
    { labels: { ...base, __metrics_path__: '/a b/%?' }, want: 'http://h:1/a%20b/%25%3F' },
    { labels: base, params: { b: ['2'], a: ['1', '3'] }, want: 'http://h:1/metrics?a=1&a=3&b=2' },
    { labels: { ...base, __param_a: 'x' }, params: { a: ['1', '3'] }, want: 'http://h:1/metrics?a=x&a=3' },
    { labels: { ...base, __param_q: 'a b&c=d/é' }, want: 'http://h:1/metrics?q=a+b%26c%3Dd%2F%C3%A9' },
  ];
  it.each(URL_CASES)('$want', ({ labels, params, want }) => {
    expect(targetUrl(Labels.from(labels), params ?? {})).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import { autoStep, formatDuration, parseDuration } from './time-range';
import { addToHistory, loadHistory, saveHistory } from './history';
import type { QueryResult } from '../../api';
import { chartSeries, labelColumns, seriesName, sortRows, tableRows } from './result';

describe('durations', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('250ms')).toBe(0.25);
    expect(parseDuration(' 2w ')).toBe(1_209_600);
  });
  it('refuses what is not one', () => {
    for (const s of ['', '1', 'h', '1x', '-1h', '0s', '30m1h']) expect(parseDuration(s)).toBeUndefined();
  });
  it('formats and round-trips', () => {
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(86_400 * 8)).toBe('1w1d');
    expect(formatDuration(0.25)).toBe('250ms');
    expect(formatDuration(0)).toBe('0s');
    for (const s of ['5m', '1h', '12h', '1d', '7d', '90s'])
      expect(formatDuration(parseDuration(s)!)).toBe(s === '90s' ? '1m30s' : s === '7d' ? '1w' : s);
  });
  it('picks a round step for about 250 points', () => {
    expect(autoStep(300)).toBe(2);
    expect(autoStep(3600)).toBe(15);
    expect(autoStep(86_400)).toBe(600);
    expect(autoStep(7 * 86_400)).toBe(3600);
    expect(autoStep(60)).toBe(1);
    expect(autoStep(1000 * 86_400)).toBe(4 * 86_400);
  });
});

describe('history', () => {
  it('puts the newest first without duplicates, up to the limit', () => {
    expect(addToHistory(['a', 'b', 'c'], 'b')).toEqual(['b', 'a', 'c']);
    expect(addToHistory(['a'], '  ')).toEqual(['a']);
    expect(addToHistory(['a', 'b', 'c'], 'd', 3)).toEqual(['d', 'a', 'b']);
  });
  it('survives bad storage contents', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    expect(loadHistory(storage)).toEqual([]);
    saveHistory(['up', 'sum(up)'], storage);
    expect(loadHistory(storage)).toEqual(['up', 'sum(up)']);
    store.set('wk.explore.history', '{not json');
    expect(loadHistory(storage)).toEqual([]);
    store.set('wk.explore.history', '[1, "up"]');
    expect(loadHistory(storage)).toEqual(['up']);
  });
});

describe('results', () => {
  const vector: QueryResult = {
    resultType: 'vector',
    result: [
      { metric: { __name__: 'up', job: 'b', instance: 'x:1' }, value: [100, '1'] },
      { metric: { __name__: 'up', job: 'a', instance: 'x:2' }, value: [100, 'NaN'] },
      { metric: { __name__: 'up', job: 'c' }, value: [100, '0'] },
    ],
  };
  it('names series as Prometheus prints them', () => {
    expect(seriesName({ __name__: 'up', job: 'a', instance: 'h:1' })).toBe('up{instance="h:1", job="a"}');
    expect(seriesName({})).toBe('{}');
    expect(seriesName({ job: 'a"b' })).toBe('{job="a\\"b"}');
  });
  it('sorts rows by value with NaN last, by label, by series', () => {
    const rows = tableRows(vector);
    expect(sortRows(rows, { by: 'value' }, 'asc').map((r) => r.text)).toEqual(['0', '1', 'NaN']);
    expect(sortRows(rows, { by: 'value' }, 'desc').map((r) => r.text)).toEqual(['1', '0', 'NaN']);
    expect(sortRows(rows, { by: 'label', name: 'job' }, 'asc').map((r) => r.labels.job)).toEqual(['a', 'b', 'c']);
    // By the printed series: instance sorts before job.
    expect(sortRows(rows, { by: 'series' }, 'desc').map((r) => r.labels.job)).toEqual(['c', 'a', 'b']);
    expect(labelColumns(rows)).toEqual(['instance', 'job']);
  });
  it('makes one row of a scalar and chart points of a matrix', () => {
    expect(tableRows({ resultType: 'scalar', result: [5, '+Inf'] })[0]).toMatchObject({
      text: '+Inf',
      value: Infinity,
    });
    expect(
      chartSeries({
        resultType: 'matrix',
        result: [
          {
            metric: { job: 'a' },
            values: [
              [1, '2'],
              [2, '3'],
            ],
          },
        ],
      }),
    ).toEqual([
      {
        name: '{job="a"}',
        labels: { job: 'a' },
        points: [
          [1, 2],
          [2, 3],
        ],
      },
    ]);
  });
});

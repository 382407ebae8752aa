import { describe, expect, it } from 'vitest';
import { Labels } from '../lib/labels.js';
import { Matcher } from '../lib/matcher.js';
import { PostingsIndex } from './postings.js';

const SERIES: Record<string, string>[] = [
  { __name__: 'up', job: 'parts-api', instance: 'a' },
  { __name__: 'up', job: 'sync', instance: 'b' },
  { __name__: 'http_requests_total', job: 'parts-api', status: '200' },
  { __name__: 'http_requests_total', job: 'parts-api', status: '500' },
  { __name__: 'http_requests_total', job: 'sync', status: '503' },
];

function build(): { idx: PostingsIndex; labels: Labels[] } {
  const idx = new PostingsIndex();
  const labels = SERIES.map((s) => Labels.from(s));
  labels.forEach((l, ref) => idx.add(ref, l));
  return { idx, labels };
}

function select(matchers: Matcher[]): number[] {
  const { idx, labels } = build();
  return idx.candidates(matchers).filter((ref) => matchers.every((m) => m.matches(labels[ref]!.get(m.name))));
}

describe('PostingsIndex', () => {
  const cases: [string, Matcher[], number[]][] = [
    ['equality', [new Matcher('=', '__name__', 'up')], [0, 1]],
    [
      'intersection',
      [new Matcher('=', '__name__', 'http_requests_total'), new Matcher('=', 'job', 'parts-api')],
      [2, 3],
    ],
    ['regex', [new Matcher('=~', 'status', '5..')], [3, 4]],
    ['negative regex', [new Matcher('=', '__name__', 'http_requests_total'), new Matcher('!~', 'status', '5..')], [2]],
    ['not equal', [new Matcher('!=', 'job', 'sync')], [0, 2, 3]],
    ['absent label via =""', [new Matcher('=', 'status', '')], [0, 1]],
    ['unknown value', [new Matcher('=', 'job', 'nope')], []],
    ['regex matching empty', [new Matcher('=~', 'status', '|200')], [0, 1, 2]],
  ];
  it.each(cases)('%s', (_name, matchers, expected) => expect(select(matchers)).toEqual(expected));

  it('removes series', () => {
    const { idx, labels } = build();
    idx.remove(new Set([0, 2]), (r) => labels[r]!);
    expect([...idx.candidates([new Matcher('=', 'job', 'parts-api')])]).toEqual([3]);
    expect(idx.labelValues('instance')).toEqual(['b']);
    expect(idx.size).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { csvCell, samplesToCsv, seriesToCsv } from './csv';

describe('CSV export', () => {
  it('quotes cells with commas, quotes, line breaks or edge spaces', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
    expect(csvCell('l1\nl2')).toBe('"l1\nl2"');
    expect(csvCell(' pad')).toBe('" pad"');
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(NaN)).toBe('NaN');
    expect(csvCell(-Infinity)).toBe('-Inf');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes range data wide: a row per timestamp, a column per series, blanks for gaps', () => {
    const csv = seriesToCsv([
      {
        name: 'a',
        points: [
          [0, 1],
          [15, 2],
        ],
      },
      { name: 'b, c', points: [[15, 3]] },
    ]);
    expect(csv).toBe('time,timestamp,a,"b, c"\r\n1970-01-01T00:00:00.000Z,0,1,\r\n1970-01-01T00:00:15.000Z,15,2,3\r\n');
  });

  it('writes instant data as a column per label and the value', () => {
    expect(
      samplesToCsv([
        { labels: { job: 'api' }, value: 1 },
        { labels: { job: 'db', instance: 'h:1' }, value: 0 },
      ]),
    ).toBe('job,instance,value\r\napi,,1\r\ndb,h:1,0\r\n');
  });
});

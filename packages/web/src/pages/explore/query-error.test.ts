import { describe, expect, it } from 'vitest';
import { errorRange, parseAnnotation, parseQueryError, positionToOffset } from './query-error';

describe('parseQueryError', () => {
  it('splits a parse error into its position and text', () => {
    expect(parseQueryError('1:5: parse error: unexpected identifier "foo"')).toEqual({
      position: { line: 1, col: 5 },
      detail: 'unexpected identifier "foo"',
      parse: true,
    });
  });
  it('reads later lines', () => {
    expect(parseQueryError('3:12: parse error: unexpected <EOF>').position).toEqual({ line: 3, col: 12 });
  });
  it('keeps errors without a position whole', () => {
    expect(parseQueryError('unknown position: parse error: no expression found in input')).toEqual({
      detail: 'no expression found in input',
      parse: true,
    });
    expect(parseQueryError('query timed out in expression evaluation')).toEqual({
      detail: 'query timed out in expression evaluation',
      parse: false,
    });
  });
  it('keeps multi-line details', () => {
    expect(parseQueryError('1:1: parse error: a\nb').detail).toBe('a\nb');
  });
});

describe('parseAnnotation', () => {
  it('reads the kind, the text and the position at the end', () => {
    expect(
      parseAnnotation('PromQL info: metric might not be a counter, name does not end in _total: "up" (1:6)', 'warning'),
    ).toEqual({
      kind: 'info',
      detail: 'metric might not be a counter, name does not end in _total: "up"',
      position: { line: 1, col: 6 },
    });
  });
  it('falls back to the list it came from', () => {
    expect(parseAnnotation('something odd', 'warning')).toEqual({ kind: 'warning', detail: 'something odd' });
  });
});

describe('positionToOffset', () => {
  it('maps 1-based line and column to a 0-based offset', () => {
    expect(positionToOffset('sum(up', { line: 1, col: 1 })).toBe(0);
    expect(positionToOffset('sum(up', { line: 1, col: 5 })).toBe(4);
    expect(positionToOffset('sum(\n  up +\n)', { line: 2, col: 3 })).toBe(7);
    expect(positionToOffset('sum(\n  up +\n)', { line: 3, col: 1 })).toBe(12);
  });
  it('clamps to the line and to the text', () => {
    expect(positionToOffset('ab\ncd', { line: 1, col: 40 })).toBe(2);
    expect(positionToOffset('ab\ncd', { line: 9, col: 1 })).toBe(5);
    expect(positionToOffset('ab', { line: 1, col: 0 })).toBe(0);
  });
  it('counts UTF-8 bytes when asked', () => {
    // "ø" is two bytes: byte column 8 is the character after `{a="ø"`'s closing quote.
    const q = '{a="ø"} + x';
    expect(positionToOffset(q, { line: 1, col: 8 }, 'byte')).toBe(q.indexOf('}'));
    expect(positionToOffset(q, { line: 1, col: 8 }, 'char')).toBe(q.indexOf(' '));
  });
});

describe('errorRange', () => {
  it('covers the word at the offset', () => {
    expect(errorRange('sum(foo bar)', 8)).toEqual({ from: 8, to: 11 });
  });
  it('covers one character of punctuation', () => {
    expect(errorRange('sum(up))', 7)).toEqual({ from: 7, to: 8 });
  });
  it('marks the last character at the end', () => {
    expect(errorRange('sum(up', 6)).toEqual({ from: 5, to: 6 });
    expect(errorRange('', 0)).toEqual({ from: 0, to: 0 });
  });
});

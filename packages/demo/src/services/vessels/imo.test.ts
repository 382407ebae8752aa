import { describe, expect, it } from 'vitest';
import { checkImo } from './imo.js';

interface ImoCase {
  input: string;
  valid: boolean;
}

// Real ships' numbers (public registers) and near misses of them.
const CASES: ImoCase[] = [
  { input: '9074729', valid: true },
  { input: 'IMO 9074729', valid: true },
  { input: 'imo9074729', valid: true },
  { input: '9176187', valid: true },
  { input: '9321483', valid: true },
  { input: '8814275', valid: true },
  { input: '9074728', valid: false },
  { input: '9074792', valid: false },
  { input: '907472', valid: false },
  { input: '90747290', valid: false },
  { input: 'IMO-9074729', valid: false },
  { input: '9O74729', valid: false },
  { input: '', valid: false },
];

describe('checkImo', () => {
  it.each(CASES)('$input → valid: $valid', ({ input, valid }) => {
    expect(checkImo(input).ok).toBe(valid);
  });

  it('returns the seven digits and explains a bad check digit', () => {
    expect(checkImo(' IMO 9074729 ')).toEqual({ ok: true, imo: '9074729' });
    const bad = checkImo('9074728');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('give 9, not 8');
  });
});

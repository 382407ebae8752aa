import { describe, expect, it } from 'vitest';
import { generateImo, imoCheckDigit, isValidImo, mistypeImo } from './imo.js';
import { Rng } from './rng.js';

describe('IMO numbers', () => {
  it.each([
    ['9074729', true], // the example of the IMO's own resolution: 9×7+0×6+7×5+4×4+7×3+2×2 = 139
    ['9074728', false],
    ['8814275', true],
    ['907472', false],
    ['90747290', false],
    ['IMO9074729', false],
  ] as const)('%s valid: %s', (imo, valid) => {
    expect(isValidImo(imo)).toBe(valid);
  });

  it('computes the check digit of the first six digits', () => {
    expect(imoCheckDigit('907472')).toBe(9);
    expect(() => imoCheckDigit('90747')).toThrow(RangeError);
  });

  it('generates valid, unique numbers and mistypes them into invalid ones', () => {
    const rng = Rng.derive(1, 'imo');
    const taken = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const imo = generateImo(rng, taken);
      expect(isValidImo(imo)).toBe(true);
      expect(isValidImo(mistypeImo(imo, rng))).toBe(false);
    }
    expect(taken.size).toBe(2_000);
  });
});

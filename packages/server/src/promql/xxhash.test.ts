import { describe, expect, it } from 'vitest';
import { xxhash64 } from './xxhash.js';

describe('xxhash64', () => {
  // Reference values from the XXH64 specification's test vectors (seed 0).
  const cases: [string, string][] = [
    ['', 'ef46db3751d8e999'],
    ['abc', '44bc2cf5ad770999'],
    ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
  ];
  it.each(cases)('hashes %j', (input, hex) => {
    expect(xxhash64(new TextEncoder().encode(input)).toString(16)).toBe(hex);
  });
});

import { describe, expect, it } from 'vitest';
import { evalSlotMs, ruleGroupHash, xxh64 } from './group-hash.js';

const enc = new TextEncoder();

describe('xxh64', () => {
  it.each([
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
    // 39 bytes: one 32-byte stripe, then 8-byte, 4-byte... tails.
    ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
  ])('%j', (input, hex) => {
    expect(xxh64(enc.encode(input)).toString(16)).toBe(hex);
  });
});

describe('evaluation slots', () => {
  // Recorded from a real Prometheus 2.42 (Debian) evaluating this file: the timestamps of the
  // recorded samples show each group's slots.
  it.each([
    ['slot-test', 10_000, 1_795_804_981_130],
    ['another group', 7_000, 1_795_804_989_490],
  ])('group %j every %d ms is on the slots Prometheus uses', (name, intervalMs, slotMs) => {
    const hash = ruleGroupHash('/tmp/promrun/rules.yml', name);
    expect(evalSlotMs(hash, intervalMs, 1_795_804_990_000)).toBe(slotMs);
    // Slots are in nanoseconds: the millisecond of a slot is truncated, the next one is after it.
    expect(evalSlotMs(hash, intervalMs, slotMs + 1)).toBe(slotMs);
    expect(evalSlotMs(hash, intervalMs, slotMs - 1)).toBe(slotMs - intervalMs);
  });
});

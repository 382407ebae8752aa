/**
 * IMO ship identification numbers: seven digits, the last a check digit — the sum of the first six
 * weighted 7, 6, 5, 4, 3, 2, modulo 10. The simulator generates valid ones for its vessels and, now
 * and then, mistypes one during onboarding (which the vessels service must reject with a 400).
 */
import type { Rng } from './rng.js';

/** The check digit of the first six digits of an IMO number. */
export function imoCheckDigit(firstSix: string): number {
  if (!/^\d{6}$/.test(firstSix)) throw new RangeError(`imoCheckDigit: expected six digits, got '${firstSix}'`);
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(firstSix[i]) * (7 - i);
  return sum % 10;
}

/** Whether `imo` is seven digits with a correct check digit. */
export function isValidImo(imo: string): boolean {
  return /^\d{7}$/.test(imo) && imoCheckDigit(imo.slice(0, 6)) === Number(imo[6]);
}

/** A valid IMO number not in `taken` (which it joins); real ones mostly start with 9. */
export function generateImo(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const firstSix = `${rng.weighted([
      ['9', 85],
      ['8', 12],
      ['7', 3],
    ])}${String(rng.int(0, 99_999)).padStart(5, '0')}`;
    const imo = `${firstSix}${imoCheckDigit(firstSix)}`;
    if (!taken.has(imo)) {
      taken.add(imo);
      return imo;
    }
  }
}

/** `imo` with a wrong check digit, as a person mistyping the last digit would produce. */
export function mistypeImo(imo: string, rng: Rng): string {
  const check = Number(imo[6]);
  return `${imo.slice(0, 6)}${(check + rng.int(1, 9)) % 10}`;
}

/**
 * IMO ship identification numbers: seven digits, the last a check digit. The first six digits are
 * weighted 7, 6, 5, 4, 3, 2 from the left; the sum's last digit is the check digit
 * (IMO Resolution A.1117(30)). 9074729: 9×7 + 0×6 + 7×5 + 4×4 + 7×3 + 2×2 = 139 → 9.
 */

export type ImoCheck = { ok: true; imo: string } | { ok: false; reason: string };

/** Validates an IMO number, given as `9074729` or `IMO 9074729`; returns its seven digits. */
export function checkImo(input: string): ImoCheck {
  const match = /^(?:IMO\s?)?(\d{7})$/i.exec(input.trim());
  if (match === null) return { ok: false, reason: 'An IMO number has seven digits, optionally prefixed "IMO".' };
  const digits = match[1]!;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i);
  const expected = sum % 10;
  if (expected !== Number(digits[6])) {
    return { ok: false, reason: `Check digit mismatch: the first six digits give ${expected}, not ${digits[6]}.` };
  }
  return { ok: true, imo: digits };
}

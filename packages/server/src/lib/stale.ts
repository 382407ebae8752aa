/**
 * Prometheus's staleness marker: a NaN with a specific payload (0x7ff0000000000002). Arithmetic in
 * JS may canonicalise NaN payloads, so staleness is tested on the stored bits (through a Uint32Array
 * view over the same buffer), never on a JS number that went through arithmetic.
 */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
u32[0] = STALE_NAN_LO;
u32[1] = STALE_NAN_HI;
/** The StaleNaN value. Store it into a Float64Array with `writeStaleNaN` to keep its payload. */
export const STALE_NAN: number = f64[0]!;

/** True when the number's bits are StaleNaN (works for numbers read straight from typed arrays). */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === STALE_NAN_LO && u32[1] === STALE_NAN_HI;
}

/** Writes StaleNaN's exact bits into `values[i]`. */
export function writeStaleNaN(values: Float64Array, i: number): void {
  const u = new Uint32Array(values.buffer, values.byteOffset + i * 8, 2);
  u[0] = STALE_NAN_LO;
  u[1] = STALE_NAN_HI;
}

/** True when `values[i]` holds StaleNaN's bits. */
export function isStaleAt(values: Float64Array, i: number): boolean {
  const v = values[i]!;
  if (v === v) return false;
  const u = new Uint32Array(values.buffer, values.byteOffset + i * 8, 2);
  return u[0] === STALE_NAN_LO && u[1] === STALE_NAN_HI;
}

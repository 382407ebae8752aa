/**
 * The hash Prometheus uses to spread rule groups over their interval: xxHash64 (seed 0) of the
 * label set `{file="<file>", name="<group>"}` as labels.Hash() serialises it
 * (`name 0xff value 0xff` per label, sorted by name). BigInt arithmetic: it runs once per group
 * load, never per sample.
 */
const M64 = (1n << 64n) - 1n;
const PRIME1 = 0x9e3779b185ebca87n;
const PRIME2 = 0xc2b2ae3d27d4eb4fn;
const PRIME3 = 0x165667b19e3779f9n;
const PRIME4 = 0x85ebca77c2b2ae63n;
const PRIME5 = 0x27d4eb2f165667c5n;

function rotateLeft(x: bigint, bits: bigint): bigint {
  return ((x << bits) | (x >> (64n - bits))) & M64;
}

function mix(acc: bigint, lane: bigint): bigint {
  const sum = (acc + ((lane * PRIME2) & M64)) & M64;
  return (rotateLeft(sum, 31n) * PRIME1) & M64;
}

function littleEndian(bytes: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** xxHash64 with seed 0, as an unsigned 64-bit BigInt. */
export function xxh64(bytes: Uint8Array): bigint {
  const n = bytes.length;
  let at = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (PRIME1 + PRIME2) & M64;
    let v2 = PRIME2;
    let v3 = 0n;
    let v4 = (M64 + 1n - PRIME1) & M64;
    while (at + 32 <= n) {
      v1 = mix(v1, littleEndian(bytes, at, 8));
      v2 = mix(v2, littleEndian(bytes, at + 8, 8));
      v3 = mix(v3, littleEndian(bytes, at + 16, 8));
      v4 = mix(v4, littleEndian(bytes, at + 24, 8));
      at += 32;
    }
    h = (rotateLeft(v1, 1n) + rotateLeft(v2, 7n) + rotateLeft(v3, 12n) + rotateLeft(v4, 18n)) & M64;
    for (const v of [v1, v2, v3, v4]) {
      h = ((((h ^ mix(0n, v)) * PRIME1) & M64) + PRIME4) & M64;
    }
  } else {
    h = PRIME5;
  }
  h = (h + BigInt(n)) & M64;
  while (at + 8 <= n) {
    h ^= mix(0n, littleEndian(bytes, at, 8));
    h = ((rotateLeft(h, 27n) * PRIME1) & M64) + PRIME4;
    h &= M64;
    at += 8;
  }
  if (at + 4 <= n) {
    h ^= (littleEndian(bytes, at, 4) * PRIME1) & M64;
    h = ((rotateLeft(h, 23n) * PRIME2) & M64) + PRIME3;
    h &= M64;
    at += 4;
  }
  while (at < n) {
    h ^= (BigInt(bytes[at]!) * PRIME5) & M64;
    h = (rotateLeft(h, 11n) * PRIME1) & M64;
    at++;
  }
  h ^= h >> 33n;
  h = (h * PRIME2) & M64;
  h ^= h >> 29n;
  h = (h * PRIME3) & M64;
  h ^= h >> 32n;
  return h;
}

/** Prometheus's Group.hash(): labels.Hash() of `{file, name}`. */
export function ruleGroupHash(file: string, name: string): bigint {
  const enc = new TextEncoder();
  const parts = [enc.encode('file'), enc.encode(file), enc.encode('name'), enc.encode(name)];
  const total = parts.reduce((n, p) => n + p.length + 1, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
    buf[at++] = 0xff;
  }
  return xxh64(buf);
}

/**
 * Prometheus's Group.EvalTimestamp: the latest slot at or before `nowMs` for a group whose slots
 * are `offset + k × interval` (offset = hash mod interval, in nanoseconds). Milliseconds out,
 * truncated as Prometheus's timestamp.FromTime truncates.
 */
export function evalSlotMs(hash: bigint, intervalMs: number, nowMs: number): number {
  const intervalNs = BigInt(Math.round(intervalMs)) * 1_000_000n;
  if (intervalNs <= 0n) return nowMs;
  const offsetNs = hash % intervalNs;
  const nowNs = BigInt(Math.trunc(nowMs)) * 1_000_000n;
  const adj = nowNs - offsetNs;
  let rem = adj % intervalNs;
  if (rem < 0n) rem += intervalNs;
  const slotNs = adj - rem + offsetNs;
  const ms = slotNs / 1_000_000n;
  // Go's integer division truncates towards zero; slots before 1970 round up.
  return Number(slotNs < 0n && slotNs % 1_000_000n !== 0n ? ms - 1n : ms);
}

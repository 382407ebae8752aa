/**
 * UTF-8 strings of protobuf fields. Label names and values repeat across series and requests, so
 * short ASCII strings go through a small direct-mapped cache: a hit costs one hash over the bytes
 * and one comparison, no allocation, and equal labels share one string in memory.
 */

/** 16,384 slots: a request of 10,000 series keeps most of its distinct short strings. */
const CACHE_BITS = 14;
const CACHE_SLOTS = 1 << CACHE_BITS;
/** Longer strings are rarely repeated (or are long label values): decoded directly. */
const MAX_CACHED_BYTES = 64;
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
// ignoreBOM: a label value that starts with U+FEFF keeps it.
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `buf[start, end)` as a string, or undefined when it is not valid UTF-8. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  const n = end - start;
  if (n === 0) return '';
  if (n <= MAX_CACHED_BYTES) {
    let h = n;
    let any = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      any |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (any < 0x80) {
      const slot = h >>> (32 - CACHE_BITS);
      const hit = cache[slot];
      if (hit !== undefined && hit.length === n) {
        let k = 0;
        while (k < n && hit.charCodeAt(k) === buf[start + k]) k++;
        if (k === n) return hit;
      }
      const s = String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
      cache[slot] = s;
      return s;
    }
  }
  try {
    return fatalDecoder.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}

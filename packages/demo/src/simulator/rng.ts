/**
 * The simulator's seeded pseudo-random numbers: sfc32 (a 128-bit-state "small fast counting"
 * generator) seeded through a 32-bit string hash. Every decision of the simulator draws from an
 * `Rng`, never from `Math.random`, so that a seed fixes the fleet and the plan of actions.
 *
 * Streams are derived by name (`Rng.derive(seed, 'vessel-day', imo, day)`) rather than drawn from
 * one long sequence: the plan of a technician's day then does not depend on how many numbers other
 * actors drew before it, nor on how the timeline was cut into planning windows.
 */

/** A deterministic source of random numbers in [0, 1) and the draws the simulator needs. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #counter: number;

  /** Seeds the generator from four 32-bit words (at least one non-zero). */
  constructor(a: number, b: number, c: number, d: number) {
    this.#a = a | 0;
    this.#b = b | 0;
    this.#c = c | 0;
    this.#counter = d | 0;
    // The first outputs of a fresh sfc32 state are poorly mixed; skip them.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /**
   * A generator for a named stream: `parts` are joined into a key and hashed with the seed.
   *
   * @example
   * const rng = Rng.derive(42, 'office-day', 'anna.berg@nordlys.example', 19_876);
   */
  static derive(seed: number, ...parts: readonly (string | number)[]): Rng {
    const key = `${seed}\u0000${parts.join('\u0000')}`;
    return new Rng(hash32(key, 0x9e3779b9), hash32(key, 0x85ebca6b), hash32(key, 0xc2b2ae35), hash32(key, 0x27d4eb2f));
  }

  /** The next raw 32-bit output (unsigned). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#counter) | 0;
    this.#counter = (this.#counter + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) + t;
    this.#c |= 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One value, chosen with probability proportional to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [value, weight] of entries) {
      x -= weight;
      if (x < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new RangeError('Rng.weighted: no entries');
    return last[0];
  }

  /** A Poisson-distributed count with the given mean (Knuth's method; means here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const limit = Math.exp(-Math.min(mean, 500));
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** `length` characters of [a-z0-9]. */
  id(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ID_CHARS[this.nextUint32() % ID_CHARS.length];
    return out;
  }
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** FNV-1a over UTF-16 code units with a given basis, finished with murmur3's avalanche step. */
function hash32(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

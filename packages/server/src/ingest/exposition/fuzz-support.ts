/**
 * Test support for the decoders' fuzz tests (exposition parsers and remote write): a seeded PRNG,
 * so that a failure is reproducible from the printed seed, and byte-level mutators.
 *
 * The tests take seed and budget from the environment: `FUZZ_SEED=123 FUZZ_MS=10000 npx vitest run <file>`.
 */

/** mulberry32: a small, fast 32-bit PRNG; good enough to drive mutations. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uint32. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** The seed of this run: `envSeed` (the test's `FUZZ_SEED`) when set, otherwise a fresh one (print it). */
export function fuzzSeed(envSeed: string | undefined): number {
  if (envSeed !== undefined && envSeed !== '') return Number(envSeed) >>> 0;
  return (Date.now() ^ (Math.random() * 0x100000000)) >>> 0;
}

/** Milliseconds each fuzz target runs: `envMs` (the test's `FUZZ_MS`) when set, else `defaultMs`. */
export function fuzzBudgetMs(envMs: string | undefined, defaultMs: number): number {
  return envMs !== undefined && envMs !== '' ? Number(envMs) : defaultMs;
}

/**
 * Calls `step(i)` until `budgetMs` has passed, and returns how many calls ran. Yields to the event
 * loop every 200 ms so that the test runner's worker stays responsive during long runs.
 */
export async function runFor(budgetMs: number, step: (i: number) => void): Promise<number> {
  const deadline = performance.now() + budgetMs;
  let i = 0;
  let nextYield = performance.now() + 200;
  for (;;) {
    const now = performance.now();
    if (now >= deadline) return i;
    if (now >= nextYield) {
      await new Promise((resolve) => setImmediate(resolve));
      nextYield = performance.now() + 200;
    }
    for (let k = 0; k < 16; k++) step(i++);
  }
}

/** A failed invariant in a fuzz test: thrown by hand, since `expect` is too slow per input. */
export function invariant(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`invariant violated: ${what}`);
}

const encoder = new TextEncoder();

/**
 * One to four random mutations of `input`: bit flips, byte overwrites, truncation, insertion of
 * random bytes or of a dictionary token, deletion and duplication of ranges.
 */
export function mutate(rng: Prng, input: Uint8Array, dictionary: readonly (string | Uint8Array)[]): Uint8Array {
  let b = input;
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const n = b.length;
    const at = rng.int(n + 1);
    switch (rng.int(8)) {
      case 0: {
        if (n === 0) break;
        b = b.slice();
        const i = rng.int(n);
        b[i] = b[i]! ^ (1 << rng.int(8));
        break;
      }
      case 1: {
        if (n === 0) break;
        b = b.slice();
        b[rng.int(n)] = rng.next() & 0xff;
        break;
      }
      case 2:
        b = b.slice(0, at);
        break;
      case 3:
        b = splice(b, at, 0, rng.bytes(1 + rng.int(16)));
        break;
      case 4: {
        if (dictionary.length === 0) break;
        const token = rng.pick(dictionary);
        b = splice(b, at, 0, typeof token === 'string' ? encoder.encode(token) : token);
        break;
      }
      case 5:
        b = splice(b, at, 1 + rng.int(32), new Uint8Array(0));
        break;
      case 6: {
        const from = rng.int(n + 1);
        const chunk = b.slice(from, from + 1 + rng.int(64));
        b = splice(b, at, 0, chunk);
        break;
      }
      default: {
        // Several bytes in one place: a plausible corrupted run.
        if (n === 0) break;
        b = b.slice();
        const len = 1 + rng.int(8);
        for (let i = at; i < Math.min(n, at + len); i++) b[i] = rng.next() & 0xff;
      }
    }
  }
  return b;
}

function splice(b: Uint8Array, at: number, deleteCount: number, insert: Uint8Array): Uint8Array {
  const start = Math.min(at, b.length);
  const end = Math.min(b.length, start + deleteCount);
  const out = new Uint8Array(b.length - (end - start) + insert.length);
  out.set(b.subarray(0, start), 0);
  out.set(insert, start);
  out.set(b.subarray(end), start + insert.length);
  return out;
}

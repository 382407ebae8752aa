/**
 * Least-squares regression over sliding windows for `deriv` and `predict_linear` with long ranges
 * (`predict_linear(x[7d], ...)` at a 1m step holds 40,000 samples per window at 15s scrapes).
 * Prometheus recomputes every window from scratch, O(samples × steps); here the sums are kept
 * as the window slides (Neumaier-compensated), O(samples + steps). The sums use a fixed origin per
 * series; covariance and variance do not depend on the origin, and the intercept is moved to the
 * evaluation time algebraically. Used only for finite values and long windows: short windows and
 * series with NaN/Inf go through the exact per-window code, as Prometheus computes them.
 */

/** Minimum window length (samples) for which the sliding sums are used. */
export const SLIDING_MIN_WINDOW = 64;

class CompensatedSum {
  sum = 0;
  c = 0;
  add(v: number): void {
    const t = this.sum + v;
    if (Math.abs(this.sum) >= Math.abs(v)) this.c += this.sum - t + v;
    else this.c += v - t + this.sum;
    this.sum = t;
  }
  get value(): number {
    return this.sum + this.c;
  }
}

export class SlidingRegression {
  private lo = 0;
  private hi = 0;
  private readonly sx = new CompensatedSum();
  private readonly sxx = new CompensatedSum();
  private readonly sy = new CompensatedSum();
  private readonly sxy = new CompensatedSum();
  /** Number of adjacent pairs inside the window whose values differ (0 means constant). */
  private changes = 0;

  constructor(
    private readonly ts: Float64Array,
    private readonly vals: Float64Array,
  ) {}

  /** True when every value is finite (the sliding sums can't carry Inf or NaN). */
  static applicable(vals: Float64Array): boolean {
    for (let i = 0; i < vals.length; i++) if (!Number.isFinite(vals[i]!)) return false;
    return true;
  }

  private x(i: number): number {
    return (this.ts[i]! - this.ts[0]!) / 1000;
  }

  private add(i: number, sign: 1 | -1): void {
    const x = this.x(i);
    const y = this.vals[i]!;
    this.sx.add(sign * x);
    this.sxx.add(sign * x * x);
    this.sy.add(sign * y);
    this.sxy.add(sign * x * y);
  }

  /** Moves the window to [lo, hi); both bounds only grow. */
  moveTo(lo: number, hi: number): void {
    while (this.hi < hi) {
      if (this.hi > this.lo && this.vals[this.hi]! !== this.vals[this.hi - 1]!) this.changes++;
      this.add(this.hi++, 1);
    }
    while (this.lo < lo) {
      if (this.lo + 1 < this.hi && this.vals[this.lo + 1]! !== this.vals[this.lo]!) this.changes--;
      this.add(this.lo++, -1);
    }
  }

  /** [slope, intercept at `interceptTimeMs`] of the current window (at least 2 samples). */
  fit(interceptTimeMs: number): [number, number] {
    const n = this.hi - this.lo;
    if (this.changes === 0) return [0, this.vals[this.lo]!];
    const sx = this.sx.value;
    const sy = this.sy.value;
    const covXY = this.sxy.value - (sx * sy) / n;
    const varX = this.sxx.value - (sx * sx) / n;
    const slope = covXY / varX;
    const d = (interceptTimeMs - this.ts[0]!) / 1000;
    return [slope, sy / n - slope * (sx / n - d)];
  }
}

/** Times and durations as the on-call engineer reads them: "12m", "in 4m", "3h 5m ago". */

/** A duration in milliseconds, at most two units: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (!Number.isFinite(abs)) return '∞';
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) {
    const rs = s % 60;
    return m < 10 && rs > 0 ? `${m}m ${rs}s` : `${m}m`;
  }
  const h = Math.floor(m / 60);
  if (h < 24) {
    const rm = m % 60;
    return rm > 0 ? `${h}h ${rm}m` : `${h}h`;
  }
  const d = Math.floor(h / 24);
  if (d >= 365) return `${Math.floor(d / 365)}y`;
  const rh = h % 24;
  return rh > 0 && d < 7 ? `${d}d ${rh}h` : `${d}d`;
}

/** `5m ago`, `in 5m` or `now`, from an ISO time to `nowMs`. */
export function relativeTime(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = t - nowMs;
  if (Math.abs(diff) < 1000) return 'now';
  return diff > 0 ? `in ${humanDuration(diff)}` : `${humanDuration(diff)} ago`;
}

/** A short local date and time for tooltips and lists: `27 Nov 14:05`. */
export function shortDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** Alertmanager's zero time (`0001-01-01T00:00:00Z`) and the far future mean "not set". */
export function isUnsetTime(iso: string | undefined): boolean {
  if (!iso) return true;
  const t = Date.parse(iso);
  return Number.isNaN(t) || t <= 0;
}

/** A sample value as Prometheus prints it (`4.0915e+00`) made readable: `4.092`, `1e-03` → `0.001`. */
export function readableValue(text: string): string {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) return text;
  if (v !== 0 && (Math.abs(v) >= 1e9 || Math.abs(v) < 1e-4)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * `5m ago` for something that has happened (started, acknowledged, notified): a time slightly in
 * the future, from the server's clock running ahead of the browser's, reads `just now`.
 */
export function agoTime(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  if (nowMs - t < 5000) return 'just now';
  return `${humanDuration(nowMs - t)} ago`;
}

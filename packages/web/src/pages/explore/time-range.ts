/** Durations in Prometheus's syntax, the explore page's ranges and its automatic step. */

const UNITS: [string, number][] = [
  ['y', 31_536_000],
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** A Prometheus duration (`1h30m`, `7d`, `90s`) in seconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  let sec = 0;
  for (let i = 0; i < UNITS.length; i++) if (m[i + 1]) sec += Number(m[i + 1]) * UNITS[i]![1];
  if (m[7]) sec += Number(m[7]) / 1000;
  return sec > 0 ? sec : undefined;
}

/** Seconds as a Prometheus duration: 5400 → `1h30m`, 0.25 → `250ms`. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec <= 0) return '0s';
  let rest = Math.round(sec * 1000);
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / (size * 1000));
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size * 1000;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

/** The ranges offered in the picker. */
export const RANGE_CHOICES = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '2d', '7d', '14d', '30d'];

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * The step for a range: about 250 points (as Prometheus's UI aims for), rounded up to a step
 * people recognise, so that consecutive queries land on the same grid.
 */
export function autoStep(rangeSec: number, points = 250): number {
  const raw = rangeSec / points;
  for (const s of NICE_STEPS) if (s >= raw) return s;
  return Math.ceil(raw / 86_400) * 86_400;
}

/**
 * The `end` URL parameter: empty or `now` for now, Unix seconds, or an RFC 3339 time; undefined
 * when unreadable. Milliseconds since the epoch.
 */
export function parseEndParam(text: string | null): number | undefined {
  const s = (text ?? '').trim();
  if (s === '' || s === 'now') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Milliseconds as the value of an `<input type="datetime-local">` (local time, minutes). */
export function toLocalInputValue(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The series palette (Grafana's classic one) and the threshold colour names of the schema. */
export const PALETTE = [
  '#1f78c1',
  '#e0752d',
  '#3aa655',
  '#d6417a',
  '#7a5ec4',
  '#c9a400',
  '#19a3b3',
  '#8f5a2b',
  '#e24d42',
  '#508642',
  '#447ebc',
  '#ba43a9',
  '#6d8a00',
  '#0a437c',
  '#f29191',
  '#65c5db',
  '#aea2e0',
  '#b7742f',
  '#2f575e',
  '#99440a',
];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

const NAMED: Record<string, string> = {
  ok: '#2e9e5b',
  green: '#2e9e5b',
  warning: '#d88b00',
  orange: '#d88b00',
  yellow: '#c9a400',
  critical: '#d33a3a',
  red: '#d33a3a',
  blue: '#1f78c1',
};

/** `ok` / `warning` / `critical` (or a CSS colour) → a CSS colour. */
export function thresholdColor(name: string): string {
  return NAMED[name] ?? name;
}

/** The colour of a value under thresholds: the last step whose `value` it reaches. */
export function colorForValue(
  v: number | null | undefined,
  thresholds: { value: number; color: string }[] | undefined,
  fallback = '#1f78c1',
): string {
  if (v === null || v === undefined || !Number.isFinite(v) || !thresholds?.length) return fallback;
  let c: string | undefined;
  for (const t of [...thresholds].sort((a, b) => a.value - b.value)) if (v >= t.value) c = t.color;
  return c ? thresholdColor(c) : fallback;
}

/** `#rrggbb` with an alpha → `rgba(...)`. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}

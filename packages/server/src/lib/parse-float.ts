/**
 * Go's strconv.ParseFloat(s, 64) for the inputs Prometheus meets (label values such as `le`):
 * decimal and exponent forms, `Inf`/`Infinity`/`NaN` in any case with an optional sign, hex floats.
 * Returns undefined where Go returns an error (JS's Number() is laxer: it trims and accepts "").
 */
const DECIMAL = /^[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/;

export function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, '');
  const neg = lower.startsWith('-');
  if (unsigned === 'inf' || unsigned === 'infinity') return neg ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  if (DECIMAL.test(s) && !s.includes('_')) return Number(s);
  if (HEX.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s)!;
    const intPart = m[2] ? parseInt(m[2], 16) : 0;
    const frac = m[3] ? parseInt(m[3], 16) / Math.pow(16, m[3].length) : 0;
    const v = (intPart + frac) * Math.pow(2, Number(m[4]));
    return m[1] === '-' ? -v : v;
  }
  return undefined;
}

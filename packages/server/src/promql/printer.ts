/**
 * Prints an `Expr` as PromQL text in Prometheus's single-line `String()` form
 * (`promql/parser/printer.go`), so that `parseExpr(formatExpr(e))` gives back `e` (positions aside).
 *
 * Deliberate differences from Prometheus, all for exact round-tripping: `sum by () (x)` keeps its
 * empty `by ()` and `a and ignoring() b` its empty `ignoring ()` (Prometheus drops both, which
 * changes nothing in evaluation but loses `groupingWritten` / `matching.written`), and duration
 * literals print from their exact millisecond value.
 */
import type {
  AggregateExpr,
  AtModifier,
  BinaryExpr,
  Duration,
  DurationExpr,
  Expr,
  MatrixSelector,
  NumberLiteral,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import type { Matcher } from '../lib/matcher.js';

export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return formatNumberLiteral(e);
    case 'StringLiteral':
      return goQuote(e.value);
    case 'VectorSelector':
      return formatVectorSelector(e);
    case 'MatrixSelector':
      return formatMatrixSelector(e);
    case 'SubqueryExpr':
      return formatSubquery(e);
    case 'Call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'AggregateExpr':
      return formatAggregate(e);
    case 'BinaryExpr':
      return formatBinary(e);
    case 'UnaryExpr':
      return e.op + formatExpr(e.expr);
    case 'ParenExpr':
      return `(${formatExpr(e.expr)})`;
  }
}

function formatNumberLiteral(e: NumberLiteral): string {
  if (e.durationText !== undefined) return e.durationText;
  return formatFloatF(e.value);
}

function formatAggregate(e: AggregateExpr): string {
  let s: string = e.op;
  if (e.without) s += ` without (${formatLabelList(e.grouping)}) `;
  else if (e.grouping.length > 0 || e.groupingWritten) s += ` by (${formatLabelList(e.grouping)}) `;
  s += '(';
  if (e.param !== undefined) s += formatExpr(e.param) + ', ';
  return s + formatExpr(e.expr) + ')';
}

function formatBinary(e: BinaryExpr): string {
  return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${formatMatching(e.matching)} ${formatExpr(e.rhs)}`;
}

function formatMatching(vm: VectorMatching | undefined): string {
  if (vm === undefined) return '';
  let s = '';
  const grouped = vm.card === 'many-to-one' || vm.card === 'one-to-many';
  if (vm.matchingLabels.length > 0 || vm.on || vm.written || grouped) {
    s += ` ${vm.on ? 'on' : 'ignoring'} (${formatLabelList(vm.matchingLabels)})`;
  }
  if (grouped) s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${formatLabelList(vm.include)})`;
  const { fillLeft: l, fillRight: r } = vm;
  if (l !== undefined && r !== undefined && Object.is(l, r)) s += ` fill (${formatFloatG(l)})`;
  else {
    if (l !== undefined) s += ` fill_left (${formatFloatG(l)})`;
    if (r !== undefined) s += ` fill_right (${formatFloatG(r)})`;
  }
  return s;
}

function formatVectorSelector(e: VectorSelector): string {
  let s = (e.name ?? '') + formatMatchers(e);
  s += formatAt(e.at);
  if (e.modifier !== undefined) s += ' ' + e.modifier;
  return s + formatOffset(e.offset);
}

function formatMatchers(e: VectorSelector): string {
  const parts: string[] = [];
  for (const m of e.matchers) {
    // The matcher implied by a name written before the braces is printed as that name.
    if (m.name === '__name__' && m.type === '=' && e.name !== undefined && m.value === e.name && m.value !== '')
      continue;
    parts.push(formatMatcher(m));
  }
  if (parts.length === 0) return '';
  parts.sort(compareStrings);
  return `{${parts.join(',')}}`;
}

/** Prometheus's `labels.Matcher.String()`. */
export function formatMatcher(m: Matcher): string {
  const name = m.name !== '' && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name) ? m.name : goQuote(m.name);
  return name + m.type + goQuote(m.value);
}

function formatMatrixSelector(e: MatrixSelector): string {
  const vs = e.vectorSelector;
  const inner = (vs.name ?? '') + formatMatchers(vs);
  const modifier = e.modifier !== undefined ? ' ' + e.modifier : '';
  return `${inner}[${formatDurationValue(e.range)}]${modifier}${formatAt(vs.at)}${formatOffset(vs.offset)}`;
}

function formatSubquery(e: SubqueryExpr): string {
  const step = e.step !== undefined ? formatDurationValue(e.step) : '';
  return `${formatExpr(e.expr)}[${formatDurationValue(e.range)}:${step}]${formatAt(e.at)}${formatOffset(e.offset)}`;
}

function formatAt(at: AtModifier | undefined): string {
  if (at === undefined) return '';
  if (at.preprocessor !== undefined) return ` @ ${at.preprocessor}()`;
  if (at.timestampMs !== undefined) return ` @ ${(at.timestampMs / 1000).toFixed(3)}`;
  return '';
}

function formatOffset(d: Duration | undefined): string {
  if (d === undefined) return '';
  if (d.expr !== undefined) return ' offset ' + formatDurationExpr(d.expr);
  if (d.ms > 0) return ' offset ' + formatDuration(d.ms);
  if (d.ms < 0) return ' offset -' + formatDuration(-d.ms);
  return '';
}

function formatDurationValue(d: Duration): string {
  return d.expr !== undefined ? formatDurationExpr(d.expr) : formatDuration(d.ms);
}

export function formatDurationExpr(d: DurationExpr): string {
  switch (d.kind) {
    case 'literal':
      return formatSignedDuration(d.ms);
    case 'number':
      return formatFloatF(d.value);
    case 'step':
      return 'step()';
    case 'range':
      return 'range()';
    case 'unary':
      return (d.op === '-' ? '-' : '') + formatDurationExpr(d.arg);
    case 'binary':
      return `${formatDurationExpr(d.lhs)} ${d.op} ${formatDurationExpr(d.rhs)}`;
    case 'call':
      return `${d.fn}_of(${formatDurationExpr(d.args[0])}, ${formatDurationExpr(d.args[1])})`;
    case 'paren':
      return `(${formatDurationExpr(d.arg)})`;
  }
}

function formatLabelList(labels: readonly string[]): string {
  return labels.map((l) => (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l) ? l : goQuote(l))).join(', ');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MS_UNITS: [string, number, boolean][] = [
  ['y', 365 * 24 * 3600_000, true],
  ['w', 7 * 24 * 3600_000, true],
  ['d', 24 * 3600_000, false],
  ['h', 3600_000, false],
  ['m', 60_000, false],
  ['s', 1000, false],
  ['ms', 1, false],
];

/**
 * Prometheus's `model.Duration.String()` for a non-negative millisecond count: `1h30m`, `90d`
 * (years and weeks only when exact), `0s` for zero. Sub-millisecond parts are dropped.
 */
export function formatDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest <= 0) return '0s';
  let out = '';
  for (const [unit, mult, exact] of MS_UNITS) {
    if (exact && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}

/** Like `formatDuration`, with a leading `-` for negative values. */
export function formatSignedDuration(ms: number): string {
  return ms < 0 ? '-' + formatDuration(-ms) : formatDuration(ms);
}

/** Decimal digits and exponent of the shortest round-tripping representation of |v| (finite, non-zero). */
function shortestDigits(v: number): { digits: string; exp: number } {
  // toExponential() without an argument yields the shortest round-tripping digits, like Go.
  const [mant = '', e = '0'] = Math.abs(v).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-tripping decimal, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(v);
  const pointAt = exp + 1; // digits before the decimal point
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return sign + digits + '0'.repeat(pointAt - digits.length);
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** Go's `%v` for a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): shortest digits, `1e+06` / `1e-05` style. */
export function formatFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { digits, exp } = shortestDigits(v);
  // Go switches to %e when the decimal exponent is < -4 or >= 6 (the precision used for shortest).
  if (exp < -4 || exp >= 6) {
    const sign = v < 0 ? '-' : '';
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return formatFloatF(v);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `strconv.Quote`: double quotes, Go escapes for non-printable runes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (r === 0x20 || (r >= 0x21 && r < 0x7f) || (r >= 0x80 && !(r >= 0xd800 && r < 0xe000) && PRINTABLE.test(ch))) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    // Lone surrogates U+DC80..U+DCFF stand for invalid UTF-8 bytes (see the parser's unquoting).
    if (r >= 0xdc80 && r <= 0xdcff) out += '\\x' + (r - 0xdc00).toString(16);
    else if (r < 0x20 || r === 0x7f) out += '\\x' + r.toString(16).padStart(2, '0');
    else if (r < 0x10000) out += '\\u' + r.toString(16).padStart(4, '0');
    else out += '\\U' + r.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/**
 * One hand-rolled scanner for both text formats: Prometheus text 0.0.4 and OpenMetrics 1.0. It
 * walks the body line by line with `indexOf('\n')` and `charCodeAt`, allocates only the strings it
 * keeps (names, label values, help texts) and one object per sample, and never throws: a bad line
 * becomes a `ParseIssue` and the scan goes on at the next line.
 *
 * Where the two formats differ (OpenMetrics is stricter):
 * - separators: 0.0.4 takes runs of spaces and tabs, also inside `{}`; OpenMetrics one space, none in `{}`;
 * - blank lines and `# free comments`: fine in 0.0.4, issues in OpenMetrics;
 * - label values and quoted names: both unescape `\\`, `\"`, `\n`; 0.0.4 keeps any other `\x` as
 *   written (as Prometheus does), OpenMetrics reports it as a bad escape;
 * - HELP: 0.0.4 unescapes `\\` and `\n` only; OpenMetrics also `\"` and rejects other escapes;
 * - timestamps: 0.0.4 integer ms; OpenMetrics float seconds (rounded to the nearest ms:
 *   Prometheus truncates `ts * 1000`, which turns 1.001 into 1000);
 * - OpenMetrics only: `# UNIT`, exemplars, `# EOF` (required, nothing after it), `_created`
 *   samples dropped, types gaugehistogram/info/stateset.
 */
import { Labels, METRIC_NAME } from '../../lib/labels.js';
import { describeBadFloat, isIntegerSyntax, scanFloat, scanInteger } from './number.js';
import type {
  ExpositionFormat,
  MetricMetadata,
  MetricType,
  ParsedExemplar,
  ParsedSample,
  ParseExpositionOptions,
  ParseIssue,
  ParseResult,
} from './types.js';
import { decodeBody, type BadLine } from './utf8.js';

const DEFAULT_MAX_LINE_CHARS = 65_536;
const DEFAULT_MAX_ISSUES = 100;
/** OpenMetrics: the label names and values of an exemplar together hold at most 128 code points. */
const MAX_EXEMPLAR_RUNES = 128;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;

/** Character classes of the ASCII range, one bit each; looked up instead of compared (hot loops). */
const LABEL_START = 1; // [a-zA-Z_]
const LABEL_CHAR = 2; // [a-zA-Z0-9_]
const METRIC_START = 4; // [a-zA-Z_:]
const METRIC_CHAR = 8; // [a-zA-Z0-9_:]
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  const colon = c === 0x3a;
  CHAR_CLASS[c] =
    (letter ? LABEL_START | METRIC_START : 0) |
    (letter || digit ? LABEL_CHAR | METRIC_CHAR : 0) |
    (colon ? METRIC_START | METRIC_CHAR : 0);
}
function isLabelStart(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & LABEL_START) !== 0;
}
function isLabelChar(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & LABEL_CHAR) !== 0;
}
function isMetricStart(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & METRIC_START) !== 0;
}
function isMetricChar(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & METRIC_CHAR) !== 0;
}

const TEXT_TYPES: ReadonlyMap<string, MetricType> = new Map([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'unknown'],
]);
const OPENMETRICS_TYPES: ReadonlyMap<string, MetricType> = new Map([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['gaugehistogram', 'gaugehistogram'],
  ['summary', 'summary'],
  ['info', 'info'],
  ['stateset', 'stateset'],
  ['unknown', 'unknown'],
]);
/** Families whose `<family>_created` sample is a created timestamp, not a series of its own. */
const CREATED_TYPES: ReadonlySet<MetricType> = new Set(['counter', 'histogram', 'summary', 'gaugehistogram']);

/** Label names, values and their positions of the label set being scanned; reused line after line. */
class LabelScratch {
  /** Pairs scanned so far; the arrays only grow, entries past `count` are stale. */
  count = 0;
  readonly names: string[] = [];
  readonly values: string[] = [];
  readonly positions: number[] = [];
  /** The metric name given inside the braces (`{"my.metric"}`), when there was one. */
  quotedName: string | undefined;
  quotedNamePos = 0;

  reset(): void {
    this.count = 0;
    this.quotedName = undefined;
  }

  add(name: string, value: string, pos: number): void {
    const k = this.count++;
    this.names[k] = name;
    this.values[k] = value;
    this.positions[k] = pos;
  }
}

/** What the scanning methods return after recording an issue: the line is then dropped (nothing is thrown). */
const FAIL = -1;

class ExpositionParser {
  private readonly src: string;
  private readonly om: boolean;
  private readonly maxLineChars: number;
  private readonly maxIssues: number;
  private readonly keepCreated: boolean;
  private readonly badLines: Map<number, BadLine> | undefined;

  readonly samples: ParsedSample[] = [];
  readonly issues: ParseIssue[] = [];
  private readonly metadata = new Map<string, MetricMetadata>();
  private unlistedIssues = 0;
  private firstUnlisted: { line: number; column: number } | undefined;

  private lineNo = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private sawEof = false;
  /** OpenMetrics: the family of the last TYPE line, to recognise its `_created` samples. */
  private familyName = '';
  private familyType: MetricType = 'unknown';

  private readonly labels = new LabelScratch();
  private readonly exemplarLabels = new LabelScratch();
  /** The result of the last `scanQuoted` or `scanMetadataName`. */
  private str = '';
  /** See `scanQuoted`. */
  private nextBackslash = -1;

  constructor(
    text: string,
    badLines: Map<number, BadLine> | undefined,
    format: ExpositionFormat,
    opts: ParseExpositionOptions,
  ) {
    this.src = text;
    this.badLines = badLines;
    this.om = format === 'openmetrics-1.0';
    this.maxLineChars = opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    this.maxIssues = opts.maxIssues ?? DEFAULT_MAX_ISSUES;
    this.keepCreated = opts.keepCreatedSeries ?? false;
  }

  run(): ParseResult {
    const src = this.src;
    const n = src.length;
    let pos = 0;
    while (pos < n) {
      let nl = src.indexOf('\n', pos);
      if (nl < 0) nl = n;
      this.lineNo++;
      this.lineStart = pos;
      this.lineEnd = nl;
      if (this.sawEof) {
        this.issueAt(pos, 'unexpected data after # EOF (OpenMetrics ends there)');
        break;
      }
      this.parseLine();
      pos = nl + 1;
    }
    if (this.om && !this.sawEof) this.issueAtEnd('missing # EOF: an OpenMetrics body must end with the line "# EOF"');
    if (this.unlistedIssues > 0 && this.firstUnlisted !== undefined) {
      this.issues.push({
        ...this.firstUnlisted,
        message: `${this.unlistedIssues} more issue(s) not listed (maxIssues ${this.maxIssues}), the first one here`,
      });
    }
    return { samples: this.samples, metadata: [...this.metadata.values()], issues: this.issues };
  }

  // ---- issues ---------------------------------------------------------------------------------

  private addIssue(line: number, column: number, message: string): void {
    if (this.issues.length < this.maxIssues) {
      this.issues.push({ line, column, message });
      return;
    }
    if (this.unlistedIssues++ === 0) this.firstUnlisted = { line, column };
  }

  /** Records an issue at `pos` of the current line; returns FAIL so that callers can `return this.fail(...)`. */
  private fail(pos: number, message: string): number {
    this.issueAt(pos, message);
    return FAIL;
  }

  private issueAt(pos: number, message: string): void {
    this.addIssue(this.lineNo, this.columnOf(pos), message);
  }

  private issueAtEnd(message: string): void {
    const src = this.src;
    if (src.length === 0) this.addIssue(1, 1, message);
    else if (src.charCodeAt(src.length - 1) === LF) this.addIssue(this.lineNo + 1, 1, message);
    else this.addIssue(this.lineNo, this.columnOf(src.length), message);
  }

  /** 1-based column of `pos` in the current line, in code points (a surrogate pair counts once). */
  private columnOf(pos: number): number {
    const src = this.src;
    const end = Math.min(pos, this.lineEnd);
    let col = 1;
    for (let i = this.lineStart; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff || i === this.lineStart) col++;
      else {
        const p = src.charCodeAt(i - 1);
        if (p < 0xd800 || p > 0xdbff) col++;
      }
    }
    return pos > this.lineEnd ? col + (pos - this.lineEnd) : col;
  }

  /** `'x'` for a message: the character at `pos`, or "end of line". */
  private describeAt(pos: number): string {
    if (pos >= this.lineEnd) return 'end of line';
    const cp = this.src.codePointAt(pos)!;
    if (cp < 0x20 || cp === 0x7f) return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return `'${String.fromCodePoint(cp)}'`;
  }

  // ---- lines ----------------------------------------------------------------------------------

  private parseLine(): void {
    const src = this.src;
    const start = this.lineStart;
    let end = this.lineEnd;
    if (this.badLines !== undefined) {
      const bad = this.badLines.get(this.lineNo);
      if (bad !== undefined) {
        this.addIssue(this.lineNo, bad.column, bad.message);
        return;
      }
    }
    if (end - start > this.maxLineChars) {
      this.addIssue(
        this.lineNo,
        this.maxLineChars + 1,
        `line too long: ${end - start} characters, the limit is ${this.maxLineChars}`,
      );
      return;
    }
    if (this.om) {
      if (start === end) {
        this.issueAt(start, 'empty line (OpenMetrics allows no blank lines)');
        return;
      }
      const c = src.charCodeAt(start);
      if (c === HASH) this.parseOpenMetricsComment(start, end);
      else this.parseSample(start, end);
      return;
    }
    // 0.0.4: a CRLF line ending is tolerated, and so is leading whitespace.
    if (end > start && src.charCodeAt(end - 1) === CR) end = --this.lineEnd;
    let i = start;
    while (i < end && isBlank(src.charCodeAt(i))) i++;
    if (i === end) return;
    if (src.charCodeAt(i) === HASH) this.parseTextComment(i, end);
    else this.parseSample(i, end);
  }

  /** 0.0.4: `# HELP name text`, `# TYPE name type`, or any other comment (ignored). */
  private parseTextComment(hashPos: number, end: number): void {
    const src = this.src;
    let i = hashPos + 1;
    if (i >= end || !isBlank(src.charCodeAt(i))) return;
    while (i < end && isBlank(src.charCodeAt(i))) i++;
    let kind: 'HELP' | 'TYPE';
    if (src.startsWith('HELP', i)) kind = 'HELP';
    else if (src.startsWith('TYPE', i)) kind = 'TYPE';
    else return;
    i += 4;
    if (i >= end || !isBlank(src.charCodeAt(i))) return; // e.g. "# HELPER": a plain comment
    while (i < end && isBlank(src.charCodeAt(i))) i++;
    const namePos = i;
    i = this.scanMetadataName(i, end, kind);
    if (i === FAIL) return;
    const family = this.str;
    let textPos = i;
    if (i < end) {
      if (!isBlank(src.charCodeAt(i))) {
        this.fail(i, `invalid metric name in # ${kind}: unexpected ${this.describeAt(i)}`);
        return;
      }
      textPos = i + 1;
    }
    if (kind === 'HELP') {
      const help = this.unescapeHelp(textPos, end);
      if (help === undefined) return;
      this.metadataFor(family).help = help;
      return;
    }
    let typeEnd = end;
    while (typeEnd > textPos && isBlank(src.charCodeAt(typeEnd - 1))) typeEnd--;
    this.setType(family, namePos, textPos, typeEnd, TEXT_TYPES);
  }

  /** OpenMetrics: `# HELP`, `# TYPE`, `# UNIT` or `# EOF`; nothing else may start with `#`. */
  private parseOpenMetricsComment(start: number, end: number): void {
    const src = this.src;
    if (end - start === 5 && src.startsWith('# EOF', start)) {
      this.sawEof = true;
      return;
    }
    let kind: 'HELP' | 'TYPE' | 'UNIT' | undefined;
    if (src.startsWith('# HELP ', start)) kind = 'HELP';
    else if (src.startsWith('# TYPE ', start)) kind = 'TYPE';
    else if (src.startsWith('# UNIT ', start)) kind = 'UNIT';
    if (kind === undefined || start + 7 > end) {
      this.issueAt(start, 'invalid comment: OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF" lines');
      return;
    }
    const namePos = start + 7;
    let i = this.scanMetadataName(namePos, end, kind);
    if (i === FAIL) return;
    const family = this.str;
    let textPos = i;
    if (i < end) {
      if (src.charCodeAt(i) !== SPACE) {
        this.fail(i, `invalid metric name in # ${kind}: unexpected ${this.describeAt(i)}`);
        return;
      }
      textPos = ++i;
    }
    switch (kind) {
      case 'HELP': {
        const help = this.unescapeHelp(textPos, end);
        if (help !== undefined) this.metadataFor(family).help = help;
        return;
      }
      case 'TYPE': {
        const type = this.setType(family, namePos, textPos, end, OPENMETRICS_TYPES);
        if (type !== undefined) {
          this.familyName = family;
          this.familyType = type;
        }
        return;
      }
      case 'UNIT': {
        const unit = src.slice(textPos, end);
        for (let k = textPos; k < end; k++) {
          if (!isMetricChar(src.charCodeAt(k))) {
            this.fail(k, `invalid unit "${unit}": unexpected ${this.describeAt(k)}`);
            return;
          }
        }
        if (unit !== '' && !family.endsWith(`_${unit}`)) {
          this.fail(
            textPos,
            `unit "${unit}" is not a suffix of metric "${family}" (expected a name ending "_${unit}")`,
          );
          return;
        }
        this.metadataFor(family).unit = unit;
        return;
      }
    }
  }

  /** The metric name of a metadata line, unquoted or quoted, into `this.str`. */
  private scanMetadataName(i: number, end: number, kind: string): number {
    const src = this.src;
    if (i < end && src.charCodeAt(i) === QUOTE) {
      const next = this.scanQuoted(i, end, 'metric name');
      if (next === FAIL) return FAIL;
      if (this.str === '') return this.fail(i, `invalid metric name in # ${kind}: empty`);
      return next;
    }
    if (i >= end || !isMetricStart(src.charCodeAt(i))) {
      return this.fail(i, `expected a metric name after # ${kind}, found ${this.describeAt(i)}`);
    }
    const nameStart = i;
    while (i < end && isMetricChar(src.charCodeAt(i))) i++;
    this.str = src.slice(nameStart, i);
    return i;
  }

  private setType(
    family: string,
    namePos: number,
    textPos: number,
    end: number,
    types: ReadonlyMap<string, MetricType>,
  ): MetricType | undefined {
    const text = this.src.slice(textPos, end);
    const type = types.get(text);
    if (type === undefined) {
      const known = [...types.keys()].join(', ');
      this.fail(
        textPos < end ? textPos : namePos,
        `invalid metric type "${text}" for "${family}" (expected one of ${known})`,
      );
      return undefined;
    }
    this.metadataFor(family).type = type;
    return type;
  }

  private metadataFor(family: string): MetricMetadata {
    let m = this.metadata.get(family);
    if (m === undefined) {
      m = { family, type: 'unknown' };
      this.metadata.set(family, m);
    }
    return m;
  }

  // ---- samples --------------------------------------------------------------------------------

  /** `name{labels} value [timestamp] [# {exemplar labels} value [timestamp]]`. */
  private parseSample(start: number, end: number): void {
    const src = this.src;
    const om = this.om;
    const scratch = this.labels;
    scratch.reset();
    let i = start;
    let name: string | undefined;
    let c = src.charCodeAt(i);
    if (isMetricStart(c)) {
      while (i < end && isMetricChar(src.charCodeAt(i))) i++;
      name = src.slice(start, i);
      if (i < end) {
        c = src.charCodeAt(i);
        if (c !== BRACE_OPEN && c !== SPACE && (om || c !== TAB)) {
          let tokenEnd = i;
          while (tokenEnd < end && !isBlank(src.charCodeAt(tokenEnd)) && src.charCodeAt(tokenEnd) !== BRACE_OPEN)
            tokenEnd++;
          this.fail(
            i,
            `invalid metric name: unexpected ${this.describeAt(i)} after "${name}" (quote other names inside the braces: {"${src.slice(start, tokenEnd)}"})`,
          );
          return;
        }
      }
    } else if (c === QUOTE) {
      this.fail(i, 'invalid metric name: a quoted metric name goes inside the braces, as in {"my.metric"}');
      return;
    } else if (c !== BRACE_OPEN) {
      this.fail(
        i,
        `invalid metric name: a line must start with a metric name, '{' or '#', found ${this.describeAt(i)}`,
      );
      return;
    }

    let afterBrace = false;
    // 0.0.4 allows whitespace between the name and '{', and needs some before the value unless '}' ends the labels.
    let separated = false;
    if (!om) {
      const blankFrom = i;
      while (i < end && isBlank(src.charCodeAt(i))) i++;
      separated = i > blankFrom;
    }
    if (i < end && src.charCodeAt(i) === BRACE_OPEN) {
      i = this.scanLabels(i + 1, end, scratch, false);
      if (i === FAIL) return;
      afterBrace = true;
      if (scratch.quotedName !== undefined) {
        if (name !== undefined) {
          this.fail(scratch.quotedNamePos, `metric name already set ("${name}")`);
          return;
        }
        name = scratch.quotedName;
      }
    }
    if (name === undefined) {
      this.fail(start, 'missing metric name (write name{...} or {"name", ...})');
      return;
    }

    // The value.
    if (om) {
      if (i >= end) {
        this.fail(i, 'missing value');
        return;
      }
      if (src.charCodeAt(i) !== SPACE) {
        this.fail(i, `expected a space before the value, found ${this.describeAt(i)}`);
        return;
      }
      i++;
      if (i >= end || src.charCodeAt(i) === SPACE) {
        this.fail(i, i >= end ? 'missing value' : 'expected a single space before the value');
        return;
      }
    } else {
      const blankFrom = i;
      while (i < end && isBlank(src.charCodeAt(i))) i++;
      if (i >= end) {
        this.fail(i, 'missing value');
        return;
      }
      if (i === blankFrom && !afterBrace && !separated) {
        this.fail(i, `expected whitespace before the value, found ${this.describeAt(i)}`);
        return;
      }
    }
    const valueStart = i;
    if (om) while (i < end && src.charCodeAt(i) !== SPACE) i++;
    else while (i < end && !isBlank(src.charCodeAt(i))) i++;
    const value = scanFloat(src, valueStart, i);
    if (value === undefined) {
      const why = describeBadFloat(src, valueStart, i);
      const token = src.slice(valueStart, i);
      this.fail(
        valueStart,
        why === 'out of range' ? `value out of range: "${token}"` : `value not a float: "${token}"`,
      );
      return;
    }

    let timestampMs: number | undefined;
    let exemplar: ParsedExemplar | undefined;
    if (om) {
      if (i < end) {
        // src[i] is the space that ended the value.
        if (++i >= end) {
          this.fail(i - 1, 'unexpected space at the end of the line');
          return;
        }
        if (src.charCodeAt(i) !== HASH) {
          const tsStart = i;
          while (i < end && src.charCodeAt(i) !== SPACE) i++;
          if (tsStart === i) {
            this.fail(i, 'expected a single space before the timestamp');
            return;
          }
          timestampMs = this.scanSecondsTimestamp(tsStart, i, 'timestamp');
          if (timestampMs === undefined) return;
          if (i < end && ++i >= end) {
            this.fail(i - 1, 'unexpected space at the end of the line');
            return;
          }
        }
        if (i < end) {
          const ex = this.scanExemplar(i, end);
          if (ex === null) return;
          exemplar = ex;
        }
      }
    } else {
      while (i < end && isBlank(src.charCodeAt(i))) i++;
      if (i < end) {
        const tsStart = i;
        while (i < end && !isBlank(src.charCodeAt(i))) i++;
        timestampMs = scanInteger(src, tsStart, i);
        if (timestampMs === undefined) {
          const token = src.slice(tsStart, i);
          if (token.startsWith('#')) this.fail(tsStart, 'exemplars need OpenMetrics: the text format 0.0.4 has none');
          else if (isIntegerSyntax(src, tsStart, i)) this.fail(tsStart, `timestamp out of range: "${token}"`);
          else this.fail(tsStart, `timestamp not an integer (milliseconds): "${token}"`);
          return;
        }
        while (i < end && isBlank(src.charCodeAt(i))) i++;
        if (i < end) {
          this.fail(i, `unexpected text after the timestamp: ${this.describeAt(i)}`);
          return;
        }
      }
    }

    if (
      om &&
      !this.keepCreated &&
      CREATED_TYPES.has(this.familyType) &&
      name.length === this.familyName.length + 8 &&
      name.endsWith('_created') &&
      name.startsWith(this.familyName)
    ) {
      return;
    }

    const labels = this.buildLabels(name, scratch, start);
    if (labels === undefined) return;
    const sample: ParsedSample = timestampMs === undefined ? { labels, value } : { labels, value, timestampMs };
    if (exemplar !== undefined) sample.exemplar = exemplar;
    this.samples.push(sample);
  }

  /**
   * OpenMetrics exemplar from `# {`: labels, a space, the value, optionally a space and a timestamp
   * in seconds. Returns null when the line is bad (issue recorded); an exemplar whose labels are too
   * long is dropped with an issue, and its sample kept.
   */
  private scanExemplar(i: number, end: number): ParsedExemplar | null | undefined {
    const src = this.src;
    if (!src.startsWith('# {', i) || i + 3 > end) {
      this.fail(i, `expected a timestamp or an exemplar ("# {...} value"), found ${this.describeAt(i)}`);
      return null;
    }
    const exStart = i;
    const scratch = this.exemplarLabels;
    scratch.reset();
    i = this.scanLabels(i + 3, end, scratch, true);
    if (i === FAIL) return null;
    if (i >= end || src.charCodeAt(i) !== SPACE || i + 1 >= end || src.charCodeAt(i + 1) === SPACE) {
      this.fail(i, i >= end ? 'missing exemplar value' : `expected a single space before the exemplar value`);
      return null;
    }
    i++;
    const valueStart = i;
    while (i < end && src.charCodeAt(i) !== SPACE) i++;
    const value = scanFloat(src, valueStart, i);
    if (value === undefined) {
      this.fail(valueStart, `exemplar value not a float: "${src.slice(valueStart, i)}"`);
      return null;
    }
    let timestampMs: number | undefined;
    if (i < end) {
      i++;
      const tsStart = i;
      while (i < end && src.charCodeAt(i) !== SPACE) i++;
      if (tsStart === i) {
        this.fail(tsStart, tsStart >= end ? 'unexpected space at the end of the line' : 'expected a single space');
        return null;
      }
      timestampMs = this.scanSecondsTimestamp(tsStart, i, 'exemplar timestamp');
      if (timestampMs === undefined) return null;
      if (i < end) {
        this.fail(i, `unexpected text after the exemplar: "${src.slice(i, end)}"`);
        return null;
      }
    }
    let runes = 0;
    for (let k = 0; k < scratch.count; k++) runes += codePoints(scratch.names[k]!) + codePoints(scratch.values[k]!);
    if (runes > MAX_EXEMPLAR_RUNES) {
      this.issueAt(
        exStart,
        `exemplar labels have ${runes} characters, more than ${MAX_EXEMPLAR_RUNES}: exemplar dropped`,
      );
      return undefined;
    }
    const labels = this.buildLabels(undefined, scratch, exStart);
    if (labels === undefined) return null;
    return timestampMs === undefined ? { labels, value } : { labels, value, timestampMs };
  }

  /** OpenMetrics timestamp: float seconds → integer ms (rounded). */
  private scanSecondsTimestamp(start: number, end: number, what: string): number | undefined {
    const s = scanFloat(this.src, start, end);
    const token = this.src.slice(start, end);
    if (s === undefined) {
      this.fail(start, `${what} not a number (seconds): "${token}"`);
      return undefined;
    }
    if (!Number.isFinite(s)) {
      this.fail(start, `${what} must be finite: "${token}"`);
      return undefined;
    }
    const ms = Math.round(s * 1000);
    if (!Number.isSafeInteger(ms)) {
      this.fail(start, `${what} out of range: "${token}"`);
      return undefined;
    }
    return ms === 0 ? 0 : ms; // no -0
  }

  /**
   * The inside of `{...}` from just after `{`; returns the index after `}`. A quoted string alone
   * (followed by `,` or `}`) is the metric name, except in exemplars.
   */
  private scanLabels(i: number, end: number, scratch: LabelScratch, exemplar: boolean): number {
    const src = this.src;
    const om = this.om;
    for (;;) {
      if (!om) while (i < end && isBlank(src.charCodeAt(i))) i++;
      if (i >= end) return this.fail(i, "unterminated label set: missing '}'");
      let c = src.charCodeAt(i);
      if (c === BRACE_CLOSE) return i + 1;
      const namePos = i;
      let quoted = false;
      let labelName: string;
      if (c === QUOTE) {
        i = this.scanQuoted(i, end, 'label name');
        if (i === FAIL) return FAIL;
        labelName = this.str;
        quoted = true;
      } else if (isLabelStart(c)) {
        while (i < end && isLabelChar(src.charCodeAt(i))) i++;
        labelName = src.slice(namePos, i);
      } else {
        return this.fail(
          i,
          `invalid label name: unexpected ${this.describeAt(i)} (quote other names, as in {"label.name"="value"})`,
        );
      }
      if (!om) while (i < end && isBlank(src.charCodeAt(i))) i++;
      c = i < end ? src.charCodeAt(i) : -1;
      if (quoted && (c === COMMA || c === BRACE_CLOSE)) {
        if (exemplar) return this.fail(namePos, 'exemplar labels have no metric name: expected a label name');
        if (scratch.quotedName !== undefined)
          return this.fail(namePos, `metric name already set ("${scratch.quotedName}")`);
        if (labelName === '') return this.fail(namePos, 'invalid metric name: empty');
        scratch.quotedName = labelName;
        scratch.quotedNamePos = namePos;
        if (c === COMMA) i++;
        continue;
      }
      if (labelName === '') return this.fail(namePos, 'invalid label name: empty');
      if (c !== EQUALS)
        return this.fail(i, `expected '=' after label name "${labelName}", found ${this.describeAt(i)}`);
      i++;
      if (!om) while (i < end && isBlank(src.charCodeAt(i))) i++;
      if (i >= end || src.charCodeAt(i) !== QUOTE) {
        return this.fail(i, `missing label value: expected '"' after ${labelName}=, found ${this.describeAt(i)}`);
      }
      i = this.scanQuoted(i, end, 'label value');
      if (i === FAIL) return FAIL;
      scratch.add(labelName, this.str, namePos);
      if (!om) {
        while (i < end && isBlank(src.charCodeAt(i))) i++;
        // Prometheus accepts a missing comma between pairs in 0.0.4; so do we.
        if (i < end && src.charCodeAt(i) === COMMA) i++;
        continue;
      }
      c = i < end ? src.charCodeAt(i) : -1;
      if (c === COMMA) i++;
      else if (c !== BRACE_CLOSE)
        return this.fail(i, `expected ',' or '}' after a label value, found ${this.describeAt(i)}`);
    }
  }

  /** A quoted string from its opening quote at `i`, unescaped into `this.str`; returns the index after the closing quote. */
  private scanQuoted(i: number, end: number, what: string): number {
    const src = this.src;
    const start = i + 1;
    // Native indexOf finds the closing quote; the string is taken as is when no backslash comes
    // before it. `nextBackslash` is the first backslash at or after the last place it was looked
    // for, so the body is searched for backslashes once in total, not once per value.
    if (this.nextBackslash < start) {
      const b = src.indexOf('\\', start);
      this.nextBackslash = b < 0 ? src.length : b;
    }
    const close = src.indexOf('"', start);
    if (close >= 0 && close < end) {
      if (this.nextBackslash > close) {
        this.str = src.slice(start, close);
        return close + 1;
      }
    }
    let j = start;
    while (j < end) {
      const c = src.charCodeAt(j);
      if (c === QUOTE) break;
      j += c === BACKSLASH ? 2 : 1;
    }
    if (j >= end) return this.fail(i, `unterminated quoted ${what}: missing closing '"'`);
    const s = this.unescape(start, j, what, true);
    if (s === undefined) return FAIL;
    this.str = s;
    return j + 1;
  }

  /**
   * Unescapes `src[start, end)`. `\\` and `\n` always; `\"` when `quote`. Other escapes: kept as
   * written in 0.0.4 (Prometheus's behaviour), an issue in OpenMetrics.
   */
  private unescape(start: number, end: number, what: string, quote: boolean): string | undefined {
    const src = this.src;
    let out = '';
    let from = start;
    for (let j = start; j < end; j++) {
      if (src.charCodeAt(j) !== BACKSLASH) continue;
      if (j + 1 >= end) {
        if (this.om) {
          this.fail(j, `bad escape in ${what}: '\\' at the end`);
          return undefined;
        }
        break;
      }
      const e = src.charCodeAt(j + 1);
      let rep: string | undefined;
      if (e === BACKSLASH) rep = '\\';
      else if (e === 0x6e) rep = '\n';
      else if (e === QUOTE && quote) rep = '"';
      if (rep === undefined) {
        if (this.om) {
          this.fail(
            j,
            `bad escape in ${what}: '\\${String.fromCodePoint(src.codePointAt(j + 1)!)}' (only \\\\, \\" and \\n)`,
          );
          return undefined;
        }
        j++;
        continue;
      }
      out += src.slice(from, j) + rep;
      from = j + 2;
      j++;
    }
    return out + src.slice(from, end);
  }

  private unescapeHelp(start: number, end: number): string | undefined {
    const src = this.src;
    let k = start;
    while (k < end && src.charCodeAt(k) !== BACKSLASH) k++;
    if (k === end) return src.slice(start, end);
    return this.unescape(start, end, 'HELP text', this.om);
  }

  /**
   * The sorted label set: `__name__` (when `name` is given) plus the scanned pairs. Duplicate names
   * are an issue (the line is dropped); empty values are dropped after that check, as Prometheus does.
   */
  private buildLabels(name: string | undefined, scratch: LabelScratch, linePos: number): Labels | undefined {
    const names = scratch.names;
    const values = scratch.values;
    const n = scratch.count;
    const flat: string[] = [];
    if (name !== undefined) flat.push(METRIC_NAME, name);
    let empty = false;
    for (let k = 0; k < n; k++) {
      const ln = names[k]!;
      const lv = values[k]!;
      if (lv === '') empty = true;
      // Insertion into the sorted flat list; exposition label sets are short and usually sorted.
      let at = flat.length;
      while (at > 0 && flat[at - 2]! > ln) at -= 2;
      if (at > 0 && flat[at - 2] === ln) {
        this.fail(scratch.positions[k] ?? linePos, `duplicate label name "${ln}"`);
        return undefined;
      }
      if (at === flat.length) flat.push(ln, lv);
      else flat.splice(at, 0, ln, lv);
    }
    if (empty) {
      const kept: string[] = [];
      for (let k = 0; k < flat.length; k += 2) if (flat[k + 1] !== '') kept.push(flat[k]!, flat[k + 1]!);
      return Labels.fromSortedFlat(kept);
    }
    return Labels.fromSortedFlat(flat);
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * Parses a scrape body in the given format. Never throws: every problem is an issue with a 1-based
 * line and column, the bad line is skipped and the rest is parsed.
 *
 * @example
 * const { samples, metadata, issues } = parseExposition(body, formatFromContentType(res.headers['content-type']));
 */
export function parseExposition(
  body: string | Uint8Array,
  format: ExpositionFormat,
  opts: ParseExpositionOptions = {},
): ParseResult {
  const { text, badLines } = decodeBody(body);
  return new ExpositionParser(text, badLines, format, opts).run();
}

/**
 * The parser for a scrape response's Content-Type, as Prometheus negotiates it:
 * `application/openmetrics-text` (any version) → OpenMetrics 1.0; anything else, or none → text 0.0.4.
 */
export function formatFromContentType(contentType: string | undefined): ExpositionFormat {
  if (contentType === undefined) return 'text-0.0.4';
  const semi = contentType.indexOf(';');
  const mediaType = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mediaType === 'application/openmetrics-text' ? 'openmetrics-1.0' : 'text-0.0.4';
}

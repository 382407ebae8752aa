/**
 * A strict YAML decoder that behaves as Go's gopkg.in/yaml.v2 `UnmarshalStrict` into Go structs,
 * so that an alertmanager.yml is accepted, defaulted and rejected exactly as Alertmanager 0.25
 * does, with the same messages.
 *
 * Why not zod: Alertmanager's errors depend on yaml.v2's order of work, which a schema validator
 * does not reproduce. Type errors (unknown field, `cannot unmarshal !!seq into string`) are
 * collected over the whole document and reported together (`yaml: unmarshal errors:` + one line
 * each); any other error (a bad duration, a validation in an `UnmarshalYAML`) stops decoding at
 * once, in document order; and a struct whose fields had type errors skips its own validation.
 * The codecs below are a small schema language with the same shape as the Go structs (field
 * names, Go type names for messages, defaults, validation hooks), and the TypeScript types of
 * the decoded values are derived from them.
 */
import { goQuote } from '../go-strings.js';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';

/** A YAML node as yaml.v2 sees it: scalars keep their text and resolved tag (`!!str`, `!!int`, ...). */
export type GoNode =
  | { kind: 'scalar'; line: number; value: string; tag: string; plain: boolean }
  | { kind: 'map'; line: number; pairs: (readonly [GoNode, GoNode])[] }
  | { kind: 'seq'; line: number; items: GoNode[] };

/** An error that stops decoding (Go: any error from an UnmarshalYAML that is not a yaml.TypeError). */
export class GoYamlFatal extends Error {
  constructor(
    message: string,
    /** Where in the document: `route.routes.0.match_re.env` (empty for the whole document). */
    readonly path: string,
  ) {
    super(message);
    this.name = 'GoYamlFatal';
  }
}

/** A type error: collected, decoding goes on (Go: yaml.TypeError). */
export interface GoTypeError {
  path: string;
  line: number;
  /** yaml.v2's text, `line 3: field foo not found in type config.plain`. */
  text: string;
}

export class DecodeContext {
  readonly typeErrors: GoTypeError[] = [];

  typeError(path: string, line: number, message: string): void {
    this.typeErrors.push({ path, line, text: `line ${line}: ${message}` });
  }

  /** yaml.v2's `cannot unmarshal !!map into string`. */
  cannotUnmarshal(node: GoNode, goType: string, path: string): void {
    const tag = node.kind === 'map' ? '!!map' : node.kind === 'seq' ? '!!seq' : node.tag;
    let shown = '';
    if (node.kind === 'scalar') {
      const bytes = Buffer.from(node.value, 'utf8');
      shown = bytes.length > 10 ? ` \`${bytes.subarray(0, 7).toString('utf8')}...\`` : ` \`${node.value}\``;
    }
    this.typeError(path, node.line, `cannot unmarshal ${tag}${shown} into ${goType}`);
  }
}

/** Decodes one Go type from a YAML node. */
export interface Codec<T> {
  /** The Go type named in `cannot unmarshal ... into <goType>` messages. */
  readonly goType: string;
  /** Go's zero value: for an explicit `null`, and for a struct field the document leaves out. */
  zero(): T;
  decode(node: GoNode, ctx: DecodeContext, path: string): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export function childPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export function isNull(node: GoNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.tag === '!!null');
}

function decodeOrZero<T>(codec: Codec<T>, node: GoNode, ctx: DecodeContext, path: string): T {
  return isNull(node) ? codec.zero() : codec.decode(node, ctx, path);
}

// ---------------------------------------------------------------------------------------------
// Scalars

/** Go `string`: any scalar, as written. */
export function str(): Codec<string> {
  return {
    goType: 'string',
    zero: () => '',
    decode: (node, ctx, path) => decodeString(node, ctx, path, 'string'),
  };
}

/** Alertmanager's and prometheus/common's `Secret`: a string, decoded through a `type plain` (so named in messages). */
export function secret(): Codec<string> {
  return {
    ...str(),
    goType: 'config.plain',
    decode: (node, ctx, path) => decodeString(node, ctx, path, 'config.plain'),
  };
}

function decodeString(node: GoNode, ctx: DecodeContext, path: string, goType: string): string {
  if (node.kind !== 'scalar') {
    ctx.cannotUnmarshal(node, goType, path);
    return '';
  }
  return node.value;
}

/** Go `bool`: YAML 1.1 booleans (`true`, `yes`, `on`, `y`, ...). */
export function bool(): Codec<boolean> {
  return {
    goType: 'bool',
    zero: () => false,
    decode(node, ctx, path) {
      if (node.kind === 'scalar' && node.tag === '!!bool') return BOOL_TRUE.has(node.value);
      ctx.cannotUnmarshal(node, 'bool', path);
      return false;
    },
  };
}

/** Go integers (`int`, `int64`, `uint64`); floats are truncated as yaml.v2 does. */
export function int(goType: 'int' | 'int64' | 'uint64' = 'int'): Codec<number> {
  return {
    goType,
    zero: () => 0,
    decode(node, ctx, path) {
      if (node.kind === 'scalar') {
        const n =
          node.tag === '!!int' ? parseGoInt(node.value) : node.tag === '!!float' ? parseGoFloat(node.value) : NaN;
        const v = Math.trunc(n);
        if (Number.isFinite(v) && !(goType === 'uint64' && (n < 0 || Object.is(n, -0) || v < 0))) return v;
      }
      ctx.cannotUnmarshal(node, goType, path);
      return 0;
    },
  };
}

/**
 * A Go type with an UnmarshalYAML that first unmarshals into a string and then parses it
 * (durations, URLs, regexps, host:port): the parser throws GoYamlFatal's message as an Error.
 */
export function parsedString<T>(parse: (s: string, path: string) => T, zero: () => T, goType = 'string'): Codec<T> {
  return {
    goType,
    zero,
    decode(node, ctx, path) {
      if (node.kind !== 'scalar') {
        ctx.cannotUnmarshal(node, goType, path);
        return zero();
      }
      try {
        return parse(node.value, path);
      } catch (err) {
        if (err instanceof GoYamlFatal) throw err;
        throw new GoYamlFatal((err as Error).message, path);
      }
    },
  };
}

/** A Go pointer: `undefined` when absent or null. */
export function optional<T>(codec: Codec<T>): Codec<T | undefined> {
  return { goType: codec.goType, zero: () => undefined, decode: (n, c, p) => codec.decode(n, c, p) };
}

// ---------------------------------------------------------------------------------------------
// Collections

/** Go slice `[]T`. */
export function list<T>(item: Codec<T>, goType: string): Codec<T[]> {
  return {
    goType,
    zero: () => [],
    decode(node, ctx, path) {
      if (node.kind !== 'seq') {
        ctx.cannotUnmarshal(node, goType, path);
        return [];
      }
      return node.items.map((n, i) => {
        const p = childPath(path, i);
        if (isNull(n) && item.zero() === undefined) throw new GoYamlFatal('null entry in a list of objects', p);
        return decodeOrZero(item, n, ctx, p);
      });
    },
  };
}

/**
 * The sources of a `<<` merge key's value (a map, or a list of maps merged last-first), as yaml.v2.
 * @throws GoYamlFatal for anything else
 */
function mergeSources(v: GoNode, path: string): GoNode[] {
  const sources = v.kind === 'seq' ? [...v.items].reverse() : [v];
  for (const src of sources) {
    if (src.kind !== 'map') throw new GoYamlFatal('map merge requires map or sequence of maps as the value', path);
  }
  return sources;
}

function isMergeKey(k: GoNode): boolean {
  return k.kind === 'scalar' && k.plain && k.value === '<<';
}

function keyString(k: GoNode): string {
  return k.kind === 'scalar' ? (k.tag === '!!null' ? '' : k.value) : '';
}

/** Go `map[string]V`; duplicate keys are errors in strict mode. Keys keep document order. */
export function map<V>(value: Codec<V>, goType = 'map[string]string'): Codec<Record<string, V>> {
  return {
    goType,
    zero: () => Object.create(null) as Record<string, V>,
    decode(node, ctx, path) {
      const out = Object.create(null) as Record<string, V>;
      if (node.kind !== 'map') {
        ctx.cannotUnmarshal(node, goType, path);
        return out;
      }
      const into = (m: GoNode): void => {
        if (m.kind !== 'map') return;
        for (const [k, v] of m.pairs) {
          if (isMergeKey(k)) {
            for (const src of mergeSources(v, path)) into(src);
            continue;
          }
          if (k.kind !== 'scalar') {
            ctx.cannotUnmarshal(k, 'string', path);
            continue;
          }
          const key = keyString(k);
          const decoded = decodeOrZero(value, v, ctx, childPath(path, key));
          // yaml.v2 checks duplicates after decoding the value, and names the value's line.
          if (Object.hasOwn(out, key)) ctx.typeError(path, v.line, `key ${goQuote(key)} already set in map`);
          else out[key] = decoded;
        }
      };
      into(node);
      return out;
    },
  };
}

type Fields = Record<string, Codec<unknown>>;

/** The decoded value of a struct codec: one property per YAML field. */
export type StructValue<F extends Fields> = { -readonly [K in keyof F]: Infer<F[K]> };

export interface StructOptions<F extends Fields> {
  /** Alertmanager's `Default...Config`, applied before the document's fields (Go: `*c = Default`). */
  defaults?: () => Partial<StructValue<F>>;
  /**
   * The checks of the Go type's UnmarshalYAML after its fields are decoded; throw GoYamlFatal
   * (through `fatal`). Skipped, as in Go, when a field had a type error.
   */
  validate?: (value: StructValue<F>, path: string) => void;
}

/**
 * A Go struct. `goType` is the type yaml.v2 names in messages: `config.plain` for Alertmanager
 * types with an UnmarshalYAML (they decode through a local `type plain`), the real type name
 * otherwise (`timeinterval.TimeInterval`).
 */
export function struct<F extends Fields>(
  goType: string,
  fields: F,
  options: StructOptions<F> = {},
): Codec<StructValue<F>> & { readonly fields: F } {
  const zero = (): StructValue<F> => {
    const out = {} as Record<string, unknown>;
    for (const [k, c] of Object.entries(fields)) out[k] = c.zero();
    return out as StructValue<F>;
  };
  return {
    goType,
    fields,
    zero,
    decode(node, ctx, path) {
      const out = zero() as Record<string, unknown>;
      if (options.defaults) Object.assign(out, options.defaults());
      if (node.kind !== 'map') {
        ctx.cannotUnmarshal(node, goType, path);
        return out as StructValue<F>;
      }
      const before = ctx.typeErrors.length;
      // Each mapping (the node and every map merged into it) checks its own duplicates, as yaml.v2.
      const into = (m: GoNode): void => {
        if (m.kind !== 'map') return;
        const seen = new Set<string>();
        for (const [k, v] of m.pairs) {
          if (isMergeKey(k)) {
            for (const src of mergeSources(v, path)) into(src);
            continue;
          }
          const key = keyString(k);
          const codec = Object.hasOwn(fields, key) ? fields[key] : undefined;
          if (!codec) {
            ctx.typeError(path, k.line, `field ${key} not found in type ${goType}`);
            continue;
          }
          if (seen.has(key)) {
            ctx.typeError(path, k.line, `field ${key} already set in type ${goType}`);
            continue;
          }
          seen.add(key);
          out[key] = decodeOrZero(codec, v, ctx, childPath(path, key));
        }
      };
      into(node);
      if (options.validate && ctx.typeErrors.length === before) options.validate(out as StructValue<F>, path);
      return out as StructValue<F>;
    },
  };
}

/** Throws the error that stops decoding, as an UnmarshalYAML returning an error. */
export function fatal(path: string, message: string): never {
  throw new GoYamlFatal(message, path);
}

// ---------------------------------------------------------------------------------------------
// From text to GoNode

/** A YAML syntax error; the message names line and column. */
export class GoYamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'GoYamlSyntaxError';
  }
}

const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const FLOAT_SPECIAL = new Set(
  ['.nan', '.NaN', '.NAN'].concat(['', '+', '-'].flatMap((sign) => ['.inf', '.Inf', '.INF'].map((v) => sign + v))),
);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]| +)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?: *(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

/** Go's strconv.ParseInt(s, 0, 64) after yaml.v2 removed underscores; NaN when it is not an integer. */
function parseGoInt(text: string): number {
  const s = text.replace(/_/g, '');
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return NaN;
  const body = m[2]!;
  const big =
    /^0[0-7]+$/.test(body) && body.length > 1
      ? BigInt(`0o${body.slice(1)}`)
      : BigInt(
          body
            .replace(/^0[oO]/, '0o')
            .replace(/^0X/, '0x')
            .replace(/^0B/, '0b'),
        );
  const v = m[1] === '-' ? -big : big;
  if (v < -(2n ** 63n) || v >= 2n ** 64n) return NaN;
  return Number(v);
}

function parseGoFloat(text: string): number {
  if (text.startsWith('-.')) return text.length > 2 && /inf/i.test(text) ? -Infinity : Number(text);
  if (/nan$/i.test(text)) return NaN;
  if (/inf$/i.test(text)) return Infinity;
  return Number(text.replace(/_/g, ''));
}

/** yaml.v2's resolve() for a plain scalar: its tag. */
export function resolvePlainTag(s: string): string {
  if (NULLS.has(s)) return '!!null';
  if (BOOL_TRUE.has(s) || BOOL_FALSE.has(s)) return '!!bool';
  if (FLOAT_SPECIAL.has(s)) return '!!float';
  const c = s[0]!;
  if (c === '.') return Number.isNaN(Number(s)) || !/^\.[0-9]/.test(s) ? '!!str' : '!!float';
  if (!/^[-+0-9]$/.test(c)) return '!!str';
  if (TIMESTAMP.test(s)) return '!!timestamp';
  const plain = s.replace(/_/g, '');
  if (!Number.isNaN(parseGoInt(plain))) return '!!int';
  if (YAML_STYLE_FLOAT.test(plain)) return '!!float';
  if (/^-?0b[01]+$/.test(plain)) return '!!int';
  return '!!str';
}

const TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * Parses the first YAML document of `text` into GoNodes (aliases resolved); undefined for an
 * empty document.
 * @throws GoYamlSyntaxError for malformed YAML.
 */
export function parseGoYaml(text: string): GoNode | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { schema: 'failsafe', lineCounter, uniqueKeys: false, prettyErrors: true });
  // yaml.v2 decodes the first document only.
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return undefined;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? 0;
    throw new GoYamlSyntaxError(
      `yaml: line ${line}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      line,
    );
  }
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 0 : lineCounter.linePos(offset).line);
  const memo = new Map<unknown, GoNode>();
  const convert = (node: unknown, fallbackLine: number, depth: number): GoNode => {
    if (depth > 1000) throw new GoYamlSyntaxError('yaml: exceeded max depth of 1000', fallbackLine);
    if (node === null || node === undefined) {
      return { kind: 'scalar', line: fallbackLine, value: '', tag: '!!null', plain: true };
    }
    const cached = memo.get(node);
    if (cached) return cached;
    let out: GoNode;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new GoYamlSyntaxError(`yaml: unknown anchor '${node.source}' referenced`, fallbackLine);
      out = convert(target, fallbackLine, depth + 1);
    } else if (isScalar(node)) {
      const line = lineOf(node.range?.[0]);
      const value = typeof node.value === 'string' ? node.value : '';
      const explicit = node.tag?.startsWith(TAG_PREFIX) ? `!!${node.tag.slice(TAG_PREFIX.length)}` : undefined;
      const plain = node.type === 'PLAIN';
      const tag = explicit ?? (plain ? resolvePlainTag(value) : '!!str');
      out = { kind: 'scalar', line, value, tag, plain: plain && explicit === undefined };
    } else if (isMap(node)) {
      const line = lineOf(node.range?.[0]);
      const pairs: (readonly [GoNode, GoNode])[] = [];
      out = { kind: 'map', line, pairs };
      memo.set(node, out);
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = convert(item.key, line, depth + 1);
        pairs.push([k, convert(item.value, k.line, depth + 1)]);
      }
    } else if (isSeq(node)) {
      const line = lineOf(node.range?.[0]);
      const items: GoNode[] = [];
      out = { kind: 'seq', line, items };
      memo.set(node, out);
      for (const item of node.items) items.push(convert(item, line, depth + 1));
    } else {
      throw new GoYamlSyntaxError(`yaml: line ${fallbackLine}: unsupported node`, fallbackLine);
    }
    memo.set(node, out);
    return out;
  };
  if (doc.contents === null) return undefined;
  const root = convert(doc.contents, 1, 0);
  return isNull(root) ? undefined : root;
}

/**
 * A Go type whose UnmarshalYAML decodes an inner type and then checks or converts it: `check`
 * runs only when the inner value had no type errors, and may throw through `fatal`.
 */
export function transformed<I, T>(
  inner: Codec<I>,
  check: (value: I, path: string) => T,
  zero: () => T,
  goType = inner.goType,
): Codec<T> {
  return {
    goType,
    zero,
    decode(node, ctx, path) {
      const before = ctx.typeErrors.length;
      const v = inner.decode(node, ctx, path);
      if (ctx.typeErrors.length !== before) return zero();
      try {
        return check(v, path);
      } catch (err) {
        if (err instanceof GoYamlFatal) throw err;
        throw new GoYamlFatal((err as Error).message, path);
      }
    },
  };
}

/** A codec defined later (recursive types such as the route tree). */
export function lazy<T>(get: () => Codec<T>, goType: string): Codec<T> {
  return {
    goType,
    zero: () => get().zero(),
    decode: (n, c, p) => get().decode(n, c, p),
  };
}

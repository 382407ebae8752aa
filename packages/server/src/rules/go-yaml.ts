/**
 * Strict YAML decoding into typed values the way Go's yaml packages decode into structs, so that
 * a bad rule file (yaml.v3, `rulefmt`) or unit test file (yaml.v2 `UnmarshalStrict`, promtool)
 * fails with the message Prometheus prints: type errors are collected over the whole document
 * and reported together (`yaml: unmarshal errors:\n  line 6: field foo not found in type
 * rulefmt.RuleNode`), while an error from a custom unmarshaler (a bad duration) stops at once.
 *
 * The YAML itself is read by the `yaml` package; a codec per Go type maps its nodes.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  type Scalar,
} from 'yaml';

/** Which Go package decodes: yaml.v3 (rule files) or yaml.v2 (promtool's test files). */
export type GoYamlFlavor = 'v2' | 'v3';

/** A decoding failure, with the exact text Go prints. */
export class GoYamlError extends Error {
  readonly code = 'WK_RULES_YAML';
}

/** yaml.v3's `yaml.Node` as rulefmt keeps it for positions: the scalar text and where it is (0:0 when absent). */
export interface YamlPos {
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

export const ABSENT_NODE: YamlPos = Object.freeze({ value: '', line: 0, column: 0 });

interface DecodeContext {
  readonly flavor: GoYamlFlavor;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly typeErrors: string[];
}

/** Stops decoding at once with an error that is not a type error (Go's `fail(err)`). */
class FatalDecodeError extends Error {}

/** Decodes one YAML node into a value of a Go type. */
export interface Codec<T> {
  /** The Go type name in messages (`int`, `[]rulefmt.RuleGroup`, `map[string]string`). */
  readonly goType: string;
  /** The zero value (absent or null). */
  zero(): T;
  decode(node: YamlNode, ctx: DecodeContext): T;
}

function resolve(node: YamlNode, ctx: DecodeContext): YamlNode {
  let n: unknown = node;
  for (let i = 0; i < 100 && isAlias(n); i++) n = n.resolve(ctx.doc);
  return (n ?? node) as YamlNode;
}

function lineOf(node: YamlNode, ctx: DecodeContext): number {
  return node.range ? ctx.lines.linePos(node.range[0]).line : 0;
}

function posOf(node: YamlNode, ctx: DecodeContext): { line: number; column: number } {
  if (!node.range) return { line: 0, column: 0 };
  const p = ctx.lines.linePos(node.range[0]);
  return { line: p.line, column: p.col };
}

const INT_RE = /^[-+]?(?:0|[1-9][0-9_]*|0[0-7_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$/;

/** The Go short tag of a node (`!!str`, `!!int`, `!!seq`, ...). */
function shortTag(node: YamlNode): string {
  if (node.tag !== undefined && node.tag.startsWith('tag:yaml.org,2002:')) {
    return `!!${node.tag.slice('tag:yaml.org,2002:'.length)}`;
  }
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  const s = node as Scalar;
  if (s.value === null || s.value === undefined) return '!!null';
  if (typeof s.value === 'boolean') return '!!bool';
  if (typeof s.value === 'number' || typeof s.value === 'bigint') {
    const src = scalarText(s);
    return INT_RE.test(src) ? '!!int' : '!!float';
  }
  return '!!str';
}

/** The scalar's text as written (Go's Node.Value): plain scalars keep their source spelling. */
function scalarText(s: Scalar): string {
  if (s.type === 'PLAIN' && typeof s.source === 'string') return s.source;
  const v: unknown = s.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

function typeError(node: YamlNode, ctx: DecodeContext, goType: string): void {
  const tag = shortTag(node);
  let value = '';
  if (tag !== '!!seq' && tag !== '!!map') {
    const text = isScalar(node) ? scalarText(node) : '';
    value = text.length > 10 ? ` \`${text.slice(0, 7)}...\`` : ` \`${text}\``;
  }
  ctx.typeErrors.push(`line ${lineOf(node, ctx)}: cannot unmarshal ${tag}${value} into ${goType}`);
}

function isNull(node: YamlNode): boolean {
  return isScalar(node) && (node.value === null || node.value === undefined) && shortTag(node) === '!!null';
}

export const goString: Codec<string> = {
  goType: 'string',
  zero: () => '',
  decode(node, ctx) {
    const n = resolve(node, ctx);
    if (isNull(n)) return '';
    if (!isScalar(n)) {
      typeError(n, ctx, 'string');
      return '';
    }
    return scalarText(n);
  },
};

function parseGoInt(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[-+]/, '');
  let v: number;
  if (/^0x/i.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0o/i.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0b/i.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else if (/^[0-9]+$/.test(body)) v = parseInt(body, 10);
  else return undefined;
  return Number.isFinite(v) ? sign * v : undefined;
}

export const goInt: Codec<number> = {
  goType: 'int',
  zero: () => 0,
  decode(node, ctx) {
    const n = resolve(node, ctx);
    if (isNull(n)) return 0;
    const tag = shortTag(n);
    if (isScalar(n) && tag === '!!int') {
      const v = parseGoInt(scalarText(n));
      if (v !== undefined) return v;
    }
    // yaml.v3 truncates a float into an int field; yaml.v2 does too when it is whole.
    if (isScalar(n) && tag === '!!float' && typeof n.value === 'number' && Number.isFinite(n.value)) {
      if (ctx.flavor === 'v3' || Number.isInteger(n.value)) return Math.trunc(n.value);
    }
    typeError(n, ctx, 'int');
    return 0;
  },
};

export const goFloat64: Codec<number> = {
  goType: 'float64',
  zero: () => 0,
  decode(node, ctx) {
    const n = resolve(node, ctx);
    if (isNull(n)) return 0;
    const tag = shortTag(n);
    if (isScalar(n) && (tag === '!!int' || tag === '!!float')) {
      if (typeof n.value === 'number') return n.value;
      if (typeof n.value === 'bigint') return Number(n.value);
    }
    typeError(n, ctx, 'float64');
    return 0;
  },
};

/**
 * prometheus/common's model.Duration in milliseconds: decoded as a string, then parsed; a bad
 * string stops decoding with `not a valid duration string: "5x"`.
 */
export function goDuration(parse: (s: string) => { ms: number } | { error: string }): Codec<number> {
  return {
    goType: 'model.Duration',
    zero: () => 0,
    decode(node, ctx) {
      const n = resolve(node, ctx);
      if (isNull(n)) return 0;
      if (!isScalar(n)) {
        typeError(n, ctx, 'string');
        return 0;
      }
      const r = parse(scalarText(n));
      if ('error' in r) throw new FatalDecodeError(r.error);
      return r.ms;
    },
  };
}

/** yaml.v3's `yaml.Node` kept as is: the scalar text (empty for collections) and its position. */
export const goNode: Codec<YamlPos> = {
  goType: 'yaml.Node',
  zero: () => ABSENT_NODE,
  decode(node, ctx) {
    const n = resolve(node, ctx);
    const pos = posOf(n, ctx);
    return { value: isScalar(n) ? scalarText(n) : '', ...pos };
  },
};

export function goSlice<T>(elem: Codec<T>): Codec<T[]> {
  const goType = `[]${elem.goType}`;
  return {
    goType,
    zero: () => [],
    decode(node, ctx) {
      const n = resolve(node, ctx);
      if (isNull(n)) return [];
      if (!isSeq(n)) {
        typeError(n, ctx, goType);
        return [];
      }
      return n.items.map((item) => elem.decode(item as YamlNode, ctx));
    },
  };
}

function duplicateKey(ctx: DecodeContext, key: string, line: number, firstLine: number, inStruct?: string): string {
  if (ctx.flavor === 'v3')
    return `line ${line}: mapping key ${goQuoteSimple(key)} already defined at line ${firstLine}`;
  return inStruct !== undefined
    ? `line ${line}: field ${key} already set in type ${inStruct}`
    : `line ${line}: key ${goQuoteSimple(key)} already set in map`;
}

function goQuoteSimple(s: string): string {
  return JSON.stringify(s);
}

/** `map[string]string` as an ordered list of pairs (file order). */
export const goStringMap: Codec<[string, string][]> = {
  goType: 'map[string]string',
  zero: () => [],
  decode(node, ctx) {
    const n = resolve(node, ctx);
    if (isNull(n)) return [];
    if (!isMap(n)) {
      typeError(n, ctx, 'map[string]string');
      return [];
    }
    const out: [string, string][] = [];
    const seen = new Map<string, number>();
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode;
      const key = goString.decode(keyNode, ctx);
      const line = lineOf(resolve(keyNode, ctx), ctx);
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.typeErrors.push(duplicateKey(ctx, key, line, first));
        continue;
      }
      seen.set(key, line);
      const valueNode = pair.value as YamlNode | null;
      out.push([key, valueNode === null ? '' : goString.decode(valueNode, ctx)]);
    }
    return out;
  },
};

/** One field of a Go struct: its YAML key and codec. */
export interface FieldSpec<T> {
  readonly key: string;
  readonly codec: Codec<T>;
}

type FieldValues<F extends Record<string, FieldSpec<unknown>>> = {
  [K in keyof F]: F[K] extends FieldSpec<infer T> ? T : never;
};

/**
 * A Go struct; decoded strictly (the default), unknown keys are type errors (`field x not found in type T`).
 * Keys given in the file are listed in `present`.
 */
export function goStruct<F extends Record<string, FieldSpec<unknown>>>(
  goType: string,
  fields: F,
  strict = true,
): Codec<FieldValues<F> & { readonly present: ReadonlySet<string> }> {
  type Out = FieldValues<F> & { readonly present: ReadonlySet<string> };
  const byKey = new Map<string, [string, FieldSpec<unknown>]>();
  for (const [name, spec] of Object.entries(fields)) byKey.set(spec.key, [name, spec]);
  const zero = (): Out => {
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(fields)) out[name] = spec.codec.zero();
    out['present'] = new Set<string>();
    return out as Out;
  };
  return {
    goType,
    zero,
    decode(node, ctx) {
      const n = resolve(node, ctx);
      const out = zero() as Record<string, unknown> & { present: Set<string> };
      if (isNull(n)) return out as Out;
      if (!isMap(n)) {
        typeError(n, ctx, goType);
        return out as Out;
      }
      const seen = new Map<string, number>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const keyNode = resolve(pair.key as YamlNode, ctx);
        const key = isScalar(keyNode) ? scalarText(keyNode) : '';
        const line = lineOf(keyNode, ctx);
        const field = byKey.get(key);
        if (!field) {
          if (strict) ctx.typeErrors.push(`line ${line}: field ${key} not found in type ${goType}`);
          continue;
        }
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.typeErrors.push(duplicateKey(ctx, key, line, first, goType));
          continue;
        }
        seen.set(key, line);
        const [name, spec] = field;
        out.present.add(name);
        const valueNode = pair.value as YamlNode | null;
        if (valueNode !== null) out[name] = spec.codec.decode(valueNode, ctx);
        else if (spec.codec === (goNode as Codec<unknown>)) out[name] = { value: '', ...posOf(keyNode, ctx) };
      }
      return out as Out;
    },
  };
}

/** The result of decoding one document: the value, or Go's error messages. */
export type DecodeResult<T> = { ok: true; value: T; empty: boolean } | { ok: false; error: string };

/**
 * Decodes the first YAML document of `text` with `codec`. `empty` is true when the document has
 * no content (Go's decoder returns io.EOF then, which Prometheus ignores).
 */
export function decodeGoYaml<T>(text: string, codec: Codec<T>, flavor: GoYamlFlavor): DecodeResult<T> {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    version: flavor === 'v2' ? '1.1' : '1.2',
    uniqueKeys: false,
    keepSourceTokens: true,
    merge: true,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? 1;
    return {
      ok: false,
      error: `yaml: line ${line}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    };
  }
  const ctx: DecodeContext = { flavor, doc, lines, typeErrors: [] };
  const contents = doc.contents as YamlNode | null;
  if (contents === null) return { ok: true, value: codec.zero(), empty: true };
  let value: T;
  try {
    value = codec.decode(contents, ctx);
  } catch (e) {
    if (e instanceof FatalDecodeError) return { ok: false, error: e.message };
    throw e;
  }
  if (ctx.typeErrors.length > 0) {
    return { ok: false, error: `yaml: unmarshal errors:\n  ${ctx.typeErrors.join('\n  ')}` };
  }
  return { ok: true, value, empty: false };
}

/**
 * Go's template builtins (text/template/funcs.go, Go 1.19): and, or, not, len, index, slice,
 * call, print, printf, println, html, js, urlquery, eq, ne, lt, le, gt, ge — with Go's rules
 * for comparing values of different kinds and Go's error texts.
 */
import { evalArgs } from './exec.js';
import { sprint, sprintf, sprintln } from './fmt.js';
import { isPrint, queryEscape, utf8Bytes, utf8Decode, utf8Length } from './strconv.js';
import {
  GoComplex,
  GoFuncValue,
  GoScalar,
  T_ANY,
  T_STRING,
  T_VALUE,
  canBeNil,
  goSlice,
  isTrue,
  kindOf,
  mapLookup,
  mapSize,
  typeNameOf,
  zeroOf,
  GO_TYPE,
  type CallContext,
  type GoFunc,
} from './value.js';

/** An error a function returns (Go's `return ..., err`): execution stops with "error calling f: msg". */
export class FuncError extends Error {}

function fail(message: string): never {
  throw new FuncError(message);
}

/** Go's indirectInterface. */
function ind(v: unknown): unknown {
  return v === null ? undefined : v;
}

type BasicKind = 'invalid' | 'bool' | 'int' | 'uint' | 'float' | 'string' | 'complex';

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (v instanceof GoScalar) return v.kind;
  if (v instanceof GoComplex) return 'complex';
  return 'invalid';
}

function scalar(v: unknown): boolean | bigint | number | string {
  return v instanceof GoScalar ? v.value : (v as boolean | bigint | number | string);
}

const ERR_BAD_COMPARISON_TYPE = 'invalid type for comparison';
const ERR_BAD_COMPARISON = 'incompatible types for comparison';
const ERR_NO_COMPARISON = 'missing argument for comparison';

function isNilValue(v: unknown): boolean {
  return v === undefined || v === null;
}

function eq(arg1: unknown, rest: readonly unknown[]): boolean {
  arg1 = ind(arg1);
  if (rest.length === 0) fail(ERR_NO_COMPARISON);
  const k1 = basicKind(arg1);
  for (let arg of rest) {
    arg = ind(arg);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') truth = (scalar(arg1) as bigint) >= 0n && scalar(arg1) === scalar(arg);
      else if (k1 === 'uint' && k2 === 'int') truth = (scalar(arg) as bigint) >= 0n && scalar(arg1) === scalar(arg);
      else if (arg1 !== undefined && arg !== undefined) fail(ERR_BAD_COMPARISON);
    } else if (k1 === 'complex') {
      const a = arg1 as GoComplex;
      const b = arg as GoComplex;
      truth = a.re === b.re && a.im === b.im;
    } else if (k1 !== 'invalid') {
      truth = scalar(arg1) === scalar(arg);
    } else {
      const kind1 = kindOf(arg1);
      const kind2 = kindOf(arg);
      if (kind1 !== kind2 && arg1 !== undefined && arg !== undefined) {
        fail(
          `non-comparable types ${sprintf('%s', [arg1])}: ${typeNameOf(arg1)}, ${typeNameOf(arg)}: ${sprint([arg])}`,
        );
      }
      if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg1) === isNilValue(arg);
      else {
        if (kind2 === 'map' || kind2 === 'slice' || kind2 === 'func') {
          fail(`non-comparable type ${sprintf('%s', [arg])}: ${typeNameOf(arg)}`);
        }
        truth = arg1 === arg;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = ind(arg1);
  arg2 = ind(arg2);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') fail(ERR_BAD_COMPARISON_TYPE);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') fail(ERR_BAD_COMPARISON_TYPE);
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint')
      return (scalar(arg1) as bigint) < 0n || (scalar(arg1) as bigint) < (scalar(arg2) as bigint);
    if (k1 === 'uint' && k2 === 'int')
      return (scalar(arg2) as bigint) >= 0n && (scalar(arg1) as bigint) < (scalar(arg2) as bigint);
    fail(ERR_BAD_COMPARISON);
  }
  if (k1 === 'bool' || k1 === 'complex') fail(ERR_BAD_COMPARISON_TYPE);
  const a = scalar(arg1);
  const b = scalar(arg2);
  if (k1 === 'string') return compareGoStrings(a as string, b as string) < 0;
  return a < b;
}

function compareGoStrings(a: string, b: string): number {
  // Go compares UTF-8 bytes; code point order is the same.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, [b]);
}

/** The type of what a value points to (Go's builtins indirect pointers before reporting types). */
function elemTypeName(v: unknown): string {
  const t = typeNameOf(v);
  return t.startsWith('*') ? t.slice(1) : t;
}

/** Go's indexArg: an index value as a number, checked against `cap`. */
function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  if (typeof index === 'bigint') x = index;
  else if (index instanceof GoScalar && (index.kind === 'int' || index.kind === 'uint')) x = index.value as bigint;
  else if (index === undefined) fail('cannot index slice/array with nil');
  else fail(`cannot index slice/array with type ${index === null ? 'interface {}' : typeNameOf(index)}`);
  if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, indexes: readonly unknown[]): unknown {
  item = ind(item);
  if (item === undefined) fail('index of untyped nil');
  for (let idx of indexes) {
    idx = ind(idx);
    if (item === null || item === undefined) fail('index of nil pointer');
    const kind = kindOf(item);
    if (kind === 'slice' || kind === 'string') {
      if (kind === 'string') {
        const bytes = utf8Bytes(scalar(item) as string);
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) fail('reflect: string index out of range');
        item = new GoScalar('uint8', 'uint', BigInt(bytes[x]!));
      } else {
        const arr = item as unknown[];
        const x = indexArg(idx, arr.length);
        if (x === arr.length) fail('reflect: slice index out of range');
        item = arr[x];
      }
    } else if (kind === 'map') {
      if (idx === undefined) fail('value is nil; should be of type string');
      if (typeof idx !== 'string') fail(`value has type ${typeNameOf(idx)}; should be string`);
      item = mapLookup(item, idx).value;
    } else {
      fail(`can't index item of type ${elemTypeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, indexes: readonly unknown[]): unknown {
  item = ind(item);
  if (item === undefined) fail('slice of untyped nil');
  if (indexes.length > 3) fail(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  let len: number;
  let bytes: Uint8Array | undefined;
  if (kind === 'string') {
    if (indexes.length === 3) fail('cannot 3-index slice a string');
    bytes = utf8Bytes(scalar(item) as string);
    len = bytes.length;
  } else if (kind === 'slice') len = (item as unknown[]).length;
  else fail(`can't slice item of type ${typeNameOf(item)}`);
  const idx = [0, len, len];
  indexes.forEach((x, i) => (idx[i] = indexArg(x, len)));
  if (idx[0]! > idx[1]!) fail(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) fail(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes !== undefined) {
    const s = utf8Decode(bytes.subarray(idx[0], idx[1]));
    return item instanceof GoScalar ? new GoScalar(item.goType, 'string', s) : s;
  }
  const arr = item as unknown[];
  const out = arr.slice(idx[0], idx[1]);
  const t = (arr as { [GO_TYPE]?: string })[GO_TYPE];
  return t === undefined ? out : goSlice(out, t);
}

function length(item: unknown): bigint {
  if (item === null) fail('len of nil pointer');
  if (item === undefined) fail('reflect: call of reflect.Value.Type on zero Value');
  const kind = kindOf(item);
  switch (kind) {
    case 'string':
      return BigInt(utf8Length(scalar(item) as string));
    case 'slice':
      return BigInt((item as unknown[]).length);
    case 'map':
      return BigInt(mapSize(item));
    default:
      fail(`len of type ${elemTypeName(item)}`);
  }
}

function call(fn: unknown, args: readonly unknown[], ctx: CallContext): unknown {
  fn = ind(fn);
  if (fn === undefined) fail('call of nil');
  if (typeof fn === 'function') return (fn as (...a: unknown[]) => unknown)(...args.map(ind));
  if (!(fn instanceof GoFuncValue)) fail(`non-function of type ${typeNameOf(fn)}`);
  const f = fn.fn;
  const numIn = f.params.length;
  if (f.variadic) {
    if (args.length < numIn) fail(`wrong number of args: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) fail(`wrong number of args: got ${args.length} want ${numIn}`);
  const argv = args.map((a, i) => {
    const t = i < numIn ? f.params[i]! : f.variadic!;
    a = ind(a);
    if (a === undefined) {
      if (!canBeNil(t)) fail(`arg ${i}: value is nil; should be of type ${t.name}`);
      return zeroOf(t);
    }
    if (t.kind !== 'interface' && typeNameOf(a) !== t.name) {
      fail(`arg ${i}: value has type ${typeNameOf(a)}; should be ${t.name}`);
    }
    return a;
  });
  return f.call(argv, ctx);
}

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

/** Go's template.JSEscapeString. */
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const e = JS_ESCAPES[ch];
    if (e !== undefined) out += e;
    else if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrint(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's template.HTMLEscapeString. */
function htmlEscapeString(s: string): string {
  return s.replace(/["&'<>]/g, (c) => HTML_TEXT_ESCAPES[c]!);
}
const HTML_TEXT_ESCAPES: Record<string, string> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

function fn(params: GoFunc['params'], variadic: GoFunc['variadic'], f: GoFunc['call']): GoFunc {
  return { params, variadic, call: f };
}

const V = [T_VALUE];

/** Go's builtin functions, by name. */
export const BUILTINS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  // and/or are evaluated lazily by the executor; these bodies only run through `call`.
  ['and', fn(V, T_VALUE, (a) => a.find((x) => !isTrue(ind(x)).truth) ?? a[a.length - 1])],
  ['or', fn(V, T_VALUE, (a) => a.find((x) => isTrue(ind(x)).truth) ?? a[a.length - 1])],
  ['call', fn(V, T_VALUE, (a, ctx) => call(a[0], a.slice(1), ctx))],
  ['html', fn([], T_ANY, (a) => htmlEscapeString(evalArgs(a)))],
  ['index', fn(V, T_VALUE, (a) => index(a[0], a.slice(1)))],
  ['slice', fn(V, T_VALUE, (a) => slice(a[0], a.slice(1)))],
  ['js', fn([], T_ANY, (a) => jsEscape(evalArgs(a)))],
  ['len', fn(V, undefined, (a) => length(a[0]))],
  ['not', fn(V, undefined, (a) => !isTrue(ind(a[0])).truth)],
  ['print', fn([], T_ANY, (a) => sprint(a))],
  ['printf', fn([T_STRING], T_ANY, (a) => sprintf(a[0] as string, a.slice(1)))],
  ['println', fn([], T_ANY, (a) => sprintln(a))],
  ['urlquery', fn([], T_ANY, (a) => queryEscape(evalArgs(a)))],
  ['eq', fn(V, T_VALUE, (a) => eq(a[0], a.slice(1)))],
  ['ge', fn([T_VALUE, T_VALUE], undefined, (a) => !lt(a[0], a[1]))],
  ['gt', fn([T_VALUE, T_VALUE], undefined, (a) => !le(a[0], a[1]))],
  ['le', fn([T_VALUE, T_VALUE], undefined, (a) => le(a[0], a[1]))],
  ['lt', fn([T_VALUE, T_VALUE], undefined, (a) => lt(a[0], a[1]))],
  ['ne', fn([T_VALUE, T_VALUE], undefined, (a) => !eq(a[0], [a[1]]))],
]);

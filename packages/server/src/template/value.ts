/**
 * The Go value model templates run on. JS values stand for Go values:
 *
 * | JS                                   | Go                                             |
 * | ------------------------------------ | ---------------------------------------------- |
 * | `undefined`                          | no value (an invalid reflect.Value)            |
 * | `null`                               | nil (a nil interface, pointer, ...)            |
 * | `boolean`, `string`                  | `bool`, `string`                               |
 * | `number`                             | `float64`                                      |
 * | `bigint`                             | `int` (64-bit)                                 |
 * | `GoScalar`                           | another named or sized scalar (`int64`, `template.HTML`, ...) |
 * | arrays                               | slices (`[]interface {}`, or the type `goSlice` gave them) |
 * | `GoMap`, plain objects               | maps with string keys (`map[string]string`, or `map[string]interface {}`) |
 * | other objects (class instances)      | structs (own properties are fields, `GO_METHODS` methods) |
 * | functions, `GoFunc`                  | func values (for `call`)                       |
 *
 * Go types matter in templates: `printf "%.2f" 1` fails on an int, `gt $value 1` compares a float
 * with an int and fails, `{{ 1e6 }}` prints `1e+06` but `{{ 1000000 }}` prints `1000000`.
 */

/** Property or static holding a value's Go type name, as Go prints it (`*template.sample`). */
export const GO_TYPE: unique symbol = Symbol('goType');
/** Static property of a class: its methods as templates call them (`.SortedPairs`). */
export const GO_METHODS: unique symbol = Symbol('goMethods');
/** Method implementing fmt.Stringer: how Go's fmt prints the value (`time.Time`, `time.Duration`). */
export const GO_STRING: unique symbol = Symbol('goString');

/** reflect.Kind, reduced to what templates distinguish. */
export type Kind =
  | 'invalid'
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'complex'
  | 'string'
  | 'slice'
  | 'map'
  | 'struct'
  | 'ptr'
  | 'func'
  | 'interface';

/** A Go type as a parameter of a function or method: what arguments it accepts. */
export interface GoType {
  /** As Go prints it: `string`, `[]string`, `*template.sample`, `interface {}`. */
  readonly name: string;
  readonly kind: Kind;
  /** Builds a value of this type from a constant of its kind (a named string or int type). */
  readonly fromConstant?: (v: string | bigint | number | boolean) => unknown;
}

export const T_ANY: GoType = { name: 'interface {}', kind: 'interface' };
/** The parameter type of Go's builtins (eq, len, index, ...): accepts anything, even no value. */
export const T_VALUE: GoType = { name: 'reflect.Value', kind: 'interface' };
export const T_STRING: GoType = { name: 'string', kind: 'string' };
export const T_FLOAT64: GoType = { name: 'float64', kind: 'float' };
export const T_INT: GoType = { name: 'int', kind: 'int' };
export const T_BOOL: GoType = { name: 'bool', kind: 'bool' };
export const T_STRING_SLICE: GoType = { name: '[]string', kind: 'slice' };

/** Builds a Go type for a parameter: a slice, map, struct or pointer type known by its name. */
export function goType(name: string, kind: Kind): GoType {
  return { name, kind };
}

/** A scalar of a named or sized Go type: `int64`, `uint8`, `template.HTML`, `time.Month`. */
export class GoScalar {
  constructor(
    readonly goType: string,
    readonly kind: 'bool' | 'int' | 'uint' | 'float' | 'string',
    readonly value: boolean | bigint | number | string,
  ) {}
}

/** A complex128 (a template literal such as `1+2i`). */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** `template.HTML` (safeHtml's result): a string that HTML mode prints without escaping. */
export function safeHTML(s: string): GoScalar {
  return new GoScalar('template.HTML', 'string', s);
}

/** A Go int of a sized type (`int64`, `uint64`, `uint8`, ...). */
export function goInt(type: string, value: bigint): GoScalar {
  return new GoScalar(type, type.startsWith('u') ? 'uint' : 'int', value);
}

/** A Go map with string keys, an element type and its zero value (what a missing key yields). */
export class GoMap {
  private sorted: string[] | undefined;
  constructor(
    readonly entries: ReadonlyMap<string, unknown>,
    readonly goType: string = 'map[string]string',
    readonly zero: unknown = '',
  ) {}

  /** A `map[string]string` from a record. */
  static ofStrings(record: Readonly<Record<string, string>>, goType = 'map[string]string'): GoMap {
    return new GoMap(new Map(Object.entries(record)), goType, '');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keys in Go's fmtsort order (byte order of the UTF-8 encoding; equal to UTF-16 order for BMP text). */
  sortedKeys(): string[] {
    this.sorted ??= [...this.entries.keys()].sort(compareStrings);
    return this.sorted;
  }
}

/** Go's string comparison (bytewise on UTF-8), which code point order gives. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Marks an array as a Go slice of the given type (`[]string`); untyped arrays are `[]interface {}`. */
export function goSlice<T>(items: T[], goType: string): T[] {
  Object.defineProperty(items, GO_TYPE, { value: goType, enumerable: false });
  return items;
}

/** A method or function as templates call it: typed parameters, Go's argument checks. */
export interface GoFunc {
  readonly params: readonly GoType[];
  /** The element type of a trailing `...` parameter. */
  readonly variadic?: GoType;
  /** Whether the function returns a promise; see TemplateFunc in funcs.ts. */
  readonly async?: boolean;
  /** Go's signature as `%T` and errors print it. */
  readonly goType?: string;
  call(args: unknown[], ctx: CallContext, receiver?: unknown): unknown;
}

/** What a function sees of the execution that calls it. */
export interface CallContext {
  /** The caller's environment (ExecuteOptions.env): Prometheus's query function, external URL, time. */
  readonly env: unknown;
  /** Executes a named template of the same set with `data` (Prometheus's `tmpl`). */
  executeTemplate(name: string, data: unknown): string;
}

/** A func value in template data, for `call`. */
export class GoFuncValue {
  constructor(readonly fn: GoFunc) {}
}

/** Methods of a struct value, looked up on its class. */
export type GoMethods = Readonly<Record<string, GoFunc>>;

function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** The reflect.Kind of a value. */
export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      if (v === null) return 'interface';
      if (v instanceof GoScalar) return v.kind;
      if (v instanceof GoComplex) return 'complex';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof GoMap || isPlainObject(v)) return 'map';
      if (v instanceof GoFuncValue) return 'func';
      return typeNameOf(v).startsWith('*') ? 'ptr' : 'struct';
    default:
      return 'invalid';
  }
}

/** The Go type name of a value, as `%T` prints it. */
export function typeNameOf(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return '<nil>';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func(...interface {}) interface {}';
    case 'object': {
      if (v === null) return '<nil>';
      if (v instanceof GoScalar) return v.goType;
      if (v instanceof GoComplex) return 'complex128';
      if (v instanceof GoMap) return v.goType;
      if (v instanceof GoFuncValue) return v.fn.goType ?? 'func(...interface {}) interface {}';
      const tagged = (v as { [GO_TYPE]?: unknown })[GO_TYPE];
      if (typeof tagged === 'string') return tagged;
      if (Array.isArray(v)) return '[]interface {}';
      if (isPlainObject(v)) return 'map[string]interface {}';
      const ctor = (v as { constructor?: { name?: string; [GO_TYPE]?: string } }).constructor;
      return ctor?.[GO_TYPE] ?? `*js.${ctor?.name ?? 'Object'}`;
    }
    default:
      return '<nil>';
  }
}

/** Methods of a struct value (its class's GO_METHODS), if any. */
export function methodsOf(v: object): GoMethods | undefined {
  const ctor = (v as { constructor?: { [GO_METHODS]?: GoMethods } }).constructor;
  return ctor?.[GO_METHODS];
}

/** Fields of a struct value in declaration order: its own enumerable properties. */
export function structFields(v: object): [string, unknown][] {
  return Object.entries(v);
}

/** The Stringer of a value, if its type has one. */
export function stringerOf(v: unknown): (() => string) | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const f = (v as { [GO_STRING]?: () => string })[GO_STRING];
  return typeof f === 'function' ? f.bind(v) : undefined;
}

/** Map entries of a map value (GoMap or plain object) in sorted key order. */
export function mapEntries(v: object): [string, unknown][] {
  if (v instanceof GoMap) return v.sortedKeys().map((k) => [k, v.entries.get(k)]);
  return Object.keys(v)
    .sort(compareStrings)
    .map((k) => [k, (v as Record<string, unknown>)[k]]);
}

export function mapSize(v: object): number {
  return v instanceof GoMap ? v.size : Object.keys(v).length;
}

/** Looks a key up in a map value; `hit` says whether the key was present. */
export function mapLookup(v: object, key: string): { hit: boolean; value: unknown } {
  if (v instanceof GoMap) {
    return v.entries.has(key) ? { hit: true, value: v.entries.get(key) } : { hit: false, value: v.zero };
  }
  if (Object.hasOwn(v, key)) {
    const value = (v as Record<string, unknown>)[key];
    // JSON-like data: a missing value is a nil interface.
    return { hit: true, value: value === undefined ? null : value };
  }
  return { hit: false, value: null };
}

/** Go's truth of a value for if/with/and/or/not: `ok` is false where Go cannot decide. */
export function isTrue(v: unknown): { truth: boolean; ok: boolean } {
  switch (typeof v) {
    case 'undefined':
      return { truth: false, ok: true };
    case 'boolean':
      return { truth: v, ok: true };
    case 'number':
      return { truth: v !== 0, ok: true };
    case 'bigint':
      return { truth: v !== 0n, ok: true };
    case 'string':
      return { truth: v.length > 0, ok: true };
    case 'function':
      return { truth: true, ok: true };
    case 'object':
      if (v === null) return { truth: false, ok: true };
      if (v instanceof GoScalar) {
        const x = v.value;
        return { truth: typeof x === 'string' ? x.length > 0 : x !== 0 && x !== 0n && x !== false, ok: true };
      }
      if (v instanceof GoComplex) return { truth: v.re !== 0 || v.im !== 0, ok: true };
      if (Array.isArray(v)) return { truth: v.length > 0, ok: true };
      if (v instanceof GoMap) return { truth: v.size > 0, ok: true };
      if (isPlainObject(v)) return { truth: Object.keys(v).length > 0, ok: true };
      return { truth: true, ok: true };
    default:
      return { truth: false, ok: false };
  }
}

/** Whether a value of a parameter's type may be nil (Go's canBeNil). */
export function canBeNil(t: GoType): boolean {
  return t.kind === 'interface' || t.kind === 'slice' || t.kind === 'map' || t.kind === 'ptr' || t.kind === 'func';
}

/** The zero value of a parameter type. */
export function zeroOf(t: GoType): unknown {
  switch (t.kind) {
    case 'string':
      return t.fromConstant ? t.fromConstant('') : '';
    case 'float':
      return 0;
    case 'int':
    case 'uint':
      return t.fromConstant ? t.fromConstant(0n) : 0n;
    case 'bool':
      return false;
    case 'slice':
      return goSlice([], t.name);
    case 'interface':
      return t === T_VALUE ? undefined : null;
    default:
      return null;
  }
}

/**
 * Execution of parsed templates, following Go 1.19's text/template/exec.go step by step: where it
 * records the current node (error messages point at it), how arguments are converted to a
 * function's parameter types, missingkey, range over maps in key order, break/continue.
 *
 * Functions may be asynchronous (Prometheus's `query`). Execution itself is synchronous: an async
 * call whose result is not known yet stops the run (`Suspend`); the driver in template.ts awaits
 * it, caches the result and runs the template again from the start. Templates have no side
 * effects, so the second run sees the same data and produces the same text.
 */
import { TemplateError } from './errors.js';
import { formatPrintable, sprint, sprintPrintable } from './fmt.js';
import {
  nodeString,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './nodes.js';
import type { Tree } from './parser.js';
import { quote, utf8Length } from './strconv.js';
import {
  GoComplex,
  GoScalar,
  T_VALUE,
  canBeNil,
  isTrue,
  kindOf,
  mapEntries,
  mapLookup,
  methodsOf,
  typeNameOf,
  zeroOf,
  type CallContext,
  type GoFunc,
  type GoType,
} from './value.js';

export type MissingKey = 'default' | 'zero' | 'error';

/** Limits that keep a hostile or runaway template from hanging or exhausting memory. */
export interface ExecLimits {
  /** Largest output, in UTF-16 code units. @default 8 MiB */
  readonly maxOutputChars: number;
  /** Nodes and commands evaluated, across reruns. @default 10 million */
  readonly maxSteps: number;
  /** Nested `{{template}}` calls (Go: 100000; JS's stack allows less). @default 1000 */
  readonly maxTemplateDepth: number;
  /** Distinct async calls (queries) in one execution. @default 1000 */
  readonly maxAsyncCalls: number;
}

export const DEFAULT_LIMITS: ExecLimits = {
  maxOutputChars: 8 * 1024 * 1024,
  maxSteps: 10_000_000,
  maxTemplateDepth: 1000,
  maxAsyncCalls: 1000,
};

/** The result of an async call, cached for reruns. */
export type AsyncResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown when an async function's result is needed and not cached yet. */
export class Suspend extends Error {
  constructor(
    readonly key: string,
    readonly start: () => Promise<unknown>,
  ) {
    super('suspended for an asynchronous call');
  }
}

export interface ExecEnv {
  readonly lookup: (name: string) => Tree | undefined;
  readonly funcs: ReadonlyMap<string, GoFunc>;
  readonly builtins: ReadonlyMap<string, GoFunc>;
  readonly missingKey: MissingKey;
  readonly html: boolean;
  readonly env: unknown;
  readonly limits: ExecLimits;
  readonly asyncCache: Map<string, AsyncResult>;
  /** Steps already spent by earlier runs of this execution. */
  steps: number;
}

const MISSING: unique symbol = Symbol('missing');
type Final = unknown;
/** {{break}} and {{continue}} unwind to their range as exceptions, as in Go's exec.go. */
class LoopControl extends Error {}
const BREAK = new LoopControl('break');
const CONTINUE = new LoopControl('continue');

interface Variable {
  readonly name: string;
  value: unknown;
}

/** Go's token.IsExported: struct fields templates may read start with an upper-case letter. */
const EXPORTED = /^\p{Lu}/u;

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && !/[pP]/.test(s);
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"&'+<>]/g, (c) => HTML_ESCAPES[c]!);
}
const HTML_ESCAPES: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Go's indirectInterface: a nil interface is no value. */
function unwrap(v: unknown): unknown {
  return v === null ? undefined : v;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class Executor implements CallContext {
  private tmplName = '';
  private vars: Variable[] = [];
  private depth = 0;
  private node: Node | undefined;
  private out: string[] = [];
  private outChars = 0;

  constructor(private readonly x: ExecEnv) {}

  get env(): unknown {
    return this.x.env;
  }

  /** Runs the template `name` with `data`; returns its output. Throws TemplateError or Suspend. */
  run(name: string, data: unknown): string {
    this.tmplName = name;
    data = unwrap(data);
    this.vars = [{ name: '$', value: data }];
    this.depth = 0;
    this.node = undefined;
    this.out = [];
    this.outChars = 0;
    const tree = this.x.lookup(name);
    if (tree === undefined) this.errorf(`${quote(name)} is an incomplete or empty template`);
    this.walk(data, tree.root);
    return this.out.join('');
  }

  executeTemplate(name: string, data: unknown): string {
    const sub = new Executor(this.x);
    sub.depth = this.depth + 1;
    if (sub.depth > this.x.limits.maxTemplateDepth)
      this.limit(`exceeded maximum template depth (${this.x.limits.maxTemplateDepth})`);
    return sub.run(name, data);
  }

  // Errors.

  private at(n: Node): void {
    this.node = n;
  }

  errorf(message: string): never {
    const n = this.node;
    if (n === undefined) {
      throw new TemplateError('WK_TEMPLATE_EXEC', `template: ${this.tmplName}: ${message}`, {
        templateName: this.tmplName,
      });
    }
    const text = n.src.text.slice(0, n.pos);
    const nl = text.lastIndexOf('\n');
    const line = 1 + (text.match(/\n/g)?.length ?? 0);
    const column = utf8Length(nl === -1 ? text : text.slice(nl + 1));
    throw new TemplateError(
      'WK_TEMPLATE_EXEC',
      `template: ${n.src.parseName}:${line}:${column}: executing ${quote(this.tmplName)} at <${nodeString(n)}>: ${message}`,
      { templateName: this.tmplName, line, column },
    );
  }

  private limit(message: string): never {
    throw new TemplateError('WK_TEMPLATE_LIMIT', `template: ${this.tmplName}: ${message}`, {
      templateName: this.tmplName,
    });
  }

  private step(): void {
    if (++this.x.steps > this.x.limits.maxSteps) {
      this.limit(`execution stopped after ${this.x.limits.maxSteps} steps`);
    }
  }

  private write(s: string): void {
    this.outChars += s.length;
    if (this.outChars > this.x.limits.maxOutputChars) {
      this.limit(`output exceeds ${this.x.limits.maxOutputChars} characters`);
    }
    this.out.push(s);
  }

  // Variables.

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // Walking the tree.

  private walk(dot: unknown, node: Node): void {
    this.at(node);
    this.step();
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(node, dot);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.write(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: unknown): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const { truth, ok } = isTrue(unwrap(val));
      if (!ok) this.errorf(`if/with can't use ${sprint([val])}`);
      if (truth) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const mark0 = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (r.pipe.decl.length > 0) this.setTopVar(1, elem);
        if (r.pipe.decl.length > 1) this.setTopVar(2, index);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = mark;
        }
      };
      const kind = kindOf(val);
      if (kind === 'slice') {
        const items = val as unknown[];
        if (items.length > 0) {
          for (let i = 0; i < items.length; i++) oneIteration(BigInt(i), items[i]);
          return;
        }
      } else if (kind === 'map') {
        const entries = mapEntries(val as object);
        if (entries.length > 0) {
          for (const [k, v] of entries) oneIteration(k, v);
          return;
        }
      } else if (kind !== 'invalid') {
        this.errorf(`range can't iterate over ${sprint([val])}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.vars.length = mark0;
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.x.lookup(t.name);
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth >= this.x.limits.maxTemplateDepth) {
      this.errorf(`exceeded maximum template depth (${this.x.limits.maxTemplateDepth})`);
    }
    dot = this.evalPipeline(dot, t.pipe);
    const saved = { name: this.tmplName, vars: this.vars, depth: this.depth };
    this.tmplName = tree.name;
    this.vars = [{ name: '$', value: dot }];
    this.depth++;
    try {
      this.walk(dot, tree.root);
    } finally {
      this.tmplName = saved.name;
      this.vars = saved.vars;
      this.depth = saved.depth;
    }
  }

  // Evaluation.

  private evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A value of type interface{} is replaced by what it holds: nil becomes no value.
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[] | undefined, final: Final): void {
    if ((args !== undefined && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args![0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    this.step();
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // falls through: errorf never returns
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(c: NumberNode): unknown {
    this.at(c);
    if (c.isComplex) return new GoComplex(c.complex[0], c.complex[1]);
    if (c.isFloat && !isHexInt(c.text) && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return c.float64;
    if (c.isInt) return c.int64;
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(
    dot: unknown,
    variable: VariableNode,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Node,
    ident: readonly string[],
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, undefined, MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalField(
    dot: unknown,
    fieldName: string,
    node: Node,
    args: readonly ArgNode[] | undefined,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) {
      if (this.x.missingKey === 'error') this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const typ = typeNameOf(receiver);
    if (typeof receiver === 'object') {
      const method = methodsOf(receiver)?.[fieldName];
      if (method !== undefined) return this.evalCall(dot, method, false, node, fieldName, args, final, receiver);
    }
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
    const kind = kindOf(receiver);
    if (kind === 'struct' || kind === 'ptr') {
      if (Object.hasOwn(receiver, fieldName)) {
        if (!EXPORTED.test(fieldName)) this.errorf(`${fieldName} is an unexported field of struct type ${typ}`);
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return (receiver as Record<string, unknown>)[fieldName];
      }
    } else if (kind === 'map') {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const { hit, value } = mapLookup(receiver, fieldName);
      if (hit) return value;
      switch (this.x.missingKey) {
        case 'default':
          return undefined;
        case 'zero':
          return value;
        case 'error':
          this.errorf(`map has no entry for key ${quote(fieldName)}`);
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: Node,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): unknown {
    this.at(node);
    const name = node.ident;
    let fn = this.x.funcs.get(name);
    let isBuiltin = false;
    if (fn === undefined) {
      fn = this.x.builtins.get(name);
      isBuiltin = true;
    }
    if (fn === undefined) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, isBuiltin, cmd, name, args, final);
  }

  private evalCall(
    dot: unknown,
    fn: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    args: readonly ArgNode[] | undefined,
    final: Final,
    receiver?: unknown,
  ): unknown {
    const argNodes = args === undefined ? [] : args.slice(1);
    let numIn = argNodes.length;
    if (final !== MISSING) numIn++;
    let numFixed = argNodes.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const arg of argNodes) {
        v = this.evalArg(dot, T_VALUE, arg);
        if (isTrue(unwrap(v)).truth === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, T_VALUE);
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.params[i], argNodes[i]!));
    if (fn.variadic) for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i]!));
    if (final !== MISSING) {
      let t: GoType;
      if (fn.variadic) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv.push(this.validateType(final, t));
    }
    if (fn.async) return this.asyncCall(fn, node, name, argv);
    try {
      return fn.call(argv, this, receiver);
    } catch (e) {
      if (e instanceof Suspend || e === BREAK || e === CONTINUE) throw e;
      if (e instanceof TemplateError && e.code === 'WK_TEMPLATE_LIMIT') throw e;
      if (e instanceof RangeError) this.limit(`error calling ${name}: ${e.message}`);
      this.at(node);
      this.errorf(`error calling ${name}: ${errorMessage(e)}`);
    }
  }

  private asyncCall(fn: GoFunc, node: Node, name: string, argv: unknown[]): unknown {
    const key = `${name}\u0000${argv.map((a) => (typeof a === 'string' ? a : sprint([a]))).join('\u0000')}`;
    const cached = this.x.asyncCache.get(key);
    if (cached === undefined) {
      if (this.x.asyncCache.size >= this.x.limits.maxAsyncCalls) {
        this.limit(`more than ${this.x.limits.maxAsyncCalls} distinct ${name} calls`);
      }
      throw new Suspend(key, () => Promise.resolve(fn.call(argv, this)));
    }
    if (cached.ok) return cached.value;
    this.at(node);
    this.errorf(`error calling ${name}: ${errorMessage(cached.error)}`);
  }

  /** Go's evalArg: evaluates an argument node for a parameter of type `typ` (undefined: any). */
  private evalArg(dot: unknown, typ: GoType | undefined, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === undefined || canBeNil(typ)) return typ === undefined ? undefined : zeroOf(typ);
        this.errorf(`cannot assign nil to ${typ.name}`);
      // falls through: errorf never returns
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), typ);
    }
    if (typ === undefined) this.errorf(`can't handle ${nodeString(n)} for arg of type <nil>`);
    switch (typ.kind) {
      case 'bool':
        if (n.type === 'bool') return typ.fromConstant ? typ.fromConstant(n.value) : n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // falls through: errorf never returns
      case 'float':
        if (n.type === 'number' && n.isFloat) return typ.fromConstant ? typ.fromConstant(n.float64) : n.float64;
        this.errorf(`expected float; found ${nodeString(n)}`);
      // falls through: errorf never returns
      case 'int':
        if (n.type === 'number' && n.isInt) return typ.fromConstant ? typ.fromConstant(n.int64) : n.int64;
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // falls through: errorf never returns
      case 'uint':
        if (n.type === 'number' && n.isUint) {
          return typ.fromConstant ? typ.fromConstant(n.uint64) : new GoScalar(typ.name, 'uint', n.uint64);
        }
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
      // falls through: errorf never returns
      case 'string':
        if (n.type === 'string') return typ.fromConstant ? typ.fromConstant(n.text) : n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // falls through: errorf never returns
      case 'interface':
        return this.evalEmptyInterface(dot, n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ.name}`);
  }

  private evalEmptyInterface(dot: unknown, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'dot':
        return dot;
      case 'field':
        return this.evalFieldNode(dot, n, undefined, MISSING);
      case 'identifier':
        return this.evalFunction(dot, n, n, undefined, MISSING);
      case 'nil':
        this.errorf("evalEmptyInterface: nil (can't happen)");
      // falls through: errorf never returns
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      case 'variable':
        return this.evalVariableNode(dot, n, undefined, MISSING);
      case 'pipe':
        return this.evalPipeline(dot, n);
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  /** Go's validateType: checks (and where Go does, converts) a value for a parameter type. */
  private validateType(value: unknown, typ: GoType | undefined): unknown {
    if (value === undefined) {
      if (typ === undefined) return undefined;
      if (canBeNil(typ)) return zeroOf(typ);
      this.errorf(`invalid value; expected ${typ.name}`);
    }
    if (typ === undefined || typ.kind === 'interface') return value;
    const vt = typeNameOf(value);
    if (value === null) this.errorf(`wrong type for value; expected ${typ.name}; got interface {}`);
    if (vt === typ.name) return value;
    if (vt === '*' + typ.name && typeof value === 'object') {
      const deref = (value as { deref?: () => unknown }).deref;
      if (typeof deref === 'function') return deref.call(value);
    }
    this.errorf(`wrong type for value; expected ${typ.name}; got ${vt}`);
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (this.x.html) {
      if (v instanceof GoScalar && v.goType === 'template.HTML') {
        this.write(v.value as string);
        return;
      }
      if (v === undefined || v === null) return;
    }
    const k = kindOf(v);
    if (k === 'func') this.errorf(`can't print ${nodeString(n)} of type ${typeNameOf(v)}`);
    const s = formatPrintable(v);
    this.write(this.x.html ? htmlEscape(s) : s);
  }
}

/** Go's evalArgs (html, js, urlquery): one string argument as is, else fmt.Sprint of the printable values. */
export function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprintPrintable(args);
}

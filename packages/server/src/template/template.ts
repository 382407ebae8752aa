/**
 * A set of named templates sharing functions and options: Go's *template.Template. `parse` adds
 * the definitions of a text; `execute` runs one of them.
 */
import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import {
  DEFAULT_LIMITS,
  Executor,
  Suspend,
  type AsyncResult,
  type ExecEnv,
  type ExecLimits,
  type MissingKey,
} from './exec.js';
import { isEmptyTree } from './nodes.js';
import { parse, type Tree } from './parser.js';
import type { GoFunc } from './value.js';

/** Functions a template may call, by name. */
export type FuncMap = Readonly<Record<string, GoFunc>>;

export interface TemplateOptions {
  /** Functions besides Go's builtins (a function may replace a builtin of the same name). */
  readonly funcs?: FuncMap;
  /**
   * What a missing map key yields (Go's `missingkey` option): `default` no value (prints
   * `<no value>`), `zero` the map's zero value (Prometheus and Alertmanager), `error` an error.
   * @default 'default'
   */
  readonly missingKey?: MissingKey;
  /**
   * HTML mode: printed values are HTML-escaped unless they are `template.HTML` (safeHtml). A
   * simplification of html/template, which escapes by context (attributes, URLs, scripts).
   * @default false
   */
  readonly html?: boolean;
  /** @default '{{' */
  readonly leftDelim?: string;
  /** @default '}}' */
  readonly rightDelim?: string;
  readonly limits?: Partial<ExecLimits>;
  /** Deepest nesting of parentheses and of control structures. @default 1000 */
  readonly maxNestingDepth?: number;
}

export interface ExecuteOptions {
  /** Passed to functions (CallContext.env): Prometheus's query function and external URL. */
  readonly env?: unknown;
}

/** Named templates, as Go's text/template holds them after Parse calls. */
export class Template {
  private readonly trees = new Map<string, Tree>();
  private readonly funcs: ReadonlyMap<string, GoFunc>;
  private readonly limits: ExecLimits;

  constructor(private readonly options: TemplateOptions = {}) {
    this.funcs = new Map(Object.entries(options.funcs ?? {}));
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /**
   * Parses `text` as the template `name` (Go's `t.New(name).Parse(text)`), adding it and the
   * templates it defines. A later definition replaces an earlier one unless it is empty. Throws
   * TemplateError with Go's message (`template: name:line: ...`).
   */
  parse(name: string, text: string): this {
    let trees: Map<string, Tree>;
    try {
      trees = parse(name, text, {
        leftDelim: this.options.leftDelim,
        rightDelim: this.options.rightDelim,
        hasFunction: (f) => this.funcs.has(f) || BUILTINS.has(f),
        maxNestingDepth: this.options.maxNestingDepth,
      });
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      throw new TemplateError('WK_TEMPLATE_PARSE', `template: ${name}: internal error: ${message}`, {
        templateName: name,
        cause: e,
      });
    }
    for (const [n, tree] of trees) {
      const old = this.trees.get(n);
      if (old !== undefined && isEmptyTree(tree.root)) continue;
      this.trees.set(n, tree);
    }
    return this;
  }

  /** Whether a template of that name is defined. */
  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** Names of the defined templates, sorted. */
  names(): string[] {
    return [...this.trees.keys()].sort();
  }

  /** A copy that further `parse` calls do not affect (Go's Clone; Alertmanager clones per message). */
  clone(): Template {
    const t = new Template(this.options);
    for (const [n, tree] of this.trees) t.trees.set(n, tree);
    return t;
  }

  private env(options: ExecuteOptions): ExecEnv {
    return {
      lookup: (n) => this.trees.get(n),
      funcs: this.funcs,
      builtins: BUILTINS,
      missingKey: this.options.missingKey ?? 'default',
      html: this.options.html ?? false,
      env: options.env,
      limits: this.limits,
      asyncCache: new Map<string, AsyncResult>(),
      steps: 0,
    };
  }

  /**
   * Executes the template `name` on `data` and returns its output. Throws TemplateError, also
   * when the template calls an asynchronous function (use executeAsync).
   */
  execute(name: string, data: unknown, options: ExecuteOptions = {}): string {
    const x = this.env(options);
    try {
      return new Executor(x).run(name, data);
    } catch (e) {
      if (e instanceof Suspend) {
        throw new TemplateError('WK_TEMPLATE_EXEC', `template: ${name}: an asynchronous function needs executeAsync`, {
          templateName: name,
        });
      }
      throw asTemplateError(e, name);
    }
  }

  /**
   * Executes the template `name` on `data`, awaiting asynchronous functions (Prometheus's query).
   * Rejects with TemplateError only.
   */
  async executeAsync(name: string, data: unknown, options: ExecuteOptions = {}): Promise<string> {
    const x = this.env(options);
    for (;;) {
      try {
        return new Executor(x).run(name, data);
      } catch (e) {
        if (!(e instanceof Suspend)) throw asTemplateError(e, name);
        let result: AsyncResult;
        try {
          result = { ok: true, value: await e.start() };
        } catch (err) {
          result = { ok: false, error: err };
        }
        x.asyncCache.set(e.key, result);
      }
    }
  }
}

/** Anything else thrown while executing becomes a TemplateError: callers see one error class. */
function asTemplateError(e: unknown, name: string): TemplateError {
  if (e instanceof TemplateError) return e;
  if (e instanceof RangeError) {
    return new TemplateError('WK_TEMPLATE_LIMIT', `template: ${name}: ${e.message}`, { templateName: name, cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new TemplateError('WK_TEMPLATE_EXEC', `template: ${name}: internal error: ${message}`, {
    templateName: name,
    cause: e,
  });
}

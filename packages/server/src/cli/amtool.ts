/**
 * What the amtool-compatible commands (`routes`, `check config`) share: amtool 0.25's command-line
 * parsing (kingpin: `--flag=value`, `--flag value`, `--no-flag`, errors), its error output
 * (`amtool: error: ...` on stderr, exit code 1), the ASCII tree it prints, and loading the
 * Alertmanager configuration from a file or from a running Alertmanager's API.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  AlertmanagerConfigError,
  loadAlertmanagerConfig,
  parseAlertmanagerConfig,
  type AlertmanagerConfig,
} from '../alerting/index.js';

/**
 * Where a command writes. The commands print exactly what amtool prints, including its program
 * name in error lines, so that scripts written for amtool read the same bytes.
 */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** amtool's program name, as kingpin prints it before `error:`. */
export const AMTOOL = 'amtool';

/** An error amtool reports through kingpin (`amtool: error: <message>`) and exit code 1. */
export class AmtoolExit extends Error {
  constructor(
    message: string,
    /** kingpin.Fatalf("%v\n") prints a blank line after the message; Fatalf("%s") does not. */
    readonly blankLine = true,
  ) {
    super(message);
    this.name = 'AmtoolExit';
  }
}

export function reportAmtoolExit(err: AmtoolExit, io: CommandIo): number {
  io.stderr(`${AMTOOL}: error: ${err.message}\n${err.blankLine ? '\n' : ''}`);
  return 1;
}

export interface FlagSpec {
  kind: 'string' | 'bool';
  short?: string;
}

/** amtool's global flags: accepted everywhere (most are meaningful only against a running Alertmanager). */
export const AMTOOL_GLOBAL_FLAGS: Record<string, FlagSpec> = {
  help: { kind: 'bool', short: 'h' },
  'date.format': { kind: 'string' },
  verbose: { kind: 'bool', short: 'v' },
  'alertmanager.url': { kind: 'string' },
  output: { kind: 'string', short: 'o' },
  timeout: { kind: 'string' },
  'http.config.file': { kind: 'string' },
  'version-check': { kind: 'bool' },
  version: { kind: 'bool' },
};

export interface ParsedFlags {
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  positionals: string[];
}

/**
 * Parses arguments as kingpin does for amtool: flags anywhere, `--` ends them, `--no-x` turns a
 * boolean off, a boolean's `--x=value` sets it and leaves `value` as an argument, a flag may not
 * be repeated.
 * @throws AmtoolExit with kingpin's message.
 */
export function parseAmtoolArgs(args: readonly string[], flags: Record<string, FlagSpec>): ParsedFlags {
  const out: ParsedFlags = { strings: new Map(), bools: new Map(), positionals: [] };
  const seen = new Set<string>();
  const byShort = new Map(Object.entries(flags).flatMap(([n, f]) => (f.short ? [[f.short, n] as const] : [])));
  const set = (name: string, spec: FlagSpec, value: string | boolean): void => {
    if (seen.has(name)) throw new AmtoolExit(`flag '${name}' cannot be repeated`);
    seen.add(name);
    if (spec.kind === 'bool') out.bools.set(name, value as boolean);
    else out.strings.set(name, value as string);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      let spec = flags[name];
      let boolValue = true;
      if (!spec && name.startsWith('no-') && flags[name.slice(3)]?.kind === 'bool') {
        name = name.slice(3);
        spec = flags[name];
        boolValue = false;
      }
      if (!spec) throw new AmtoolExit(`unknown long flag '--${name}'`);
      if (spec.kind === 'bool') {
        set(name, spec, boolValue);
        if (inline !== undefined) out.positionals.push(inline);
      } else if (inline !== undefined) {
        set(name, spec, inline);
      } else {
        if (i + 1 >= args.length) throw new AmtoolExit(`expected argument for flag '--${name}'`);
        set(name, spec, args[++i]!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const short = arg[1]!;
      const name = byShort.get(short);
      if (name === undefined) throw new AmtoolExit(`unknown short flag '-${short}'`);
      const spec = flags[name]!;
      if (spec.kind === 'bool') {
        set(name, spec, true);
      } else if (arg.length > 2) {
        set(name, spec, arg.slice(2));
      } else {
        if (i + 1 >= args.length) throw new AmtoolExit(`expected argument for flag '-${short}'`);
        set(name, spec, args[++i]!);
      }
      continue;
    }
    out.positionals.push(arg);
  }
  return out;
}

/** kingpin's ExistingFile check. @throws AmtoolExit */
export function checkExistingFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new AmtoolExit(`path '${path}' does not exist`);
  }
  if (st.isDirectory()) throw new AmtoolExit(`'${basename(path)}' is a directory`);
}

/**
 * amtool's loadAlertmanagerConfig: the file when `--config.file` is given (with amtool's warning on
 * stderr), otherwise the configuration of the Alertmanager at `--alertmanager.url`.
 * @throws AlertmanagerConfigError, or Error for an unreachable Alertmanager.
 */
export async function loadConfigLikeAmtool(
  configFile: string | undefined,
  alertmanagerUrl: string,
  io: CommandIo,
  httpConfigFile?: string,
): Promise<AlertmanagerConfig> {
  if (configFile !== undefined && configFile !== '') {
    io.stderr('Warning: --config.file flag overrides the --alertmanager.url.\n');
    return loadAlertmanagerConfig(configFile);
  }
  const url = `${alertmanagerUrl.replace(/\/+$/, '')}/api/v2/status`;
  const authorization = httpConfigFile ? authorizationFromHttpConfig(httpConfigFile) : undefined;
  let body: unknown;
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(30_000),
      ...(authorization !== undefined && { headers: { authorization } }),
    });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    body = await res.json();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; address?: string; port?: number } }).cause;
    if (cause?.code === 'ECONNREFUSED') {
      const host = new URL(url).hostname;
      const addr = host === 'localhost' ? (cause.address ?? '127.0.0.1') : host;
      throw new Error(
        `Get "${url}": dial tcp ${addr}:${cause.port ?? new URL(url).port}: connect: connection refused`,
        {
          cause: err,
        },
      );
    }
    throw new Error(`Get "${url}": ${(err as Error).message}`, { cause: err });
  }
  const original = (body as { config?: { original?: unknown } } | null)?.config?.original;
  if (typeof original !== 'string') throw new Error(`${url}: the response has no config.original`);
  return parseAlertmanagerConfig(original);
}

/**
 * The Authorization header of a Prometheus HTTP client configuration (`--http.config.file`, as
 * amtool reads it): `authorization` (type and credentials or credentials_file), `bearer_token(_file)`
 * or `basic_auth`. Watchkeeper's API wants `authorization: {credentials: <token>}`.
 */
export function authorizationFromHttpConfig(file: string): string | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AmtoolExit(`failed to load HTTP config file: ${(err as Error).message}`);
  }
  const c = (doc ?? {}) as {
    authorization?: { type?: string; credentials?: string; credentials_file?: string };
    bearer_token?: string;
    bearer_token_file?: string;
    basic_auth?: { username?: string; password?: string; password_file?: string };
  };
  const read = (f: string): string => readFileSync(resolve(dirname(file), f), 'utf8').trim();
  if (c.authorization) {
    const credentials =
      c.authorization.credentials ??
      (c.authorization.credentials_file ? read(c.authorization.credentials_file) : undefined);
    if (credentials !== undefined) return `${c.authorization.type ?? 'Bearer'} ${credentials}`;
  }
  const bearer = c.bearer_token ?? (c.bearer_token_file ? read(c.bearer_token_file) : undefined);
  if (bearer !== undefined) return `Bearer ${bearer}`;
  if (c.basic_auth?.username !== undefined) {
    const password = c.basic_auth.password ?? (c.basic_auth.password_file ? read(c.basic_auth.password_file) : '');
    return `Basic ${Buffer.from(`${c.basic_auth.username}:${password}`).toString('base64')}`;
  }
  return undefined;
}

/** The message amtool prints for a configuration that fails to load. */
export function amtoolLoadMessage(err: unknown): string {
  return err instanceof AlertmanagerConfigError ? err.amtoolMessage : (err as Error).message;
}

/** A node of an ASCII tree as github.com/xlab/treeprint draws it (amtool's `routes` output). */
export interface TreeNode {
  value: string;
  children: TreeNode[];
}

/**
 * treeprint's String(): the root's value, then `├── `/`└── ` branches; below an unfinished level the
 * indent is `│` and two no-break spaces and a space (as treeprint writes it), below a finished one four spaces.
 */
export function renderTree(rootValue: string, children: readonly TreeNode[]): string {
  let out = `${rootValue}\n`;
  const walk = (nodes: readonly TreeNode[], prefix: string): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      out += `${prefix}${last ? '└──' : '├──'} ${n.value}\n`;
      walk(n.children, prefix + (last ? '    ' : '│\u00a0\u00a0 '));
    });
  };
  walk(children, '');
  return out;
}

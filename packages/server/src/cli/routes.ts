/**
 * `watchkeeper routes [show|test]` and amtool's spelling `watchkeeper config routes [show|test]`:
 * print an alertmanager.yml's routing tree, or the receivers a label set is routed to, with
 * amtool 0.25's output and exit codes (`amtool config routes ...`).
 */
import { Labels } from '../lib/labels.js';
import {
  MatcherParseError,
  formatMatchers,
  parseMatcher,
  type AlertmanagerConfig,
  type Route,
} from '../alerting/index.js';
import {
  AMTOOL_GLOBAL_FLAGS,
  AmtoolExit,
  amtoolLoadMessage,
  checkExistingFile,
  loadConfigLikeAmtool,
  parseAmtoolArgs,
  processIo,
  renderTree,
  reportAmtoolExit,
  type CommandIo,
  type TreeNode,
} from './amtool.js';
import type { Command } from './main.js';

const USAGE = `Usage: watchkeeper routes [show] --config.file=FILE
       watchkeeper routes test --config.file=FILE [--tree] [--verify.receivers=R1,R2] LABEL=VALUE...

Shows the routing tree of an alertmanager.yml, or tests which receivers a label set is routed
to, as amtool 0.25 does ('amtool config routes [show|test]'; 'watchkeeper config routes ...' is
accepted too). Output and exit codes are amtool's, error lines included ('amtool: error: ...').

Options:
  --config.file=FILE          the alertmanager.yml to read (without it: the configuration of the
                              Alertmanager at --alertmanager.url, default http://localhost:9093/)
  --http.config.file=FILE     with --alertmanager.url: an HTTP client config, as amtool's; a
                              Watchkeeper wants 'authorization: {credentials: <token>}'
  --tree                      test: also print the tree of matching routes
  --verify.receivers=R1,R2    test: exit 1 unless the label set routes to exactly these receivers
  -h, --help                  show this help

Labels are given as name=value (Alertmanager's matcher syntax: name="value with spaces" works).
`;

const ROUTES_FLAGS = { ...AMTOOL_GLOBAL_FLAGS, 'config.file': { kind: 'string' as const } };
const TEST_FLAGS = {
  ...ROUTES_FLAGS,
  'verify.receivers': { kind: 'string' as const },
  tree: { kind: 'bool' as const },
};

/** amtool's slug for a route in a tree: matchers (or `default-route`), `continue`, receiver. */
function routeSlug(route: Route, showContinue: boolean, showReceiver: boolean): string {
  let s = route.matchers.length === 0 ? 'default-route' : formatMatchers(route.matchers);
  if (route.continue && showContinue) s += '  continue: true';
  if (showReceiver) s += `  receiver: ${route.opts.receiver}`;
  return s;
}

/** The whole tree, as `amtool config routes show` prints it. */
export function formatRoutingTree(config: AlertmanagerConfig): string {
  const toNode = (r: Route): TreeNode => ({ value: routeSlug(r, true, true), children: r.routes.map(toNode) });
  return `Routing tree:\n${renderTree('.', [toNode(config.routeTree)])}\n`;
}

/** The tree of routes a label set takes, as `amtool config routes test --tree` prints it. */
export function formatMatchingTree(config: AlertmanagerConfig, labels: Labels): string {
  const build = (r: Route): TreeNode => {
    const node: TreeNode = { value: routeSlug(r, false, false), children: [] };
    for (const child of r.routes) {
      if (!child.matchesOwn(labels)) continue;
      node.children.push(build(child));
      if (!child.continue) break;
    }
    if (node.children.length === 0) node.value = routeSlug(r, false, true);
    return node;
  };
  return `Matching routes:\n${renderTree('.', [build(config.routeTree)])}\n\n`;
}

/** The receivers of the routes a label set ends on, comma-joined in tree order (amtool's output line). */
export function resolveReceivers(config: AlertmanagerConfig, labels: Labels): string {
  return config.routeTree
    .match(labels)
    .map((r) => r.opts.receiver)
    .join(',');
}

/** Labels from `name=value` arguments, parsed as Alertmanager matchers (later ones win). @throws AmtoolExit */
export function parseLabelArgs(args: readonly string[]): Labels {
  const pairs = new Map<string, string>();
  for (const arg of args) {
    let m;
    try {
      m = parseMatcher(arg);
    } catch (err) {
      if (err instanceof MatcherParseError) throw new AmtoolExit(`Failed to parse labels: ${err.message}`);
      throw err;
    }
    if (m.type !== '=') throw new AmtoolExit('Failed to parse labels: labels must be specified as key=value pairs');
    pairs.set(m.name, m.value);
  }
  return Labels.from(pairs);
}

async function load(
  configFile: string | undefined,
  url: string | undefined,
  io: CommandIo,
  blankLine: boolean,
  httpConfigFile?: string,
): Promise<AlertmanagerConfig> {
  try {
    return await loadConfigLikeAmtool(configFile, url ?? 'http://localhost:9093/', io, httpConfigFile);
  } catch (err) {
    throw new AmtoolExit(amtoolLoadMessage(err), blankLine && configFile !== undefined);
  }
}

async function show(args: readonly string[], io: CommandIo): Promise<number> {
  const f = parseAmtoolArgs(args, ROUTES_FLAGS);
  if (f.bools.get('help')) return help(io);
  const file = f.strings.get('config.file');
  if (file !== undefined) checkExistingFile(file);
  if (f.positionals.length > 0) throw new AmtoolExit(`unexpected ${f.positionals[0]}`);
  const config = await load(file, f.strings.get('alertmanager.url'), io, false, f.strings.get('http.config.file'));
  io.stdout(formatRoutingTree(config));
  return 0;
}

async function test(args: readonly string[], io: CommandIo): Promise<number> {
  const f = parseAmtoolArgs(args, TEST_FLAGS);
  if (f.bools.get('help')) return help(io);
  const file = f.strings.get('config.file');
  if (file !== undefined) checkExistingFile(file);
  const config = await load(file, f.strings.get('alertmanager.url'), io, true, f.strings.get('http.config.file'));
  const labels = parseLabelArgs(f.positionals);
  if (f.bools.get('tree')) io.stdout(formatMatchingTree(config, labels));
  const receivers = resolveReceivers(config, labels);
  io.stdout(`${receivers}\n`);
  const expected = f.strings.get('verify.receivers') ?? '';
  if (expected !== '' && expected !== receivers) {
    io.stdout('WARNING: Expected receivers did not match resolved receivers.\n');
    return 1;
  }
  return 0;
}

function help(io: CommandIo): number {
  io.stdout(USAGE);
  return 0;
}

/** `routes [show|test] ...` (the words after `watchkeeper` or after `watchkeeper config`). */
export async function runRoutes(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  try {
    const [sub, ...rest] = args;
    if (sub === 'test') return await test(rest, io);
    if (sub === 'show') return await show(rest, io);
    return await show(args, io);
  } catch (err) {
    if (err instanceof AmtoolExit) return reportAmtoolExit(err, io);
    throw err;
  }
}

export const routesCommand: Command = {
  name: 'routes',
  summary: 'show an alertmanager.yml routing tree or test label sets against it (amtool config routes)',
  usage: USAGE,
  run: (args) => runRoutes(args),
};

/** amtool's spelling: `watchkeeper config routes [show|test] ...`. */
export const amtoolConfigCommand: Command = {
  name: 'config',
  summary: "amtool's spelling of 'routes': config routes [show|test] ...",
  usage: USAGE,
  async run(args) {
    if (args[0] === 'routes') return runRoutes(args.slice(1));
    if (args[0] === '--help' || args[0] === '-h' || args[0] === undefined) {
      process.stdout.write(USAGE);
      return args[0] === undefined ? 2 : 0;
    }
    return reportAmtoolExit(new AmtoolExit(`expected command but got "${args[0]}"`), processIo);
  },
};

/**
 * `watchkeeper check <kind> FILE...`: validates configuration files. One entry per kind in
 * CHECK_KINDS (`config`: alertmanager.yml as amtool check-config; `rules`: rule files as promtool
 * check rules; `dashboards`: dashboard files, promtool-style).
 */
import { CHECK_CONFIG_USAGE, runCheckConfig } from './check-config.js';
import { CHECK_DASHBOARDS_USAGE, runCheckDashboards } from './check-dashboards.js';
import type { Command } from './main.js';
import { CHECK_RULES_USAGE, runCheckRules } from './rules.js';

interface CheckKind {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export const CHECK_KINDS: Readonly<Record<string, CheckKind>> = {
  config: {
    summary: 'alertmanager.yml files, as amtool check-config',
    usage: CHECK_CONFIG_USAGE,
    run: (args) => runCheckConfig(args),
  },
  rules: {
    summary: 'Prometheus rule files, as promtool check rules',
    usage: CHECK_RULES_USAGE,
    run: (args) => runCheckRules(args),
  },
  dashboards: {
    summary: 'dashboard files or folders (config/dashboards), promtool-style',
    usage: CHECK_DASHBOARDS_USAGE,
    run: (args) => runCheckDashboards(args),
  },
};

function usage(): string {
  const kinds = Object.entries(CHECK_KINDS)
    .map(([name, k]) => `  ${name.padEnd(10)}  ${k.summary}`)
    .join('\n');
  return `Usage: watchkeeper check <kind> [options] FILE...

Kinds:
${kinds}

Run 'watchkeeper check <kind> --help' for the options of a kind.
`;
}

export const checkCommand: Command = {
  name: 'check',
  summary:
    'validate configuration files: check config FILE... (amtool), check rules FILE... (promtool), check dashboards DIR|FILE...',
  get usage() {
    return usage();
  },
  async run(args) {
    const [kind, ...rest] = args;
    if (kind === '--help' || kind === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    const k = kind === undefined ? undefined : CHECK_KINDS[kind];
    if (!k) {
      process.stderr.write(
        `watchkeeper check: ${kind === undefined ? 'missing kind' : `unknown kind '${kind}'`}\n\n${usage()}`,
      );
      return 2;
    }
    return k.run(rest);
  },
};

/**
 * `watchkeeper check dashboards DIR|FILE...`: validates dashboard files (dashboards/) the way
 * `promtool check rules` reports rule files — `Checking F` and `  SUCCESS: ...` on stdout,
 * `  FAILED:` and one line per problem (file:line:column: path: message) on stderr, exit code 1
 * when any file is invalid.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkDashboardPaths } from '../dashboards/index.js';
import type { CommandOutput } from '../rules/index.js';

export const CHECK_DASHBOARDS_USAGE = `Usage: watchkeeper check dashboards DIR|FILE...

Validates dashboard files (a folder: its *.yml and *.yaml files): the schema of
@watchkeeper/model, every query parsed as PromQL with its variables and $__range, $__interval,
$__rate_interval substituted (logs panels hold LogQL and are not parsed), unique ids, and
drill-down links to dashboards that exist (also those beside the named files) and their
variables. Prints SUCCESS or FAILED per file; exit code 1 when any file is invalid.

Options:
  -h, --help   show this help
`;

const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `check dashboards` after the command words; returns the exit code. */
export async function runCheckDashboards(args: readonly string[], out: CommandOutput = processOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (err) {
    out.stderr(`watchkeeper: error: ${(err as Error).message}, try --help\n`);
    return 1;
  }
  if (parsed.values.help) {
    out.stdout(CHECK_DASHBOARDS_USAGE);
    return 0;
  }
  const paths = parsed.positionals;
  if (paths.length === 0) {
    out.stderr("watchkeeper: error: required argument 'dashboard-files' not provided, try --help\n");
    return 1;
  }
  const missing = paths.find((p) => !existsSync(p));
  if (missing !== undefined) {
    out.stderr(`watchkeeper: error: path '${missing}' does not exist, try --help\n`);
    return 1;
  }
  const results = checkDashboardPaths(paths);
  if (results.length === 0) {
    out.stderr(`watchkeeper: error: no dashboard files (*.yml, *.yaml) in ${paths.join(', ')}\n`);
    return 1;
  }
  let failed = 0;
  for (const r of results) {
    out.stdout(`Checking ${r.file}\n`);
    if (r.problems.length > 0) {
      failed++;
      out.stderr('  FAILED:\n');
      for (const p of r.problems) out.stderr(`${p}\n`);
    } else {
      const d = r.dashboard!;
      const panels = d.rows.reduce((n, row) => n + row.panels.length, 0);
      out.stdout(
        `  SUCCESS: dashboard "${d.id}", ${panels} panels, ${d.variables.length} variables${d.access === 'restricted_internal' ? ' (restricted_internal)' : ''}\n`,
      );
    }
    out.stdout('\n');
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `watchkeeper check config FILE...` (and amtool's spelling `watchkeeper check-config FILE...`):
 * validates alertmanager.yml files as Alertmanager 0.25 loads them, with `amtool check-config`'s
 * output and exit code. Without files it reads the configuration from standard input, as amtool.
 */
import { fstatSync, readFileSync } from 'node:fs';
import {
  globFiles,
  loadAlertmanagerConfig,
  parseAlertmanagerConfig,
  type AlertmanagerConfig,
} from '../alerting/index.js';
import {
  AMTOOL,
  AMTOOL_GLOBAL_FLAGS,
  AmtoolExit,
  amtoolLoadMessage,
  checkExistingFile,
  parseAmtoolArgs,
  processIo,
  reportAmtoolExit,
  type CommandIo,
} from './amtool.js';
import type { Command } from './main.js';

export const CHECK_CONFIG_USAGE = `Usage: watchkeeper check config [FILE...]

Validates alertmanager.yml files (syntax, schema, references, template globs) as Alertmanager
0.25 does, with 'amtool check-config''s output and exit code ('watchkeeper check-config' is
accepted too). Without files, reads one configuration from standard input.

Options:
  -h, --help   show this help

Template files are found and read, not parsed: Go template syntax errors are not reported yet.
`;

/** Reads the template files of a configuration; the message of the first failure, or undefined. */
function checkTemplates(config: AlertmanagerConfig): string | undefined {
  try {
    for (const glob of config.templates) for (const file of globFiles(glob)) readTemplate(file);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function readTemplate(file: string): void {
  try {
    readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EISDIR'
        ? `read ${file}: is a directory`
        : `open ${file}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

function stdinIsTerminal(): boolean {
  try {
    return fstatSync(0).isCharacterDevice();
  } catch {
    return true;
  }
}

/** `check config` after the command words: flags and files. */
export async function runCheckConfig(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  try {
    const f = parseAmtoolArgs(args, AMTOOL_GLOBAL_FLAGS);
    if (f.bools.get('help')) {
      io.stdout(CHECK_CONFIG_USAGE);
      return 0;
    }
    const files = f.positionals;
    for (const file of files) checkExistingFile(file);
    const inputs: { name: string; load: () => AlertmanagerConfig }[] = files.map((file) => ({
      name: file,
      load: () => loadAlertmanagerConfig(file),
    }));
    if (inputs.length === 0) {
      if (stdinIsTerminal()) throw new AmtoolExit('Failed to read from standard input', false);
      const text = readFileSync(0, 'utf8');
      inputs.push({ name: '/dev/stdin', load: () => parseAlertmanagerConfig(text, { file: '/dev/stdin' }) });
    }
    let failed = 0;
    for (const input of inputs) {
      let out = `Checking '${input.name}'`;
      let config: AlertmanagerConfig | undefined;
      try {
        config = input.load();
        out += '  SUCCESS\n';
      } catch (err) {
        out += `  FAILED: ${amtoolLoadMessage(err)}\n`;
        failed++;
      }
      if (config) {
        out += 'Found:\n - global config\n - route\n';
        out += ` - ${config.inhibitRules.length} inhibit rules\n`;
        out += ` - ${config.receivers.length} receivers\n`;
        out += ` - ${config.templates.length} templates\n`;
        if (config.templates.length > 0) {
          const problem = checkTemplates(config);
          if (problem === undefined) {
            out += '  SUCCESS\n';
          } else {
            out += `  FAILED: ${problem}\n`;
            failed++;
          }
        }
      }
      io.stdout(`${out}\n`);
    }
    if (failed > 0) {
      io.stderr(`${AMTOOL}: error: failed to validate ${failed} file(s)\n\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof AmtoolExit) return reportAmtoolExit(err, io);
    throw err;
  }
}

/** amtool's spelling: `watchkeeper check-config FILE...`. */
export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: "validate alertmanager.yml files (amtool check-config); same as 'check config'",
  usage: CHECK_CONFIG_USAGE,
  run: (args) => runCheckConfig(args),
};

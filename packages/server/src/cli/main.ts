#!/usr/bin/env node
/**
 * The `watchkeeper` command line. Subcommands are looked up by name in COMMANDS; each parses its own
 * arguments and returns the process exit code.
 */
import { tokenCommand, userCommand } from './access.js';
import { checkConfigCommand } from './check-config.js';
import { checkCommand } from './check.js';
import { promqlTestCommand } from './promql-test.js';
import { amtoolConfigCommand, routesCommand } from './routes.js';
import { testCommand } from './rules.js';
import { serveCommand } from './serve.js';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage text for `watchkeeper <command> --help`. */
  usage: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  serveCommand,
  promqlTestCommand,
  routesCommand,
  checkCommand,
  amtoolConfigCommand,
  checkConfigCommand,
  testCommand,
  tokenCommand,
  userCommand,
];

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: watchkeeper <command> [options]

Commands:
${list}

Run 'watchkeeper <command> --help' for the options of a command.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    (name === undefined ? process.stderr : process.stdout).write(target ? target.usage : mainUsage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`watchkeeper: unknown command '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`watchkeeper: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

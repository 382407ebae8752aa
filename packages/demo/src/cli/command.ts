/** One `watchkeeper-demo` command: its name, one-line summary, usage text and entry point. */
export interface DemoCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

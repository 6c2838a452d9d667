/** Where the CLI reads its environment and writes its output: the process, or a test's buffers. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stderr is a terminal: draw progress bars (else periodic plain lines) and tables. */
  readonly isTTY: boolean;
  /** The stream a progress bar draws on (cli-progress needs a real stream); stderr by default. */
  readonly barStream?: NodeJS.WritableStream;
  /** Install SIGINT/SIGTERM handlers that stop the running operation cleanly (the real binary). */
  readonly handleSignals?: boolean;
}

export const processIo = (): CliIo => ({
  env: process.env,
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: !!process.stderr.isTTY,
  barStream: process.stderr,
  handleSignals: true,
});

/** Exit codes of every command (see DESIGN.md): 130 is the shell's code for an interrupt (Ctrl-C). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A command line that names no projection, an unknown one, or a bad value: exit 2. */
export class UsageError extends Error {}

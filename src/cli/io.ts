// What a CLI command may touch of the outside world, passed in so `main(argv)` is testable.
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM); used by long-running verbs. */
  stopSignal?: Promise<void>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export const line = (io: CliIo, text = "") => io.stdout.write(text + "\n");
export const warn = (io: CliIo, text: string) => io.stderr.write(text + "\n");

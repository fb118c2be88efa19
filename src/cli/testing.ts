// A CliIo that captures output, for driving `main(argv)` in tests.
import { PassThrough, Readable } from "node:stream";
import type { CliIo } from "./io.ts";

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string; stopSignal?: Promise<void> }): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const io: CapturedIo = {
    stdout,
    stderr,
    stdin: Readable.from([opts.stdin ?? ""]),
    env: { ...opts.env },
    cwd: opts.cwd,
    out: () => out,
    err: () => err,
  };
  if (opts.stopSignal) io.stopSignal = opts.stopSignal;
  return io;
}

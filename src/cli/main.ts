// The `kanshi` command. `main(argv, io)` returns the exit code (0 done, 1 bad input, 2 usage,
// 3 internal fault), so tests drive it without spawning a process.
import { Command, CommanderError } from "commander";
import { isKanshiError } from "../contracts/errors.ts";
import { processIo, warn, type CliIo } from "./io.ts";
import { registerCommands } from "./commands.ts";

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("kanshi")
    .description("Kanshi (監視): surveillance of crypto-asset trading for money laundering and market abuse")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run `kanshi --help` for the verbs)");
  registerCommands(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return 0;
      return 2;
    }
    if (isKanshiError(e)) {
      warn(io, `kanshi: ${e.message}`);
      return e.exitCode;
    }
    warn(io, `kanshi: internal fault: ${(e as Error)?.message ?? String(e)}`);
    if (io.env.KANSHI_DEBUG) warn(io, String((e as Error)?.stack));
    return 3;
  }
}

/** Entry point for bin/kanshi.js: runs, then exits with the code. */
export async function run(argv: string[]): Promise<void> {
  const io = processIo();
  let stop!: () => void;
  io.stopSignal = new Promise<void>((r) => (stop = r));
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(130);
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await main(argv, io);
  process.exitCode = code;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  // Flush stdout before exiting even when it is a pipe.
  await new Promise<void>((r) => (process.stdout.write("", () => r())));
  process.exit(code);
}

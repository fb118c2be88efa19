// A progress bar on a terminal (rate and ETA); silence elsewhere, so CI logs stay readable.
import cliProgress from "cli-progress";
import type { CliIo } from "./io.ts";

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(io: CliIo, label: string, total: number, unit: string): Progress {
  if (!io.stderr.isTTY || io.env.CI) return { update() {}, stop() {} };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream as never,
      format: `${label} [{bar}] {percentage}% | {count} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { count: "0", rate: "0" });
  return {
    update(done, payload = {}) {
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      const count = Number(payload.count ?? done);
      bar.update(done, { count: count.toLocaleString("en-US"), rate: Math.round(count / secs).toLocaleString("en-US"), ...payload });
    },
    stop() {
      bar.stop();
    },
  };
}

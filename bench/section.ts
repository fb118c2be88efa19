// What a benchmark section is: bench/run.ts runs each registered section and prints its rows.

/** One printed line: a measurement, its unit and a note saying what was measured. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note: string;
}

/** What every section is given. */
export interface BenchContext {
  /** A scratch directory, removed after the run. */
  dir: string;
  /** The simulated day as NDJSON ("" when no chosen section needs it). */
  eventsFile: string;
  /** Events in that file. */
  events: number;
  /** People simulated for that day. */
  people: number;
}

export interface BenchSection {
  /** Short name, used by BENCH_ONLY. */
  name: string;
  /** false when the section does not use the simulated day (default true). */
  needsDay?: boolean;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

let peak = 0;
/** Samples this process's RSS and returns the peak seen so far (bytes). */
export function sampleRss(): number {
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak;
}

/** Seconds since `start` (a process.hrtime.bigint()). */
export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Identity verbs: `kanshi normalize address|name|phone [file]` and `kanshi resolve`.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve as resolvePath } from "node:path";
import type { Command } from "commander";
import { badInput } from "../contracts/errors.ts";
import {
  defaultReadingProvider,
  IdentityRecordSchema,
  normalizeAddressLine,
  normalizeNameLine,
  normalizePhoneLine,
  preparedInWorkers,
  resolveWithReport,
  type IdentityRecord,
} from "../identity/index.ts";
import { openInput, readLines } from "../ingest/lines.ts";
import { line, warn, type CliIo } from "./io.ts";
import { progressBar } from "./progress.ts";
import { writeNdjson, fileSize } from "./files.ts";

const KINDS = ["address", "name", "phone"] as const;
type Kind = (typeof KINDS)[number];

export function registerIdentityCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command("normalize")
    .description("normalise Japanese identity data, one value a line (standard input when no file) → one JSON line each")
    .argument("<kind>", "address | name | phone")
    .argument("[file]", "input file; standard input when absent")
    .action(async (kind: string, file: string | undefined) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw badInput(`expected address, name or phone; got ${JSON.stringify(kind)}`, "kind");
      const input = file ? (await fileSize(resolvePath(io.cwd, file)), createReadStream(resolvePath(io.cwd, file))) : io.stdin;
      for await (const l of readLines(input as AsyncIterable<Buffer>)) {
        const text = l.text.trim();
        let out: unknown;
        switch (kind as Kind) {
          case "address":
            out = normalizeAddressLine(text);
            break;
          case "phone":
            out = normalizePhoneLine(text);
            break;
          case "name":
            // The morphological reader (kuromoji) loads once, only when a line has kanji and no reading.
            out = await normalizeNameLine(text);
            break;
        }
        line(io, JSON.stringify(out));
      }
    });

  program
    .command("resolve")
    .description("link identity records (NDJSON) into entities: one {recordId, entityId, confidence} line per record")
    .argument("<identities>", "identity records, one JSON object a line (CONTRACT.md)")
    .requiredOption("--out <file>", "entities output (NDJSON)")
    .option("--explain", "add each record's explanation (which fields agreed, their weights)")
    .option("--threshold <p>", "posterior match probability needed to merge (0.5–0.999)", "0.9")
    .option("--workers <n>", "worker threads that normalise records (default: one per core from 20,000 records; 0: none)")
    .action(async (file: string, opts: { out: string; explain?: boolean; threshold: string; workers?: string }) => {
      const threshold = Number(opts.threshold);
      if (!(threshold >= 0.5 && threshold <= 0.999)) throw badInput(`expected a probability from 0.5 to 0.999; got ${JSON.stringify(opts.threshold)}`, "--threshold");
      const workersAsked = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workersAsked !== undefined && !(Number.isInteger(workersAsked) && workersAsked >= 0 && workersAsked <= 64))
        throw badInput(`expected a whole number of threads from 0 to 64; got ${JSON.stringify(opts.workers)}`, "--workers");
      const path = resolvePath(io.cwd, file);
      const size = await fileSize(path);
      const raw = openInput(path);
      let bytes = 0;
      raw.on("data", (c: Buffer) => (bytes += c.length));
      const bar = progressBar(io, "read", size, "records");
      const records: IdentityRecord[] = [];
      const seen = new Set<string>();
      let rejected = 0;
      for await (const l of readLines(raw)) {
        let value: unknown;
        try {
          value = JSON.parse(l.text);
        } catch (e) {
          rejected++;
          warn(io, `rejected line ${l.no}: not valid JSON (${(e as Error).message})`);
          continue;
        }
        const r = IdentityRecordSchema.safeParse(value);
        if (!r.success) {
          rejected++;
          const i = r.error.issues[0]!;
          warn(io, `rejected line ${l.no}: ${i.path.map(String).join(".") || "record"}: ${i.message}`);
          continue;
        }
        if (seen.has(r.data.recordId)) {
          rejected++;
          warn(io, `rejected line ${l.no}: recordId: ${JSON.stringify(r.data.recordId)} appears earlier in the file`);
          continue;
        }
        seen.add(r.data.recordId);
        records.push(r.data as IdentityRecord);
        if (records.length % 1000 === 0) bar.update(bytes, { count: records.length });
      }
      bar.stop();
      const reader = await defaultReadingProvider().catch(() => null);
      const started = Date.now();
      // Normalisation and blind indexing are most of the time and need nothing from other records:
      // on a large file they run on worker threads; linking itself stays on this thread.
      const workers = workersAsked ?? (records.length >= 20_000 ? Math.min(8, availableParallelism()) : 0);
      const key = randomBytes(32);
      let prepared;
      if (workers > 0 && records.length > 0) {
        const prep = progressBar(io, "normalise", records.length, "records");
        prepared = await preparedInWorkers(records, key, workers, { sliceSize: Math.max(1000, Math.min(50_000, Math.ceil(records.length / (workers * 4)))), onProgress: (done) => prep.update(done, { count: done }) });
        prep.stop();
      }
      const report = resolveWithReport(records, { reader, threshold, key, ...(prepared ? { prepared } : {}) });
      const entities = new Set(report.results.map((r) => r.entityId));
      await writeNdjson(
        resolvePath(io.cwd, opts.out),
        report.results.map((r) => (opts.explain ? r : { recordId: r.recordId, entityId: r.entityId, confidence: r.confidence })),
      );
      line(io, `resolved ${records.length.toLocaleString("en-US")} records into ${entities.size.toLocaleString("en-US")} entities in ${((Date.now() - started) / 1000).toFixed(1)} s → ${opts.out}`);
      if (rejected > 0) setCode(1);
    });
}

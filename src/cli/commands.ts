// The verbs. Each parses its options, calls one use case, prints the result.
import { resolve } from "node:path";
import type { Command } from "commander";
import { badInput } from "../contracts/errors.ts";
import { eventJsonSchema, type Event } from "../contracts/events.ts";
import type { Alert } from "../contracts/alerts.ts";
import { ingestLines, describeRejection, validateText, type Rejection } from "../ingest/ingest.ts";
import { openInput, readLines } from "../ingest/lines.ts";
import { detect, listTypologies } from "../engine/index.ts";
import { writeSimulation } from "../sim/write.ts";
import { loadConfig } from "./config.ts";
import { line, warn, type CliIo } from "./io.ts";
import { progressBar } from "./progress.ts";
import { openConfiguredStore } from "./store.ts";
import { startCommand } from "./start.ts";
import { formatAlertSummary } from "./summary.ts";
import { fileSize, writeNdjson } from "./files.ts";
import { registerIdentityCommands } from "./identity-commands.ts";
import { registerPrivacyCommands } from "./privacy-commands.ts";
import { registerCaseCommands } from "./case-commands.ts";
import { registerReportCommands } from "./report-commands.ts";
import { registerPurgeCommands } from "./purge-commands.ts";
import { registerAmlsimCommand } from "./amlsim.ts";
import { linkAccounts } from "./link.ts";
import { registerBacktestCommand } from "./backtest.ts";
import { registerRuleCommands, settingsRegistry, storedDetectionSettings } from "./rule-commands.ts";

const MAX_REJECTIONS_SHOWN = 20;

function reportRejection(io: CliIo, shown: { n: number }) {
  return (r: Rejection) => {
    shown.n++;
    if (shown.n <= MAX_REJECTIONS_SHOWN) warn(io, `rejected ${describeRejection(r)}`);
    else if (shown.n === MAX_REJECTIONS_SHOWN + 1) warn(io, "… further rejections are counted but not shown");
  };
}

/** Reads an NDJSON event file, validating every line; bad lines are reported, good events returned. */
export async function readEventFile(io: CliIo, path: string): Promise<{ events: Event[]; rejected: number }> {
  await fileSize(path);
  const events: Event[] = [];
  const shown = { n: 0 };
  const onReject = reportRejection(io, shown);
  for await (const l of readLines(openInput(path))) {
    const r = validateText(l.text);
    if (r.ok) events.push(r.event);
    else onReject({ where: `line ${l.no}`, issues: r.issues });
  }
  return { events, rejected: shown.n };
}

export function registerCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command("start")
    .description("run Kanshi: on an empty store, simulate and ingest a demo consortium day and detect; then serve the API")
    .option("--no-demo", "do not load the demo day into an empty store")
    .action(async (opts: { demo: boolean }) => setCode(await startCommand(io, { demo: opts.demo })));

  program
    .command("simulate")
    .description("write a synthetic consortium day: events.ndjson, labels.ndjson (what was injected), people.ndjson")
    .requiredOption("--out <dir>", "output directory")
    .option("--seed <n>", "random seed", "7")
    .option("--people <n>", "number of simulated people", "5000")
    .option("--days <n>", "number of days", "1")
    .option("--no-injections", "a clean population: no injected typologies")
    .action(async (opts: { out: string; seed: string; people: string; days: string; injections: boolean }) => {
      const seed = wholeNumber(opts.seed, "--seed", 0);
      const people = wholeNumber(opts.people, "--people", 1);
      const days = wholeNumber(opts.days, "--days", 1);
      const cfg = loadConfig(io);
      const started = Date.now();
      const r = await writeSimulation(resolve(io.cwd, opts.out), { seed, people, days, injections: opts.injections, dataDir: cfg.sharedDataDir });
      line(io, `simulated seed ${seed}: ${r.events.toLocaleString("en-US")} events, ${r.labels} injections, ${r.people.toLocaleString("en-US")} people in ${((Date.now() - started) / 1000).toFixed(1)} s → ${opts.out}`);
    });

  program
    .command("ingest")
    .description("append events from an NDJSON file (.ndjson or .ndjson.gz) to the event log")
    .argument("<file>", "events, one JSON object a line")
    .option("--batch <n>", "events per committed batch", "2000")
    .action(async (file: string, opts: { batch: string }) => {
      const path = resolve(io.cwd, file);
      const size = await fileSize(path);
      const batchSize = wholeNumber(opts.batch, "--batch", 1);
      const store = await openConfiguredStore(io);
      try {
        const raw = openInput(path);
        let bytes = 0;
        const source = path.endsWith(".gz") ? raw : raw.on("data", (c: Buffer) => (bytes += c.length));
        const bar = progressBar(io, "ingest", path.endsWith(".gz") ? 0 : size, "events");
        const shown = { n: 0 };
        const started = Date.now();
        const counts = await ingestLines(store, readLines(source), {
          batchSize,
          onReject: reportRejection(io, shown),
          onProgress: (c) => bar.update(bytes, { count: c.accepted + c.duplicate + c.rejected }),
        });
        bar.stop();
        const secs = (Date.now() - started) / 1000;
        const total = counts.accepted + counts.duplicate + counts.rejected;
        line(io, `ingested ${file}: ${counts.accepted.toLocaleString("en-US")} accepted, ${counts.duplicate.toLocaleString("en-US")} duplicate, ${counts.rejected.toLocaleString("en-US")} rejected (${Math.round(total / Math.max(secs, 0.001)).toLocaleString("en-US")} events/s)`);
        if (counts.rejected > 0) setCode(1);
      } finally {
        await store.close();
      }
    });

  program
    .command("detect")
    .description("replay events through every typology and published rule (configs from the store where there is one, else defaults) and write the alerts as NDJSON")
    .argument("<events>", "events file (.ndjson or .ndjson.gz)")
    .requiredOption("--out <file>", "alerts output (NDJSON)")
    .option("--no-entities", "key detection by account only (skip identity resolution across exchanges)")
    .action(async (file: string, opts: { out: string; entities: boolean }) => {
      const started = Date.now();
      const { events, rejected } = await readEventFile(io, resolve(io.cwd, file));
      const keying = opts.entities ? await linkAccounts(io, events) : undefined;
      // Where there is a store, its published rules and typology configs are in force.
      const stored = await storedDetectionSettings(io);
      if (stored !== undefined && (stored.rules.length > 0 || Object.keys(stored.configs).length > 0)) {
        line(io, `store: ${stored.rules.length} published rule(s)${Object.keys(stored.configs).length > 0 ? `, config overrides for ${Object.keys(stored.configs).join(", ")}` : ""}`);
      }
      const alerts = detect(events, { ...(keying ?? {}), ...(stored === undefined ? {} : { registry: settingsRegistry(stored.rules), configs: stored.configs }) });
      await writeNdjson(resolve(io.cwd, opts.out), alerts);
      const secs = (Date.now() - started) / 1000;
      line(io, `detected over ${events.length.toLocaleString("en-US")} events in ${secs.toFixed(1)} s: ${alerts.length.toLocaleString("en-US")} alerts → ${opts.out}`);
      line(io, formatAlertSummary(alerts));
      if (rejected > 0) {
        warn(io, `${rejected} line(s) of ${file} were rejected and not replayed`);
        setCode(1);
      }
    });

  program
    .command("typologies")
    .description("list the typologies with their versions and default configuration")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const list = listTypologies();
      if (opts.json) return void line(io, JSON.stringify(list, null, 2));
      for (const t of list) line(io, `${t.id.padEnd(26)} v${t.version}  config ${t.configVersion}  ${t.description}`);
    });

  program
    .command("alerts")
    .description("list stored alerts, newest first")
    .option("--typology <id>", "only this typology")
    .option("--account <id>", "only alerts involving this account")
    .option("--limit <n>", "how many", "20")
    .option("--json", "print a JSON array")
    .action(async (opts: { typology?: string; account?: string; limit: string; json?: boolean }) => {
      const store = await openConfiguredStore(io);
      try {
        const q: { typology?: string; account?: string; limit: number } = { limit: wholeNumber(opts.limit, "--limit", 1) };
        if (opts.typology) q.typology = opts.typology;
        if (opts.account) q.account = opts.account;
        const page = await store.listAlerts(q);
        if (opts.json) return void line(io, JSON.stringify(page.items, null, 2));
        for (const a of page.items) printAlert(io, a);
        if (page.items.length === 0) line(io, "no alerts");
      } finally {
        await store.close();
      }
    });

  registerIdentityCommands(program, io, setCode);
  registerPrivacyCommands(program, io, setCode);
  registerCaseCommands(program, io, setCode);
  registerReportCommands(program, io, setCode);
  registerPurgeCommands(program, io, setCode);
  registerAmlsimCommand(program, io);
  registerBacktestCommand(program, io, setCode);
  registerRuleCommands(program, io);

  program
    .command("schema")
    .description("print the JSON Schema of the event format")
    .action(() => void line(io, JSON.stringify(eventJsonSchema(), null, 2)));
}

function printAlert(io: CliIo, a: Alert) {
  line(io, `${a.ts}  ${a.typology.padEnd(24)} score ${String(a.score).padStart(3)}  ${a.subject.kind}:${a.subject.id}  ${a.explanation}`);
}

function wholeNumber(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw badInput(`expected a whole number ≥ ${min}; got ${JSON.stringify(raw)}`, name);
  return n;
}

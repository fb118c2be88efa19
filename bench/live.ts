// The live path over HTTP: events/s sustained into the durable log with detection on, and latency
// from POST to alert, with the load generator on loopback.
//
// The server is a child process (so its CPU time is its own): the app `kanshi start` serves
// (src/cli/live.ts buildLiveApp: embedded PGlite in the scratch directory, personal data sealed,
// identities, cases, disclosures, reports, live detection), listening on 127.0.0.1, port 0, API keys
// checked on every request (one exchange officer or data provider key per source; the per-principal
// rate limit is off, KANSHI_RATE_LIMIT=0, as a deployment feeding at this rate would set it).
// This process is the load generator: the first BENCH_LIVE_EVENTS events of the simulated day
// (default 200,000), in order, gathered per source into JSON-array batches of BENCH_LIVE_BATCH
// (default 500) and POSTed with each source's own key over BENCH_LIVE_CONNECTIONS keep-alive
// connections (default 4), as fast as answered, or (BENCH_LIVE_RATE=n) offered at n events/s to see
// the latency below saturation. An analyst follows GET /v1/alerts/stream (SSE); each alert's latency is
// the time from the POST that carried its newest evidence event to the alert's arrival.
//
// BENCH_LIVE_STORE=postgres serves from a throwaway PostgreSQL server (durable settings) instead.
// BENCH_LIVE_PROFILE=1 profiles the server's CPU during the load (the inspector's sampling profiler,
// start-up left out) and prints where its time went (self time by function and by area);
// BENCH_LIVE_PROFILE_OUT=<dir> keeps the .cpuprofile there.
import { fork, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { Agent, request, type IncomingMessage } from "node:http";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openInput, readLines } from "../src/ingest/lines.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const CHILD_FLAG = "KANSHI_BENCH_LIVE_SERVER";
const EXCHANGES = new Set(["bitflyer", "coincheck", "bitbank", "gmo-coin", "sbi-vc"]);

interface Ready {
  type: "ready";
  url: string;
  /** Bearer keys: one per source, and "analyst". */
  keys: Record<string, string>;
}
interface Cpu {
  type: "cpu";
  user: number;
  system: number;
  rss: number;
}
type FromChild = Ready | Cpu;

// ---- the server (child process) -----------------------------------------------------------------

async function serve(): Promise<void> {
  const [{ buildLiveApp }, { openConfiguredStore }, { generateApiKey }] = await Promise.all([
    import("../src/cli/live.ts"),
    import("../src/cli/store.ts"),
    import("../src/privacy/credentials.ts"),
  ]);
  const dir = process.env.KANSHI_BENCH_LIVE_DIR!;
  const sources = (process.env.KANSHI_BENCH_LIVE_SOURCES ?? "").split(",").filter(Boolean);
  const io = {
    stdout: process.stderr,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: resolve(here, ".."),
    env: { ...process.env, KANSHI_DATA: join(dir, "data"), LOG_LEVEL: process.env.BENCH_LIVE_LOG_LEVEL ?? "silent", KANSHI_RATE_LIMIT: "0", KANSHI_SHARED_DATA: resolve(here, "../../shared/data") },
  };
  const store = await openConfiguredStore(io);
  const keys: Record<string, string> = {};
  const add = async (name: string, role: "analyst" | "exchange_officer" | "data_provider", tenant?: string) => {
    const k = generateApiKey();
    await store.principals().addApiKey({ id: k.id, name: `bench-${name}`, role, ...(tenant === undefined ? {} : { tenant }), keyHash: k.hash });
    return k.key;
  };
  for (const s of sources) keys[s] = await add(s, EXCHANGES.has(s) ? "exchange_officer" : "data_provider", s);
  keys.analyst = await add("analyst", "analyst");
  const live = await buildLiveApp(io, store);
  const url = await live.app.listen({ host: "127.0.0.1", port: 0 });
  // Profiling covers the load only (between the first and the second "cpu" message), not start-up.
  const profileTo = process.env.KANSHI_BENCH_LIVE_PROFILE_TO;
  const inspector = profileTo ? new (await import("node:inspector/promises")).Session() : undefined;
  let cpuAsks = 0;
  process.on("message", async (m: { type: string }) => {
    if (m.type === "cpu") {
      cpuAsks++;
      if (inspector && cpuAsks === 1) {
        inspector.connect();
        await inspector.post("Profiler.enable");
        await inspector.post("Profiler.setSamplingInterval", { interval: 500 });
        await inspector.post("Profiler.start");
      } else if (inspector && cpuAsks === 2) {
        const { profile } = await inspector.post("Profiler.stop");
        await writeFile(profileTo!, JSON.stringify(profile));
        inspector.disconnect();
      }
      const c = process.cpuUsage();
      process.send!({ type: "cpu", user: c.user, system: c.system, rss: process.memoryUsage().rss } satisfies Cpu);
    } else if (m.type === "stop") {
      void (async () => {
        await live.close();
        await store.close();
        process.exit(0);
      })();
    }
  });
  process.send!({ type: "ready", url, keys } satisfies Ready);
}

if (process.env[CHILD_FLAG] === "1") await serve();

// ---- the load generator (this process) ------------------------------------------------------------

interface Batch {
  source: string;
  body: string;
  keys: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function next<T extends FromChild["type"]>(child: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolveMsg, reject) => {
    const onMsg = (m: FromChild) => {
      if (m.type !== type) return;
      child.off("message", onMsg);
      child.off("exit", onExit);
      resolveMsg(m as Extract<FromChild, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the server exited (${code}) before sending ${type}`));
    child.on("message", onMsg);
    child.once("exit", onExit);
  });
}

function post(agent: Agent, url: URL, key: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolveRes, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: "/v1/events", method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveRes({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Follows the SSE stream; calls `onAlert` with each alert's evidence keys as it arrives. */
function follow(url: URL, key: string, onAlert: (evidence: readonly string[], at: number) => void): Promise<{ close: () => void }> {
  return new Promise((resolveFollow, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: "/v1/alerts/stream", headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`alert stream answered ${res.statusCode}`));
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (chunk: string) => {
        const at = performance.now();
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          for (const line of block.split("\n")) {
            if (!line.startsWith("data:")) continue;
            const alert = JSON.parse(line.slice(5)) as { evidence?: string[] };
            onAlert(alert.evidence ?? [], at);
          }
        }
      });
      res.on("error", () => undefined);
      resolveFollow({ close: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time of a V8 .cpuprofile by function and by area, as printable lines. */
export function summariseProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top = 30): string[] {
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  const root = resolve(here, "..");
  const areaOf = (u: string, fn: string): string => {
    if (u === "") return fn === "(garbage collector)" ? "gc" : fn === "(idle)" || fn === "(program)" ? fn : "native";
    const rel = u.replace(/^file:\/\//, "").replace(root + "/", "");
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
    if (m) return `npm:${m[1]}`;
    if (rel.startsWith("src/")) return rel.split("/").slice(0, 2).join("/");
    if (rel.startsWith("node:")) return rel.split("/")[0]!;
    return rel.split("/").slice(0, 2).join("/");
  };
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const u = n.callFrame.url;
    const rel = u.replace(/^file:\/\//, "").replace(root + "/", "");
    const key = `${n.callFrame.functionName || "(anonymous)"} ${rel ? `${rel}:${n.callFrame.lineNumber + 1}` : ""}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const area = areaOf(u, n.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`server CPU profile: ${(total / 1e6).toFixed(1)} s sampled`, "by area (self time):"];
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`  ${pct(us)}  ${a}`);
  lines.push("by function (self time):");
  for (const [f, us] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${f}`);
  return lines;
}

/** The "live" bench section: POST /v1/events over loopback into a child server, with POST→alert latency over SSE. */
export const live: BenchSection = {
  name: "live",
  async run(ctx) {
    const total = Number(process.env.BENCH_LIVE_EVENTS ?? 200_000);
    const batchSize = Number(process.env.BENCH_LIVE_BATCH ?? 500);
    const connections = Number(process.env.BENCH_LIVE_CONNECTIONS ?? 4);
    const profiling = process.env.BENCH_LIVE_PROFILE === "1";
    // Open loop at this many events/s (0: as fast as the server answers, a closed loop).
    const rate = Number(process.env.BENCH_LIVE_RATE ?? 0);

    // The events, in order, gathered per source into batches (a batch is sent once it is full).
    const open = new Map<string, { lines: string[]; keys: string[] }>();
    const batches: Batch[] = [];
    let n = 0;
    const flush = (source: string) => {
      const b = open.get(source);
      if (!b || b.lines.length === 0) return;
      batches.push({ source, body: `[${b.lines.join(",")}]`, keys: b.keys });
      open.delete(source);
    };
    // BENCH_LIVE_FROM=<RFC 3339 time> leaves out the events before it: with the simulated day's
    // midnight (2026-11-02T00:00:00+09:00), the history (mostly account openings, KYC and credit
    // records, each sealed field by field) stays out and the trading day alone is sent.
    const from = process.env.BENCH_LIVE_FROM ? Date.parse(process.env.BENCH_LIVE_FROM) : -Infinity;
    if (Number.isNaN(from)) throw new Error(`BENCH_LIVE_FROM: expected an RFC 3339 time; got ${process.env.BENCH_LIVE_FROM}`);
    for await (const l of readLines(openInput(ctx.eventsFile))) {
      if (n >= total) break;
      const e = JSON.parse(l.text) as { source: string; id: string; ts: string };
      if (from > -Infinity && Date.parse(e.ts) < from) continue;
      n++;
      let b = open.get(e.source);
      if (!b) open.set(e.source, (b = { lines: [], keys: [] }));
      b.lines.push(l.text);
      b.keys.push(`${e.source}:${e.id}`);
      if (b.lines.length >= batchSize) flush(e.source);
    }
    for (const s of [...open.keys()]) flush(s);
    // When each batch is due in an open-loop run: after the events before it, at `rate`.
    const due: number[] = [];
    let before = 0;
    for (const b of batches) {
      due.push(rate > 0 ? (before / rate) * 1000 : 0);
      before += b.keys.length;
    }
    const sources = [...new Set(batches.map((b) => b.source))].sort();

    // BENCH_LIVE_STORE=postgres: a PostgreSQL server (durable settings) instead of embedded PGlite.
    const pgServer = process.env.BENCH_LIVE_STORE === "postgres" ? await (await import("../src/store/testing/pg-server.ts")).startPostgres({ durable: true }) : undefined;
    const profDir = join(ctx.dir, "live-prof");
    if (profiling) await mkdir(profDir, { recursive: true });
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: {
        ...process.env,
        [CHILD_FLAG]: "1",
        KANSHI_BENCH_LIVE_DIR: join(ctx.dir, "live"),
        KANSHI_BENCH_LIVE_SOURCES: sources.join(","),
        ...(pgServer ? { DATABASE_URL: pgServer.url } : {}),
        // The profiler sees one thread: a profiled run keeps the embedded database on the main
        // thread (unless KANSHI_STORE_THREAD says otherwise), so that its time shows.
        ...(profiling ? { KANSHI_BENCH_LIVE_PROFILE_TO: join(profDir, "live-server.cpuprofile"), KANSHI_STORE_THREAD: process.env.KANSHI_STORE_THREAD ?? "0" } : {}),
      },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const rows: BenchRow[] = [];
    try {
      const ready = await next(child, "ready");
      const url = new URL(ready.url);
      const sentAt = new Map<string, number>();
      const alertLatency: number[] = [];
      let alerts = 0;
      let lastAlertAt = 0;
      const stream = await follow(url, ready.keys.analyst!, (evidence, at) => {
        alerts++;
        lastAlertAt = at;
        let sent = -Infinity;
        for (const k of evidence) {
          const t = sentAt.get(k);
          if (t !== undefined && t > sent) sent = t;
        }
        if (sent > -Infinity) alertLatency.push(at - sent);
      });

      const agent = new Agent({ keepAlive: true, maxSockets: connections });
      const rtt: number[] = [];
      let accepted = 0;
      let rejected = 0;
      let cursor = 0;
      const cpu0 = await (child.send({ type: "cpu" }), next(child, "cpu"));
      const t0 = performance.now();
      const worker = async () => {
        for (;;) {
          const i = cursor++;
          if (i >= batches.length) return;
          const b = batches[i]!;
          const wait = t0 + due[i]! - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const start = performance.now();
          for (const k of b.keys) sentAt.set(k, start);
          const res = await post(agent, url, ready.keys[b.source]!, b.body);
          rtt.push(performance.now() - start);
          if (res.status !== 200 && res.status !== 400) throw new Error(`POST /v1/events answered ${res.status}: ${res.text.slice(0, 300)}`);
          const r = JSON.parse(res.text) as { accepted: number; rejected: number };
          accepted += r.accepted;
          rejected += r.rejected;
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
      const wall = (performance.now() - t0) / 1000;
      const cpu1 = await (child.send({ type: "cpu" }), next(child, "cpu"));
      // Alerts still on their way: wait until the stream has been quiet for a second.
      const settleStart = performance.now();
      while (performance.now() - Math.max(lastAlertAt, settleStart) < 1000 && performance.now() - settleStart < 30_000) await new Promise((r) => setTimeout(r, 100));
      stream.close();
      agent.destroy();
      const serverCpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1e6;
      rtt.sort((a, b) => a - b);
      alertLatency.sort((a, b) => a - b);
      const onThread = (profiling ? (process.env.KANSHI_STORE_THREAD ?? "0") : (process.env.KANSHI_STORE_THREAD ?? "1")) !== "0";
      const where = pgServer ? "PostgreSQL server (its processes' CPU not counted)" : `embedded PGlite (${onThread ? "own thread" : "main thread"})`;
      const load = `${from > -Infinity ? `events from ${process.env.BENCH_LIVE_FROM}; ` : ""}${where}; ${connections} connections, JSON batches of ${batchSize} per source${rate > 0 ? `, offered at ${rate.toLocaleString("en-US")} events/s` : ", closed loop"}`;
      rows.push({ name: "live: POST /v1/events sustained", value: accepted / wall, unit: "events/s", note: `${accepted.toLocaleString("en-US")} events (${rejected} rejected) in ${wall.toFixed(1)} s wall; ${load}; detection on` });
      rows.push({ name: "live: server events per CPU-second", value: accepted / serverCpu, unit: "events/s", note: `server process ${serverCpu.toFixed(1)} CPU-s (user+sys) for the run; RSS ${(cpu1.rss / 2 ** 20).toFixed(0)} MiB` });
      rows.push({ name: "live: POST→alert p50", value: percentile(alertLatency, 50), unit: "ms", note: `${alertLatency.length.toLocaleString("en-US")} of ${alerts.toLocaleString("en-US")} alerts matched to their newest evidence event's POST` });
      rows.push({ name: "live: POST→alert p99", value: percentile(alertLatency, 99), unit: "ms", note: "SSE /v1/alerts/stream, analyst" });
      rows.push({ name: "live: POST round trip p50", value: percentile(rtt, 50), unit: "ms", note: `${rtt.length.toLocaleString("en-US")} requests` });
      rows.push({ name: "live: POST round trip p99", value: percentile(rtt, 99), unit: "ms", note: "stored durably, detected, alerts saved before the answer" });
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.send({ type: "stop" });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await pgServer?.stop();
    }
    if (profiling) {
      for (const f of ["live-server.cpuprofile"]) {
        const profile = JSON.parse(await readFile(join(profDir, f), "utf8")) as Parameters<typeof summariseProfile>[0];
        console.error(summariseProfile(profile).join("\n"));
        const keep = process.env.BENCH_LIVE_PROFILE_OUT;
        if (keep) {
          await mkdir(keep, { recursive: true });
          await copyFile(join(profDir, f), join(keep, f));
        }
      }
    }
    return rows;
  },
};

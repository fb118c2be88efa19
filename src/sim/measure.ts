// Measure the simulator: time to plan and write a simulated period, events per second, and how often
// the background matches the injected typologies by itself (reference rules, oracle.ts).
//
//   node --import tsx src/sim/measure.ts [--people 100000] [--days 1] [--seed 7] [--clean] [--check]
//
// --check re-reads the stream through the reference rules (both readings of "latest snapshot", per
// account and per person) and prints recall, precision and background false positives.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate } from "./evaluate.ts";
import { REFERENCE_TYPOLOGIES, referenceMatches } from "./oracle.ts";
import { simulate } from "./simulate.ts";
import { writeSimulation } from "./write.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v)) throw new Error(`--${name} expects a whole number`);
  return v;
}

const people = arg("people", 100_000);
const days = arg("days", 1);
const seed = arg("seed", 7);
const injections = !process.argv.includes("--clean");
const opts = { seed, people, days, injections };

const dir = await mkdtemp(join(tmpdir(), "kanshi-sim-"));
try {
  const t0 = performance.now();
  const r = await writeSimulation(dir, opts);
  const secs = (performance.now() - t0) / 1000;
  const mem = process.memoryUsage();
  console.log(`${people.toLocaleString("en-US")} people, ${days} day(s), seed ${seed}${injections ? "" : " (clean)"}`);
  console.log(`  wrote ${r.events.toLocaleString("en-US")} events in ${secs.toFixed(1)} s: ${Math.round(r.events / secs).toLocaleString("en-US")} events/s (plan + stream + JSON + disk)`);
  console.log(`  accounts ${r.accounts.toLocaleString("en-US")}, people ${r.people.toLocaleString("en-US")}, labels ${r.labels}, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`  by type ${JSON.stringify(r.eventsByType)}`);
  console.log(`  background ${JSON.stringify(r.stats.background)}`);
  for (const n of r.notes) console.log(`  note: ${n}`);

  if (process.argv.includes("--check")) {
    const sim = simulate(opts);
    const owner = new Map<string, string>();
    for (const p of sim.people) for (const a of p.accounts) owner.set(a.accountId, p.personId);
    const injected = new Map<string, Set<string>>(REFERENCE_TYPOLOGIES.map((t) => [t, new Set(sim.labels.filter((l) => l.typology === t).flatMap((l) => l.accounts))]));
    for (const scope of ["market", "source"] as const) {
      for (const entity of [false, true]) {
        const t1 = performance.now();
        const matches = referenceMatches(sim.events, { snapshotScope: scope, ...(entity ? { subjectOf: (a: string) => owner.get(a) ?? a } : {}) });
        const alerts = matches.map((m) => ({ typology: m.typology, accounts: m.accounts, subject: { kind: "account" as const, id: m.accounts[0]! }, ts: m.ts }));
        const parts = REFERENCE_TYPOLOGIES.map((t) => {
          const e = evaluate(sim.labels, alerts, t);
          const fp = new Set(alerts.filter((a) => a.typology === t).flatMap((a) => a.accounts).filter((a) => !injected.get(t)!.has(a)));
          return `${t}: recall ${e.recall.toFixed(3)} precision ${e.precision.toFixed(3)} (${e.alerts} alerts, ${fp.size} background accounts)`;
        });
        console.log(`  reference rules [snapshot per ${scope}, subject per ${entity ? "person" : "account"}] ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        for (const p of parts) console.log(`    ${p}`);
      }
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

// graph-patterns on an AMLSim sample under three configurations, node-level against the sample's
// laundering accounts: Kanshi's defaults, AMLSim's shapes alone (the whole sample as the window, no
// money lines), and the config tuned to the 2019 samples. Slower than a test (the shapes-only run
// alerts on most of the sample); run it by hand:
//
//   node --import tsx src/cli/amlsim.bench.ts [sample.tgz|dir]   (default ../shared/data/amlsim/20K_fanin200.tgz)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEvent, type Event } from "../contracts/index.ts";
import { detect } from "../engine/index.ts";
import { AMLSIM_2019_GRAPH_CONFIG, convertAmlsim, nodeScores, readAmlsimSample } from "./amlsim.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const path = resolve(process.argv[2] ?? resolve(here, "../../../shared/data/amlsim/20K_fanin200.tgz"));

const CONFIGS: Array<[string, unknown]> = [
  ["Kanshi defaults", {}],
  [
    "shapes only (whole sample, ≥ 5 parties, no money lines)",
    { windowHours: 150 * 24, minEdgeJpy: 0, fanIn: { minTotalJpy: 0 }, fanOut: { minTotalJpy: 0 }, cycle: { minEdgeJpy: 0 }, scatterGather: { minTotalJpy: 0 }, gatherScatter: { minTotalJpy: 0 } },
  ],
  ["AMLSIM_2019_GRAPH_CONFIG", AMLSIM_2019_GRAPH_CONFIG],
];

let t = Date.now();
const c = convertAmlsim(await readAmlsimSample(path));
const events: Event[] = [];
for (const w of c.events) {
  const r = parseEvent(w);
  if (!r.ok) throw new Error(`converted event does not parse: ${JSON.stringify(r.issues)}`);
  events.push(r.event);
}
console.log(`${path}: ${c.accounts.length} accounts (${c.fraud.size} laundering), ${events.length - c.accounts.length} transfers; converted and parsed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
console.log("config / pattern                                              flagged  true pos.  precision  recall   seconds");
for (const [name, config] of CONFIGS) {
  t = Date.now();
  const alerts = detect(events, { typologies: ["graph-patterns"], configs: { "graph-patterns": config } });
  const secs = (Date.now() - t) / 1000;
  const row = (label: string, s: ReturnType<typeof nodeScores>, time = "") =>
    console.log(`${label.padEnd(60)} ${String(s.flagged).padStart(8)} ${String(s.truePositive).padStart(10)} ${s.precision.toFixed(3).padStart(10)} ${s.recall.toFixed(3).padStart(7)} ${time.padStart(9)}`);
  row(name, nodeScores(alerts, c.fraud), secs.toFixed(1));
  for (const p of ["fan-in", "fan-out", "cycle", "scatter-gather", "gather-scatter"]) {
    const mine = alerts.filter((a) => a.details?.pattern === p);
    if (mine.length > 0) row(`  ${p} (${mine.length} alerts)`, nodeScores(mine, c.fraud));
  }
}

// Child process of crash.test.ts: append synthetic events to a PGlite data directory in batches and
// print "acked <n>" (events acknowledged so far) after each batch has committed. The parent kills it
// with SIGKILL part-way.
//   node --import tsx src/store/testing/crash-writer.ts <dataDir> <total> <batchSize>
import { openStore } from "../open.ts";
import { syntheticEvents } from "./synthetic.ts";

const [dataDir, totalArg, batchArg] = process.argv.slice(2);
const total = Number(totalArg);
const batch = Number(batchArg);
if (!dataDir || !Number.isInteger(total) || !Number.isInteger(batch) || batch < 1) {
  process.stderr.write("usage: crash-writer.ts <dataDir> <total> <batchSize>\n");
  process.exit(2);
}

const store = await openStore({ dataDir });
process.stdout.write("ready\n");
for (let start = 0; start < total; start += batch) {
  const out = await store.appendEvents(syntheticEvents(start, Math.min(batch, total - start)), { atomic: true });
  if (out.some((o) => o !== "accepted")) throw new Error(`batch at ${start}: expected every event to be new`);
  process.stdout.write(`acked ${start + out.length}\n`);
}
await store.close();

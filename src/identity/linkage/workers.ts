// Preparing a batch's records on worker threads (prepare-worker.ts), for resolveWithReport's
// `prepared` option: normalisation and blind indexing are most of a batch's time and need nothing
// from other records, so they spread over the machine's cores; blocking, comparison, EM and
// clustering stay on the calling thread.
import { Worker } from "node:worker_threads";
import type { IdentityRecord } from "./record.ts";
import type { prepareChunk } from "./resolve.ts";

type Chunk = ReturnType<typeof prepareChunk>;

/** Prepares `records` under `key` on `workers` threads, in slices of at most `sliceSize`, in order. */
export async function preparedInWorkers(
  records: readonly IdentityRecord[],
  key: Uint8Array,
  workers: number,
  opts: { sliceSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Chunk[]> {
  const sliceSize = opts.sliceSize ?? 50_000;
  let done = 0;
  const slices: Array<[number, number]> = [];
  for (let at = 0; at < records.length; at += sliceSize) slices.push([at, Math.min(records.length, at + sliceSize)]);
  const out = new Array<Chunk>(slices.length);
  // A young generation of 192 MiB (semi-spaces of 64 MiB): preparation makes much short-lived
  // garbage, and small semi-spaces promote it to the old generation, where collecting costs more.
  // Workers do not inherit the tsx loader: each registers it, then loads the TypeScript worker.
  const entry = new URL("./prepare-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const pool = Array.from({ length: Math.max(1, workers) }, () => new Worker(bootstrap, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 192 } }));
  try {
    let next = 0;
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            // Two slices in flight per worker, so that it never waits for the next one.
            let inFlight = 0;
            const send = () => {
              if (next >= slices.length) {
                if (inFlight === 0) resolve();
                return;
              }
              const id = next++;
              const [from, to] = slices[id] as [number, number];
              inFlight++;
              w.postMessage({ id, records: records.slice(from, to), key });
            };
            w.on("message", (m: { id: number; chunk: Chunk }) => {
              out[m.id] = m.chunk;
              done += m.chunk.size;
              opts.onProgress?.(done, records.length);
              inFlight--;
              send();
            });
            w.on("error", reject);
            send();
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}

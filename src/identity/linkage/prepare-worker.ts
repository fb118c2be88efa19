// A worker thread of preparedInWorkers (workers.ts): prepares the slices of records it is sent
// (prepareChunk: normalisation and blind indexes, most of a batch's time) and sends back the
// columns, transferring their buffers.
import { parentPort } from "node:worker_threads";
import type { IdentityRecord } from "./record.ts";
import { prepareChunk } from "./resolve.ts";

if (!parentPort) throw new Error("prepare-worker.ts runs as a worker thread (see workers.ts)");
const port = parentPort;
port.on("message", (m: { id: number; records: IdentityRecord[]; key: Uint8Array }) => {
  const chunk = prepareChunk(m.records, { key: m.key });
  const buffers = Object.values(chunk.columns).map((c) => c.buffer as ArrayBuffer);
  port.postMessage({ id: m.id, chunk }, buffers);
});

// A worker thread of the linkage benchmark: prepares the slices of records it is sent
// (prepareChunk: normalisation and blind indexes, most of a batch's time) and sends back the
// columns, transferring their buffers.
import { parentPort } from "node:worker_threads";
import { prepareChunk } from "../src/identity/linkage/resolve.ts";
import type { IdentityRecord } from "../src/identity/index.ts";

if (!parentPort) throw new Error("bench/linkage-worker.ts runs as a worker thread");
const port = parentPort;
port.on("message", (m: { id: number; records: IdentityRecord[]; key: Uint8Array }) => {
  const chunk = prepareChunk(m.records, { key: m.key });
  const buffers = Object.values(chunk.columns).map((c) => c.buffer as ArrayBuffer);
  port.postMessage({ id: m.id, chunk }, buffers);
});

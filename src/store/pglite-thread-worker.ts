// The worker side of pglite-thread.ts: owns the embedded database (openPgliteDb, with its lock and
// durable filesystem) and answers the calling thread's requests one message at a time. A
// transaction is a session held open here until the caller's `end` message commits or rolls it back.
import { parentPort } from "node:worker_threads";
import { openPgliteDb, type PgliteDatabase, type PgliteDbOptions } from "./pglite-db.ts";
import type { SqlQueryable } from "./sql.ts";
import type { Reply, Request, WireError } from "./pglite-thread.ts";

const port = parentPort;
if (port === null) throw new Error("pglite-thread-worker.ts runs on a worker thread only");

/** An error as plain data: its message and the fields callers test (PostgreSQL's `code`, …). */
function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { message: String(e), props: {} };
  const props: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(e)) if (typeof v === "string" || typeof v === "number") props[k] = v;
  return { message: e.message, name: e.name, props };
}

const send = (r: Reply, transfer?: ArrayBuffer[]) => port.postMessage(r, transfer);

let db: PgliteDatabase | undefined;
/** Open transactions: the handle to query through and how to finish it. */
const txs = new Map<number, { tx: SqlQueryable; finish: (commit: boolean, error?: WireError) => void }>();

const target = (tx: number | undefined): SqlQueryable => {
  if (tx === undefined) return db!;
  const t = txs.get(tx);
  if (t === undefined) throw new Error(`store: no open transaction ${tx}`);
  return t.tx;
};

port.on("message", (m: Request) => {
  void handle(m);
});

async function handle(m: Request): Promise<void> {
  try {
    switch (m.t) {
      case "open":
        db = await openPgliteDb(m.opts as PgliteDbOptions);
        send({ id: m.id, ok: true });
        return;
      case "query":
        send({ id: m.id, ok: true, rows: await target(m.tx).query(m.sql, m.params) });
        return;
      case "exec":
        await target(m.tx).exec(m.sql);
        send({ id: m.id, ok: true });
        return;
      case "begin": {
        const tx = m.tx;
        // Answered twice: once the transaction is open (id), once it has ended (endId, in `end`).
        let endId = -1;
        const done = db!.transaction(
          (handle) =>
            new Promise<void>((resolve, reject) => {
              txs.set(tx, {
                tx: handle,
                finish: (commit, error) => {
                  if (commit) resolve();
                  else reject(Object.assign(new Error(error?.message ?? "rolled back"), { rollback: true }));
                },
              });
              send({ id: m.id, ok: true });
            }),
        );
        endIds.set(tx, (id) => (endId = id));
        try {
          await done;
          send({ id: endId, ok: true });
        } catch (e) {
          // A rollback the caller asked for is not an error of its own; a failed COMMIT is.
          if ((e as { rollback?: boolean }).rollback === true) send({ id: endId, ok: true });
          else send({ id: endId, ok: false, error: toWire(e) });
        } finally {
          txs.delete(tx);
          endIds.delete(tx);
        }
        return;
      }
      case "end": {
        const t = txs.get(m.tx);
        if (t === undefined) throw new Error(`store: no open transaction ${m.tx}`);
        endIds.get(m.tx)?.(m.id);
        t.finish(m.commit, m.error);
        return;
      }
      case "dump": {
        const blob = await db!.dump();
        const bytes = await blob.arrayBuffer();
        send({ id: m.id, ok: true, bytes }, [bytes]);
        return;
      }
      case "close":
        await db?.close();
        db = undefined;
        send({ id: m.id, ok: true });
        return;
    }
  } catch (e) {
    send({ id: m.id, ok: false, error: toWire(e) });
  }
}

/** Where each open transaction's `end` answer goes (the id of the `end` request). */
const endIds = new Map<number, (id: number) => void>();

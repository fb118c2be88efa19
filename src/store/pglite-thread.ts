// Embedded PostgreSQL on its own thread. PGlite runs PostgreSQL (WebAssembly) on the thread that
// calls it, so in one thread every statement's CPU is taken from HTTP parsing, validation, sealing
// and detection. Here the database lives on a worker thread (pglite-thread-worker.ts, which opens it
// with openPgliteDb: same lock, same durable filesystem, same commit-before-answer) and this thread
// talks to it by messages, so on a machine with two cores the database and the rest run at once.
// Statements, transactions (held open on the worker until committed or rolled back from here),
// errors (message, PostgreSQL `code` and the other fields callers test) and values cross unchanged;
// bytea arrives as Uint8Array, as PGlite gives it.
import { Worker } from "node:worker_threads";
import { ERROR_KINDS, KanshiError, type ErrorKind } from "../contracts/errors.ts";
import type { PgliteDatabase, PgliteDbOptions } from "./pglite-db.ts";
import type { Row, SqlQueryable, SqlSession } from "./sql.ts";

/** An error as plain data. */
export interface WireError {
  message: string;
  name?: string;
  props: Record<string, string | number>;
}

export type Request =
  | { t: "open"; id: number; opts: PgliteDbOptions }
  | { t: "query"; id: number; tx?: number; sql: string; params?: unknown[] }
  | { t: "exec"; id: number; tx?: number; sql: string }
  | { t: "begin"; id: number; tx: number }
  | { t: "end"; id: number; tx: number; commit: boolean; error?: WireError }
  | { t: "dump"; id: number }
  | { t: "close"; id: number };

export type Reply =
  | { id: number; ok: true; rows?: Row[]; bytes?: ArrayBuffer }
  | { id: number; ok: false; error: WireError };

type Pending = { resolve: (r: Reply & { ok: true }) => void; reject: (e: Error) => void };

function fromWire(w: WireError): Error {
  if (w.name === "KanshiError" && typeof w.props.kind === "string" && w.props.kind in ERROR_KINDS) {
    // The message already carries the path prefix; the path is put back as it was.
    const k = new KanshiError(w.props.kind as ErrorKind, w.message);
    if (typeof w.props.path === "string") (k as { path: string | undefined }).path = w.props.path;
    return k;
  }
  const e = new Error(w.message);
  if (w.name !== undefined && w.name !== "Error") e.name = w.name;
  return Object.assign(e, w.props);
}

/**
 * Opens PGlite on a worker thread (dataDir or in memory, as openPgliteDb). Closing the database ends
 * the thread. If the thread dies, every call in flight and after fails with `unavailable`.
 */
export async function openPgliteOnThread(opts: PgliteDbOptions): Promise<PgliteDatabase> {
  // Workers do not inherit the tsx loader: register it, then load the TypeScript worker.
  const entry = new URL("./pglite-thread-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, { eval: true });
  worker.unref();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let dead: Error | undefined;

  const failAll = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  worker.on("message", (r: Reply) => {
    const p = pending.get(r.id);
    if (p === undefined) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    if (r.ok) p.resolve(r);
    else p.reject(fromWire(r.error));
  });
  worker.on("error", (e) => failAll(new KanshiError("unavailable", `the embedded database thread failed: ${e.message}`)));
  worker.on("exit", (code) => failAll(new KanshiError("unavailable", `the embedded database thread ended (exit code ${code})`)));

  // Each request carries its own id and is answered once: a transaction's `begin` when it is open,
  // its `end` once it has committed or rolled back.
  const call = (req: Request): Promise<Reply & { ok: true }> =>
    new Promise((resolve, reject) => {
      if (dead) return reject(dead);
      // The thread keeps the process alive only while an answer is awaited (a store left open
      // must not keep a finished command from exiting).
      if (pending.size === 0) worker.ref();
      pending.set(req.id, { resolve, reject });
      worker.postMessage(req);
    });

  const queryable = (tx?: number): SqlQueryable => ({
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const r = await call({ t: "query", id: nextId++, ...(tx === undefined ? {} : { tx }), sql, ...(params ? { params: [...params] } : {}) });
      return (r.rows ?? []) as R[];
    },
    async exec(sql: string): Promise<void> {
      await call({ t: "exec", id: nextId++, ...(tx === undefined ? {} : { tx }), sql });
    },
  });

  async function transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const tx = nextTx++;
    await call({ t: "begin", id: nextId++, tx });
    let result: T;
    try {
      result = await fn(queryable(tx));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      await call({ t: "end", id: nextId++, tx, commit: false, error: { message: msg, props: {} } }).catch(() => undefined);
      throw e;
    }
    await call({ t: "end", id: nextId++, tx, commit: true });
    return result;
  }

  try {
    await call({ t: "open", id: nextId++, opts });
  } catch (e) {
    await worker.terminate();
    throw e;
  }

  const self = queryable();
  const session: SqlSession = { ...self, transaction };
  let closed = false;
  return {
    kind: "pglite",
    ...session,
    session: (fn) => fn(session),
    async dump() {
      const r = await call({ t: "dump", id: nextId++ });
      return new Blob([r.bytes ?? new ArrayBuffer(0)]);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (!dead) await call({ t: "close", id: nextId++ });
      } finally {
        failAll(new KanshiError("unavailable", "the embedded database is closed"));
        await worker.terminate();
      }
    },
  };
}

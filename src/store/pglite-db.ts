// The query port over embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly). Data lives in
// `<dataDir>/pgdata`; `<dataDir>/store.lock` keeps a second process (or a second Store in this one)
// from opening the same data at the same time — PGlite itself does not refuse, and two writers would
// corrupt it.
//
// Durability. PGlite's Node filesystem (Emscripten NODEFS) passes every write straight to the host
// with a synchronous write(2), and PostgreSQL writes a commit's WAL before the commit returns, so a
// committed transaction survives the process being killed (SIGKILL, crash, OOM kill): crash.test.ts
// proves it, and on reopen PostgreSQL's recovery replays the WAL. Out of the box, though, PGlite is
// not durable against a power cut or kernel crash: it starts PostgreSQL with fsync off (-F), and NODEFS
// has no fsync operation at all, so an fsync from PostgreSQL would do nothing anyway. We fix both:
// DurableNodeFS gives NODEFS an fsync that calls fsync(2) on the host file (or directory), and
// PostgreSQL runs with fsync on and wal_sync_method=fsync (fdatasync is a no-op in Emscripten; fsync
// reaches the filesystem's fsync). A commit now returns only after its WAL is on disk, as on a server;
// it costs one fsync per batch (measured ~10% of append throughput).
//
// Creating a new data directory is made crash-safe too (createDatabaseDir below): PGlite's own
// initdb-then-unpack could leave a half-written directory that it would later take for a database.
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";
import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { KanshiError } from "../contracts/errors.ts";
import type { Row, SqlDatabase, SqlQueryable, SqlSession } from "./sql.ts";

type Queryable = Pick<PGlite | Transaction, "query" | "exec">;

// Parameters in binary. PGlite sends every parameter as text by default, and prepares text in
// JavaScript: it measures a string's UTF-8 length with a loop over its characters before encoding it
// (~7 ns a character: for the append's parameters, megabytes a second), and turns a Uint8Array into
// hex digit by digit. So, through this adapter:
//  - a Uint8Array parameter is the parameter's PostgreSQL binary form, sent as it is (bytea: the
//    bytes; text: UTF-8; an array: array_send's format, see sql.ts binaryTextArray/binaryInt8Array);
//  - a long string for a text or json parameter is encoded natively (Buffer.from) and sent in binary,
//    which for these types is the UTF-8 text itself (textrecv and json_recv take it as the text
//    input would: the same validation, the same value).
// Everything else goes through PGlite's own serializers unchanged.

/** Strings at least this long for a text/json parameter go binary (shorter ones are not worth a copy). */
const BINARY_STRING_MIN = 1024;
/** Types whose binary form is their UTF-8 text: text, json, varchar. */
const UTF8_BINARY_TYPES = new Set([25, 114, 1043]);

type Serialize = (value: unknown) => string;

function binarySerializers(pg: PGlite): Record<number, Serialize> {
  const cache = new Map<number, Serialize>();
  const forType = (oid: number): Serialize => {
    let f = cache.get(oid);
    if (f === undefined) {
      const utf8 = UTF8_BINARY_TYPES.has(oid);
      const fallback = (v: unknown): string => {
        const own = pg.serializers[oid] as Serialize | undefined;
        return own ? own(v) : String(v);
      };
      // PGlite sends a Uint8Array a serializer returns as the parameter's binary value.
      f = (v) => {
        if (v instanceof Uint8Array) return v as unknown as string;
        if (utf8 && typeof v === "string" && v.length >= BINARY_STRING_MIN) return Buffer.from(v, "utf8") as unknown as string;
        return fallback(v);
      };
      cache.set(oid, f);
    }
    return f;
  };
  // PGlite looks a parameter's serializer up by the type PostgreSQL inferred for it.
  return new Proxy({} as Record<number, Serialize>, {
    get: (_target, key) => (typeof key === "string" && /^\d+$/.test(key) ? forType(Number(key)) : undefined),
  });
}

function wrap(q: Queryable, serializers: Record<number, Serialize>): SqlQueryable {
  return {
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const res = await q.query<R>(text, params ? [...params] : undefined, params && params.length > 0 ? { serializers } : undefined);
      return res.rows;
    },
    async exec(script: string): Promise<void> {
      await q.exec(script);
    },
  };
}

/** The parts of Emscripten's NODEFS that DurableNodeFS touches (internal to PGlite's build). */
interface EmscriptenNodeFs {
  stream_ops: { fsync?: (stream: { nfd?: number | null; node: unknown }) => number };
  realPath(node: unknown): string;
  tryFSOperation<T>(f: () => T): T;
}

function fsyncPath(p: string): void {
  const fd = openSync(p, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** NodeFS whose files (and directories) can be fsynced: see the file comment. */
class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS["init"]>[1]): ReturnType<NodeFS["init"]> {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    result.emscriptenOpts.preRun = [
      ...(Array.isArray(preRun) ? preRun : [preRun]),
      (mod: unknown) => {
        const nodefs = (mod as { NODEFS?: EmscriptenNodeFs }).NODEFS;
        if (!nodefs?.stream_ops || typeof nodefs.realPath !== "function" || typeof nodefs.tryFSOperation !== "function") {
          throw new Error("this PGlite build does not expose NODEFS as expected; cannot make commits durable");
        }
        nodefs.stream_ops.fsync = (stream) =>
          nodefs.tryFSOperation(() => {
            if (typeof stream.nfd === "number") fsyncSync(stream.nfd);
            else fsyncPath(nodefs.realPath(stream.node)); // a directory (after creating or renaming a file in it)
            return 0;
          });
      },
    ];
    return result;
  }
}

/** PGlite's start parameters with fsync on (-F removed) and a sync method that reaches our fsync. */
const DURABLE_START_PARAMS = [...PGlite.defaultStartParams.filter((p) => p !== "-F"), "-c", "wal_sync_method=fsync"];

/**
 * fsync every file and directory under `root` (a new data directory, before it is renamed into
 * place), a few at a time: one after another they take seconds, in parallel a fraction of one.
 */
async function fsyncTree(root: string): Promise<void> {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
    dirs.push(d); // deepest first
  };
  walk(root);
  const sync = async (p: string) => {
    const h = await open(p, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < files.length) await sync(files[next++] as string);
    }),
  );
  for (const d of dirs) await sync(d);
}

/** The start time of a process (Linux /proc), to tell a live owner from a reused pid. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19]; // field 22 of the whole line: starttime
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take `<dataDir>/store.lock` (pid and start time of the owner), or throw `unavailable` if a live
 * process holds it. A lock left by a process that died (killed, crashed) is taken over.
 */
export function acquireLock(dataDir: string): () => void {
  const file = path.join(dataDir, "store.lock");
  const mine = `${process.pid} ${processStartTime(process.pid) ?? "?"}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx");
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(file, "utf8") === mine) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let owner = "";
    try {
      owner = readFileSync(file, "utf8");
    } catch {
      continue; // released meanwhile: try again
    }
    const [pidText, start] = owner.trim().split(" ");
    const pid = Number(pidText);
    const live =
      Number.isInteger(pid) && pid > 0 && isAlive(pid) && (start === undefined || start === "?" || processStartTime(pid) === undefined || processStartTime(pid) === start);
    if (live) {
      throw new KanshiError(
        "unavailable",
        `the data directory ${dataDir} is in use by process ${pid}; stop it first, or give this one another data directory`,
      );
    }
    try {
      unlinkSync(file); // stale: its owner is gone
    } catch {
      // someone else removed it: try again
    }
  }
  throw new KanshiError("unavailable", `could not lock the data directory ${dataDir}`);
}

export interface PgliteDbOptions {
  /** Directory for the data (created if missing). Omit for an in-memory database. */
  dataDir?: string;
  /**
   * A data directory dumped by PGlite's dumpDataDir() to start from instead of running initdb
   * (which takes seconds). Used only when the database does not exist yet. For tests.
   */
  template?: Blob;
}

export interface PgliteDatabase extends SqlDatabase {
  /** The whole data directory as an uncompressed tarball (for `template`). */
  dump(): Promise<Blob>;
}

/**
 * Create the database in `pgdata` so that a crash at any moment leaves either no database or a whole
 * one: PGlite runs initdb in memory and then unpacks the result into the directory, and a process
 * killed half-way through unpacking would leave a directory PGlite takes for a database. So: build it
 * in a sibling directory, shut it down cleanly, then rename it into place (atomic).
 */
async function createDatabaseDir(dir: string, pgdata: string, template: Blob | undefined): Promise<void> {
  for (const name of readdirSync(dir)) {
    if (name.startsWith("pgdata.init-")) rmSync(path.join(dir, name), { recursive: true, force: true }); // left by a crash; we hold the lock
  }
  if (existsSync(pgdata)) {
    if (readdirSync(pgdata).length > 0) {
      throw new KanshiError("unavailable", `${pgdata} is not a complete database (no PG_VERSION); move it away to start afresh`);
    }
    rmSync(pgdata, { recursive: true });
  }
  const tmp = path.join(dir, `pgdata.init-${process.pid}`);
  const init = await PGlite.create({ dataDir: tmp, ...(template ? { loadDataDir: template } : {}) });
  await init.close();
  await fsyncTree(tmp); // initdb wrote without fsync
  renameSync(tmp, pgdata);
  fsyncPath(dir);
}

export async function openPgliteDb(opts: PgliteDbOptions): Promise<PgliteDatabase> {
  let release: (() => void) | undefined;
  let db: PGlite;
  if (opts.dataDir !== undefined) {
    const dir = path.resolve(opts.dataDir);
    mkdirSync(dir, { recursive: true });
    release = acquireLock(dir);
    const pgdata = path.join(dir, "pgdata");
    try {
      if (!existsSync(path.join(pgdata, "PG_VERSION"))) await createDatabaseDir(dir, pgdata, opts.template);
      db = await PGlite.create({ fs: new DurableNodeFS(pgdata), startParams: DURABLE_START_PARAMS });
    } catch (e) {
      release();
      if (e instanceof KanshiError) throw e;
      throw new KanshiError(
        "unavailable",
        `could not open the embedded database in ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  } else {
    db = await PGlite.create(opts.template ? { loadDataDir: opts.template } : {});
  }

  const serializers = binarySerializers(db);
  const self = wrap(db, serializers);
  const session: SqlSession = {
    ...self,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx, serializers))),
  };
  let closed = false;
  return {
    kind: "pglite",
    ...session,
    dump: () => db.dumpDataDir("none"),
    session: (fn) => fn(session), // one connection: the database is the session
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        release?.();
      }
    },
  };
}

// The query port over a PostgreSQL server through `pg` (a connection pool).
import pg from "pg";
import { KanshiError } from "../contracts/errors.ts";
import type { Row, SqlDatabase, SqlQueryable, SqlSession } from "./sql.ts";

export interface PgDbOptions {
  /** postgresql://user[:password]@host[:port]/database[?…] */
  databaseUrl: string;
  /** Pool size; default 8. */
  maxConnections?: number;
}

/** Where a URL points, without its credentials (for error messages). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    return "(unparseable database URL)";
  }
}

function wrap(c: pg.PoolClient | pg.Pool): SqlQueryable {
  return {
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const res = await c.query<R>(text, params ? [...params] : undefined);
      return res.rows;
    },
    async exec(script: string): Promise<void> {
      await c.query(script); // no parameters: the simple protocol, several statements allowed
    },
  };
}

async function inTransaction<T>(client: pg.PoolClient, fn: (tx: SqlQueryable) => Promise<T>): Promise<{ value: T } | { error: unknown; broken: boolean }> {
  await client.query("BEGIN");
  try {
    const value = await fn(wrap(client));
    await client.query("COMMIT");
    return { value };
  } catch (error) {
    try {
      await client.query("ROLLBACK");
      return { error, broken: false };
    } catch {
      return { error, broken: true }; // the connection is unusable: do not return it to the pool
    }
  }
}

export async function openPgDb(opts: PgDbOptions): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.maxConnections ?? 8,
    application_name: "kanshi",
    connectionTimeoutMillis: 15_000,
  });
  // An idle connection that breaks (server restart) emits 'error' on the pool; unhandled, that would
  // crash the process. The next query on that connection fails and reports it instead.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new KanshiError(
      "unavailable",
      `cannot connect to PostgreSQL at ${describeUrl(opts.databaseUrl)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }

  const transaction = async <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    try {
      const r = await inTransaction(client, fn);
      if ("value" in r) return r.value;
      broken = r.broken;
      throw r.error;
    } finally {
      client.release(broken);
    }
  };

  let closed = false;
  return {
    kind: "postgres",
    ...wrap(pool),
    transaction,
    async session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      const s: SqlSession = {
        ...wrap(client),
        async transaction<U>(f: (tx: SqlQueryable) => Promise<U>): Promise<U> {
          const r = await inTransaction(client, f);
          if ("value" in r) return r.value;
          broken ||= r.broken;
          throw r.error;
        },
      };
      try {
        return await fn(s);
      } catch (e) {
        broken = true; // session state (locks) is unknown after a failure: drop the connection
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

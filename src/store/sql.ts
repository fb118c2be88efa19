// The tiny internal query port both adapters implement (PGlite in pglite-db.ts, a PostgreSQL server
// through `pg` in pg-db.ts). Plain SQL with $1-style parameters; rows come back as plain objects.
// Value types differ between drivers (an int8 may arrive as number, bigint or string), so callers
// convert what they read with the helpers at the bottom rather than trusting a driver's parser.

export type Row = Record<string, unknown>;

export interface SqlQueryable {
  /** One statement with parameters; the rows it returns. */
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of one or more statements without parameters (DDL, migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlSession extends SqlQueryable {
  /**
   * Run `fn` inside BEGIN … COMMIT on this session; ROLLBACK if it throws (the error is rethrown).
   * Everything `fn` does must go through the `tx` it is given.
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlSession {
  readonly kind: "pglite" | "postgres";
  /**
   * Run `fn` on one connection held for its whole duration, so session state (an advisory lock)
   * stays with it. On PGlite there is only one connection anyway.
   */
  session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** An int8 / numeric / count as a JS number (drivers return number, bigint or string). */
export function toNumber(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint" || typeof v === "string") {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  throw new Error(`store: expected a number for ${what}, got ${typeof v}`);
}

export function toStr(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  throw new Error(`store: expected text for ${what}, got ${typeof v}`);
}

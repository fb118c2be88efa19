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

// ---- binary array parameters (PGlite) -------------------------------------------------------------
// On PGlite (pglite-db.ts) a Uint8Array parameter is sent as the parameter's binary form. These build
// array_recv's format for a one-dimensional array without NULLs, so a batch of values reaches
// PostgreSQL without being escaped into JSON or array text and parsed back out of it there (for the
// event bodies of an append, that escaping and parsing was a quarter of PGlite's time). A PostgreSQL
// server through `pg` would take a Buffer for bytea instead: use these with `kind === "pglite"` only.

const TEXT_OID = 25;
const INT8_OID = 20;
const HEADER = 20; // ndim, has-nulls flag, element type, then the dimension: length, lower bound

function arrayHeader(buf: Buffer, elementType: number, length: number): void {
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(0, 4);
  buf.writeInt32BE(elementType, 8);
  buf.writeInt32BE(length, 12);
  buf.writeInt32BE(1, 16);
}

/** A text[] parameter in binary (each element its UTF-8 bytes). The strings must not hold NUL. */
export function binaryTextArray(values: readonly string[]): Uint8Array {
  const lengths = new Array<number>(values.length);
  let size = HEADER;
  for (let i = 0; i < values.length; i++) {
    const n = Buffer.byteLength(values[i] as string, "utf8");
    lengths[i] = n;
    size += 4 + n;
  }
  const buf = Buffer.allocUnsafeSlow(size);
  arrayHeader(buf, TEXT_OID, values.length);
  let at = HEADER;
  for (let i = 0; i < values.length; i++) {
    const n = lengths[i] as number;
    buf.writeInt32BE(n, at);
    at += 4;
    if (buf.write(values[i] as string, at, "utf8") !== n) throw new Error("store: a text parameter did not encode to its measured length");
    at += n;
  }
  return buf;
}

/** An int8[] parameter in binary. Every value must be a safe integer. */
export function binaryInt8Array(values: readonly number[]): Uint8Array {
  const buf = Buffer.allocUnsafeSlow(HEADER + 12 * values.length);
  arrayHeader(buf, INT8_OID, values.length);
  let at = HEADER;
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new Error(`store: expected a safe integer for an int8 parameter, got ${v}`);
    const high = Math.floor(v / 0x1_0000_0000);
    buf.writeInt32BE(8, at);
    buf.writeInt32BE(high, at + 4);
    buf.writeUInt32BE(v - high * 0x1_0000_0000, at + 8);
    at += 12;
  }
  return buf;
}

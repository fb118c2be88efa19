// Key rotation for one sealed text column ("ks1." values from the privacy Keyring) in a table with a
// text primary key: each value under an older master key is re-wrapped under the current one (the
// data key is re-wrapped; no plaintext is produced). A page at a time in key order; each update
// applies only where the value is still the one read, so writers may go on meanwhile. Used by the
// case store (note texts) and the report store (report contents), as disclosures.ts does for
// purposes and reasons.
import { inspectSealed } from "../privacy/seal.ts";
import type { SealedRewrapper } from "./disclosures.ts";
import { toNumber, toStr, type SqlQueryable } from "./sql.ts";

export interface SealedColumn {
  /** Table and column names: constants of the calling store, never input. */
  readonly table: string;
  readonly key: string;
  readonly column: string;
  /** Rows read per page (smaller for large values). */
  readonly page: number;
}

export interface ColumnRewrapResult {
  readonly rewrapped: number;
  /** Values under a key id the keyring does not hold (left as they are). */
  readonly unreadable: number;
}

export async function rewrapSealedColumn(db: SqlQueryable, c: SealedColumn, keyring: SealedRewrapper): Promise<ColumnRewrapResult> {
  let rewrapped = 0;
  let unreadable = 0;
  let after = "";
  for (;;) {
    const rows = await db.query(`SELECT ${c.key} AS k, ${c.column} AS s FROM ${c.table} WHERE ${c.key} > $1 ORDER BY ${c.key} LIMIT $2`, [after, c.page]);
    if (rows.length === 0) break;
    after = toStr(rows[rows.length - 1]!.k, `${c.table}.${c.key}`);
    const updates: { k: string; o: string; n: string }[] = [];
    for (const r of rows) {
      const old = toStr(r.s, `${c.table}.${c.column}`);
      if (!keyring.needsRewrap(old)) continue;
      if (!keyring.has(inspectSealed(old).kid)) {
        unreadable++;
        continue;
      }
      updates.push({ k: toStr(r.k, `${c.table}.${c.key}`), o: old, n: keyring.rewrap(old) });
    }
    if (updates.length > 0) {
      const res = await db.query(
        `WITH u AS (UPDATE ${c.table} t SET ${c.column} = x.n FROM json_to_recordset($1::json) AS x(k text, o text, n text)
           WHERE t.${c.key} = x.k AND t.${c.column} = x.o RETURNING 1)
         SELECT count(*)::int4 AS n FROM u`,
        [JSON.stringify(updates)],
      );
      rewrapped += toNumber(res[0]?.n, "n");
    }
    if (rows.length < c.page) break;
  }
  return { rewrapped, unreadable };
}

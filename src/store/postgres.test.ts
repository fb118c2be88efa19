// The store contract against a real PostgreSQL server this file starts (and removes) itself.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { isKanshiError } from "../contracts/errors.ts";
import { runStoreContract } from "./contract.ts";
import { MIGRATIONS } from "./migrations.ts";
import { openStore } from "./open.ts";
import type { Store } from "./ports.ts";
import { postgresAvailability, startPostgres, type PostgresServer } from "./testing/pg-server.ts";

const availability = postgresAvailability();

if (availability.skip) {
  describe("Store contract: PostgreSQL server", { skip: availability.skip }, () => {});
} else {
  describe("PostgreSQL server", () => {
    let server: PostgresServer;
    let admin: pg.Pool;
    let n = 0;
    const freshDatabase = async (): Promise<string> => {
      const name = `kanshi_test_${++n}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(server.url);
      u.pathname = `/${name}`;
      return u.toString();
    };

    before(async () => {
      server = await startPostgres();
      admin = new pg.Pool({ connectionString: server.url, max: 2 });
    });
    after(async () => {
      await admin?.end();
      await server?.stop();
    });

    runStoreContract("PostgreSQL server", async () => openStore({ databaseUrl: await freshDatabase() }));

    it("migrates once when several processes open one new database at the same time", async () => {
      const url = await freshDatabase();
      const stores: Store[] = await Promise.all(Array.from({ length: 4 }, () => openStore({ databaseUrl: url })));
      try {
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        try {
          const rows = (await db.query("SELECT version, name FROM schema_migrations ORDER BY version")).rows;
          assert.deepEqual(rows.map((r) => [r.version, r.name]), MIGRATIONS.map((m) => [m.version, m.name]));
        } finally {
          await db.end();
        }
        assert.deepEqual(await Promise.all(stores.map((s) => s.appendEvents([{ source: "x", id: "1", type: "login", time: 0, ts: "1970-01-01T00:00:00Z", body: "{}" }]))).then((o) => o.flat().sort()), [
          "accepted", "duplicate", "duplicate", "duplicate",
        ]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("refuses a database whose schema is newer than this code", async () => {
      const url = await freshDatabase();
      await (await openStore({ databaseUrl: url })).close();
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      await db.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')");
      await db.end();
      await assert.rejects(openStore({ databaseUrl: url }), (e: unknown) => isKanshiError(e) && e.kind === "unavailable" && /migration 999 \(future\), which this Kanshi does not know/.test(e.message));
    });

    it("says where it could not connect, without the password", async () => {
      const u = new URL(server.url);
      u.password = "s3cret-pw";
      u.pathname = "/no_such_database";
      await assert.rejects(openStore({ databaseUrl: u.toString() }), (e: unknown) => {
        assert.ok(isKanshiError(e));
        assert.equal(e.kind, "unavailable");
        assert.match(e.message, /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/no_such_database/);
        assert.doesNotMatch(e.message, /s3cret-pw/);
        return true;
      });
    });
  });
}

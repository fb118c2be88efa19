// A throwaway PostgreSQL server for tests and benchmarks: initdb into a fresh temp dir, start on a
// free loopback port (unix socket in the temp dir too), wait until it answers, and on stop() shut it
// down and delete everything. PostgreSQL refuses to run as root, so when we are root (tests and CI
// run as root) initdb/pg_ctl run as the `postgres` system user via `runuser`.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresServer {
  /** `postgresql://kanshi@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  readonly url: string;
  /** Stops the server (fast shutdown) and deletes its data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /**
   * Keep PostgreSQL's crash durability (fsync, synchronous commit, full-page writes). Off by default:
   * a throwaway test server does not need to survive a power cut and fsync makes tests slower.
   * Benchmarks turn it on to measure what a production server would do.
   */
  durable?: boolean;
}

const BINARIES = ["initdb", "pg_ctl", "postgres"] as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAll(dir: string): boolean {
  return BINARIES.every((b) => isExecutable(path.join(dir, b)));
}

/**
 * The directory holding initdb, pg_ctl and postgres: from PATH (symlinks resolved, so pg_ctl finds
 * its postgres), else the newest /usr/lib/postgresql/<version>/bin (where Debian puts them).
 * Undefined when none is found.
 */
export function findPostgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const initdb = path.join(dir, "initdb");
    if (!isExecutable(initdb)) continue;
    const real = path.dirname(realpathSync(initdb));
    if (hasAll(real)) return real;
    if (hasAll(dir)) return dir;
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, "bin");
    if (hasAll(dir)) return dir;
  }
  return undefined;
}

/**
 * What a test file should do about PostgreSQL: run (binaries found), or skip with a message. When no
 * binaries are found and `CI` is set, this throws: CI must not silently skip the server suite.
 */
export function postgresAvailability(): { binDir: string; skip: false } | { skip: string } {
  const binDir = findPostgresBinDir();
  if (binDir) return { binDir, skip: false };
  const message =
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; " +
    "install PostgreSQL (e.g. `apt-get install postgresql`) to run the server store suite";
  if (process.env.CI) throw new Error(`${message} (CI is set, so this is an error, not a skip)`);
  return { skip: message };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error("could not pick a free port"))));
    });
  });
}

interface RunAs {
  /** The command and arguments to run `file args…` as the server's owner. */
  command(file: string, args: string[]): [string, string[]];
  /** uid/gid to own the temp dir, when we must switch user. */
  owner?: { uid: number; gid: number };
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return { command: (file, args) => [file, args] };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    throw new Error(
      "running as root and there is no `postgres` system user to run PostgreSQL as (PostgreSQL refuses to run as root); " +
        "install Debian's postgresql package or run the tests as a non-root user",
    );
  }
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("could not read the uid/gid of the `postgres` user");
  return { command: (file, args) => ["runuser", ["-u", "postgres", "--", file, ...args]], owner: { uid, gid } };
}

function run(label: string, cmd: [string, string[]], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd[0], cmd[1], { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${label} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no server log)";
  }
}

async function waitUntilReady(url: string, deadline: number): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (e) {
      last = e;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not become ready: ${last instanceof Error ? last.message : String(last)}`);
}

/** Start a throwaway PostgreSQL server. See the file comment. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found");
  const as = runAs();
  const bin = (name: string) => path.join(binDir, name);

  const dir = mkdtempSync(path.join(os.tmpdir(), "kanshi-pg-"));
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  if (as.owner) chownSync(dir, as.owner.uid, as.owner.gid);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(path.join(data, "postmaster.pid"))) {
      const [c, a] = as.command(bin("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"]);
      spawnSync(c, a, { stdio: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // If the test process exits without calling stop() (a crash, a failed assertion in a hook), do not
  // leave a server running or its files behind.
  process.once("exit", stopSync);

  try {
    await run(
      "initdb",
      as.command(bin("initdb"), ["-D", data, "-U", "kanshi", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]),
      120_000,
    );
    const durability = opts.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"];
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const serverOpts = [
        "-c listen_addresses=127.0.0.1",
        `-p ${port}`,
        `-c unix_socket_directories='${dir}'`,
        "-c max_connections=50",
        ...durability,
      ].join(" ");
      try {
        await run("pg_ctl start", as.command(bin("pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "60", "-o", serverOpts, "start"]), 90_000);
      } catch (e) {
        lastError = new Error(`${e instanceof Error ? e.message : String(e)}\nserver log:\n${logTail(log)}`);
        continue; // most likely the port was taken between picking and binding: try another
      }
      const url = `postgresql://kanshi@127.0.0.1:${port}/postgres`;
      await waitUntilReady(url, Date.now() + 30_000);
      return {
        url,
        async stop() {
          if (stopped) return;
          process.removeListener("exit", stopSync);
          stopped = true;
          try {
            await run("pg_ctl stop", as.command(bin("pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]), 90_000);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      };
    }
    throw lastError instanceof Error ? lastError : new Error("could not start PostgreSQL");
  } catch (e) {
    process.removeListener("exit", stopSync);
    stopSync();
    throw e;
  }
}

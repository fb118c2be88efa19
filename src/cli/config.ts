// Configuration from the environment, in one place (the README lists every variable).
import { resolve } from "node:path";
import type { CliIo } from "./io.ts";

export interface Config {
  /** PGlite data directory (default ./.kanshi). */
  dataDir: string;
  /** A PostgreSQL server instead of the embedded store. */
  databaseUrl: string | undefined;
  /** The embedded store runs on its own thread (default) or on the main one. */
  storeThread: boolean;
  port: number;
  host: string;
  demoSeed: number;
  demoPeople: number;
  logLevel: string;
  /** Where the shared reference data sets live (OFAC, Forta, AMLSim, goAML). */
  sharedDataDir: string;
  /** Requests per second per principal (token bucket; 0 turns limiting off) and the burst allowed. */
  rateLimit: { perSecond: number; burst: number };
  /** Session cookies marked Secure: "auto" (when the request came over https), true or false. */
  secureCookies: boolean | "auto";
  /** Session lifetime and idle timeout, ms. */
  sessionTtlMs: number;
  sessionIdleMs: number;
}

function secureVar(env: NodeJS.ProcessEnv): boolean | "auto" {
  const raw = (env.KANSHI_SECURE_COOKIES ?? "").trim().toLowerCase();
  if (raw === "" || raw === "auto") return "auto";
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new Error(`KANSHI_SECURE_COOKIES: expected auto, true or false; got ${JSON.stringify(env.KANSHI_SECURE_COOKIES)}`);
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: expected a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  return n;
}

export function loadConfig(io: CliIo): Config {
  const env = io.env;
  return {
    dataDir: resolve(io.cwd, env.KANSHI_DATA || ".kanshi"),
    databaseUrl: env.DATABASE_URL || undefined,
    storeThread: intVar(env, "KANSHI_STORE_THREAD", 1, 0, 1) === 1,
    port: intVar(env, "PORT", 8080, 0, 65535),
    host: env.HOST || "127.0.0.1",
    demoSeed: intVar(env, "KANSHI_DEMO_SEED", 7, 0, 2 ** 31 - 1),
    demoPeople: intVar(env, "KANSHI_DEMO_PEOPLE", 5000, 10, 1_000_000),
    logLevel: env.LOG_LEVEL || "info",
    sharedDataDir: resolve(io.cwd, env.KANSHI_SHARED_DATA || "../shared/data"),
    rateLimit: { perSecond: intVar(env, "KANSHI_RATE_LIMIT", 100, 0, 1_000_000), burst: intVar(env, "KANSHI_RATE_BURST", 200, 1, 10_000_000) },
    secureCookies: secureVar(env),
    sessionTtlMs: intVar(env, "KANSHI_SESSION_HOURS", 12, 1, 24 * 30) * 3600_000,
    sessionIdleMs: intVar(env, "KANSHI_SESSION_IDLE_MINUTES", 30, 1, 24 * 60) * 60_000,
  };
}

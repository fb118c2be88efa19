// Personal-data verbs: `kanshi purge` (APPI minimisation) and the master-key rotation under the
// existing `kanshi keys` family (`keys rotate`, `keys rewrap`, `keys status`).
//
// Purge: the personal data of people who were never suspects is deleted once their last activity is
// older than the retention period (--retention-days, else KANSHI_RETENTION_DAYS, else 7 years: the
// Act on Prevention of Transfer of Criminal Proceeds keeps verification records for 7 years after a
// relationship ends). "Suspect" is the case store's: a case about the entity, or touching one of its
// accounts, that ever reached the disclosure threshold or was reported (store.cases().wasEverSuspect).
// Pseudonymous history stays. The purge is audited with counts only.
//
// Rotation without downtime: `keys rotate` puts a fresh master key first in the keys file (older keys
// stay after it, so everything still opens), then re-wraps every sealed identity value's data key
// under it in batches while the store stays usable; `keys rewrap` does the second step alone (after a
// new key was put first in KANSHI_MASTER_KEYS by hand); `keys status` shows which keys seal what.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { badInput, KanshiError, usage } from "../contracts/errors.ts";
import { generateKeyBase64, Keyring } from "../privacy/index.ts";
import type { PurgeResult, RewrapResult } from "../store/identities.ts";
import type { Store } from "../store/ports.ts";
import { line, warn, type CliIo } from "./io.ts";
import { KEY_VARIABLES, keysFilePath, loadDeploymentKeys } from "./keys.ts";
import { linkStoredIdentities } from "./link.ts";
import { audit, CLI_ACTOR } from "./privacy-commands.ts";
import { withConfiguredStore } from "./store.ts";

const DAY_MS = 86_400_000;
/** 7 years and the leap days in them. */
export const DEFAULT_RETENTION_DAYS = 7 * 365 + 2;

const n = (x: number) => x.toLocaleString("en-US");

function retentionDays(io: CliIo, raw: string | undefined): number {
  const where = raw !== undefined ? "--retention-days" : "KANSHI_RETENTION_DAYS";
  const text = raw ?? io.env.KANSHI_RETENTION_DAYS;
  if (text === undefined || text === "") return DEFAULT_RETENTION_DAYS;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > 36_500) throw badInput(`expected a whole number of days from 1 to 36500; got ${JSON.stringify(text)}`, where);
  return v;
}

export interface PurgeRun extends PurgeResult {
  readonly retentionDays: number;
  /** Identity records linked first (the purge decides per entity, so new records are linked before). */
  readonly linkedFirst: number;
}

/**
 * Links what is new, then purges (or counts, with dryRun) the personal data of never-suspect
 * subjects inactive for `retentionDays`. A real purge is audited (`personal_data.purge`, counts only).
 */
export async function purgePersonalData(io: CliIo, store: Store, opts: { retentionDays: number; dryRun: boolean; now?: number }): Promise<PurgeRun> {
  const now = opts.now ?? Date.now();
  const cutoffMs = now - opts.retentionDays * DAY_MS;
  const linked = await linkStoredIdentities(store);
  const cases = store.cases();
  const result = await store.identities().purge({
    cutoffMs,
    dryRun: opts.dryRun,
    // Called with the entity id and with each of its accounts: a case keyed by either counts.
    wasEverSuspect: (id) => cases.wasEverSuspect([id], { accounts: [id] }),
  });
  if (!opts.dryRun) {
    await audit(io, store, [
      {
        actor: CLI_ACTOR,
        action: "personal_data.purge",
        target: "identities",
        details: {
          retentionDays: opts.retentionDays,
          cutoff: new Date(cutoffMs).toISOString(),
          subjects: result.subjects,
          records: result.records,
          fields: result.fields,
          blindIndexes: result.blindIndexes,
          keptSuspects: result.keptSuspects,
          keptActive: result.keptActive,
        },
      },
    ]);
  }
  return { ...result, retentionDays: opts.retentionDays, linkedFirst: linked.newRecords };
}

// ---- the keys file --------------------------------------------------------------------------------

/** Holds `<keys file>.lock` (created exclusively) while `fn` rewrites the keys file. */
async function withKeysFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  let fh;
  try {
    fh = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new KanshiError("conflict", `${lock} exists: another key change is running (or one crashed; remove the lock file if none is running)`);
    throw e;
  }
  try {
    await fh.close();
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Replaces the keys file atomically (full write under a temporary name, fsync, rename), mode 0600. */
async function writeKeysFile(file: string, content: Record<string, unknown>): Promise<void> {
  const tmp = join(dirname(file), `.keys.json.${process.pid}.${randomBytes(4).toString("hex")}`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(JSON.stringify(content, null, 2) + "\n", "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const dir = await open(dirname(file), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Puts a fresh master key first in the keys file (the others stay, so every value still opens) and
 * returns its id. Refuses when KANSHI_MASTER_KEYS comes from the environment: that list is the
 * operator's to change.
 */
export async function addMasterKey(io: CliIo): Promise<{ kid: string; kept: string[] }> {
  if (io.env.KANSHI_MASTER_KEYS !== undefined && io.env.KANSHI_MASTER_KEYS.trim() !== "") {
    throw usage(
      "KANSHI_MASTER_KEYS is set in the environment: put a new key first in it yourself (kid:base64 of 32 random bytes, e.g. from `openssl rand -base64 32`), keep the old ones after it, restart, then run `kanshi keys rewrap`",
    );
  }
  await loadDeploymentKeys(io); // creates the keys file when there is none, and checks every key in it
  const file = keysFilePath(io);
  return withKeysFileLock(file, async () => {
    const mode = (await stat(file)).mode;
    if (process.platform !== "win32" && (mode & 0o077) !== 0) throw new KanshiError("bad_input", `${file} can be read by other users; run chmod 600 on it`);
    const content = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    for (const name of KEY_VARIABLES) if (typeof content[name] !== "string") throw badInput(`${name} is missing or not a string`, file);
    const old = Keyring.fromConfig(content.KANSHI_MASTER_KEYS as string, `${file}: KANSHI_MASTER_KEYS`);
    let kid: string;
    do kid = `k-${randomBytes(3).toString("hex")}`;
    while (old.has(kid));
    const list = `${kid}:${generateKeyBase64()},${content.KANSHI_MASTER_KEYS as string}`;
    Keyring.fromConfig(list, `${file}: KANSHI_MASTER_KEYS`); // the new list parses (no duplicate material or id)
    await writeKeysFile(file, { ...content, KANSHI_MASTER_KEYS: list });
    return { kid, kept: old.kids };
  });
}

function describeRewrap(r: RewrapResult): string {
  const usage = Object.entries(r.byKid).map(([kid, count]) => `${kid}: ${n(count)}`).join(", ") || "none";
  return `rewrapped ${n(r.rewrapped)} sealed values; sealed values per master key: ${usage}`;
}

async function rewrapAll(io: CliIo, store: Store): Promise<RewrapResult> {
  const r = await store.identities().rewrap({ batchSize: 2000 });
  await audit(io, store, [{ actor: CLI_ACTOR, action: "keys.rewrap", target: "identities", details: { rewrapped: r.rewrapped, unreadable: r.unreadable, byKid: r.byKid } }]);
  // Disclosure purposes and reasons are sealed under the same master keys.
  const keyring = (await loadDeploymentKeys(io)).keyring;
  const d = await store.disclosures().rewrap(keyring);
  await audit(io, store, [{ actor: CLI_ACTOR, action: "keys.rewrap", target: "disclosures", details: { rewrapped: d.rewrapped, unreadable: d.unreadable } }]);
  // So are case notes and report contents.
  const notes = await store.cases().rewrapNotes(keyring);
  await audit(io, store, [{ actor: CLI_ACTOR, action: "keys.rewrap", target: "case_notes", details: { rewrapped: notes.rewrapped, unreadable: notes.unreadable } }]);
  const reports = await store.reports().rewrapContents(keyring);
  await audit(io, store, [{ actor: CLI_ACTOR, action: "keys.rewrap", target: "reports", details: { rewrapped: reports.rewrapped, unreadable: reports.unreadable } }]);
  const others = [d, notes, reports];
  return {
    ...r,
    rewrapped: others.reduce((n, x) => n + x.rewrapped, r.rewrapped),
    unreadable: others.reduce((n, x) => n + x.unreadable, r.unreadable),
  };
}

function reportRewrap(io: CliIo, r: RewrapResult, setCode: (code: number) => void): void {
  line(io, describeRewrap(r));
  if (r.unreadable > 0) {
    warn(io, `${n(r.unreadable)} sealed values are under a master key that is not configured; put that key back (after the current one) and run kanshi keys rewrap`);
    setCode(1);
  }
}

export function registerPurgeCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command("purge")
    .description("delete the sealed personal data of people who were never suspects and have been inactive longer than the retention period (APPI minimisation); pseudonymous history stays; audited")
    .option("--retention-days <n>", `days since the last activity (default KANSHI_RETENTION_DAYS, else ${DEFAULT_RETENTION_DAYS}: 7 years)`)
    .option("--dry-run", "count what would be purged; change nothing")
    .option("--json", "print the counts as JSON")
    .action(async (opts: { retentionDays?: string; dryRun?: boolean; json?: boolean }) => {
      const days = retentionDays(io, opts.retentionDays);
      const r = await withConfiguredStore(io, (store) => purgePersonalData(io, store, { retentionDays: days, dryRun: opts.dryRun === true }));
      if (opts.json) return void line(io, JSON.stringify(r));
      const verb = r.dryRun ? "would purge" : "purged";
      line(io, `${r.dryRun ? "purge (dry run)" : "purge"}: inactive since before ${new Date(r.cutoffMs).toISOString().slice(0, 10)} (${n(days)} days) and never a suspect: ${n(r.subjects)} subjects`);
      line(io, `  ${verb} ${n(r.fields)} sealed fields and ${n(r.blindIndexes)} blind indexes of ${n(r.records)} records; entity ids, features and events stay`);
      line(io, `  kept: ${n(r.keptSuspects)} suspects, ${n(r.keptActive)} still active${r.unlinked > 0 ? `, ${n(r.unlinked)} not linked yet` : ""}`);
    });

  // Attach to the existing `keys` family (API keys) when it is there.
  const keys = program.commands.find((c) => c.name() === "keys") ?? program.command("keys").description("keys");
  keys
    .command("rotate")
    .description("master keys: put a new master key first in the keys file (older ones stay, so everything opens), then rewrap every sealed value's data key under it, online")
    .option("--no-rewrap", "only add the key (run kanshi keys rewrap later)")
    .action(async (opts: { rewrap: boolean }) => {
      const added = await addMasterKey(io);
      line(io, `new master key ${added.kid} is now current in ${keysFilePath(io)}; kept ${added.kept.join(", ")} to open older values`);
      if (opts.rewrap) {
        const r = await withConfiguredStore(io, (store) => rewrapAll(io, store));
        reportRewrap(io, r, setCode);
      }
      line(io, "restart running Kanshi processes so they seal with the new key (they keep opening everything meanwhile only if they already know it: add a key to every process before making it current)");
    });
  keys
    .command("rewrap")
    .description("master keys: rewrap every sealed value's data key under the current master key (after a new one was put first), in batches, while Kanshi runs")
    .action(async () => {
      const r = await withConfiguredStore(io, (store) => rewrapAll(io, store));
      reportRewrap(io, r, setCode);
    });
  keys
    .command("status")
    .description("master keys: the configured key ids (current first) and how many sealed values each one wraps")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const dk = await loadDeploymentKeys(io);
      const usageByKid = await withConfiguredStore(io, (store) => store.identities().keyUsage());
      const configured = dk.keyring.kids;
      const unknown = Object.keys(usageByKid).filter((k) => !configured.includes(k));
      const view = {
        current: dk.keyring.currentKid,
        configured,
        origin: dk.origin.KANSHI_MASTER_KEYS,
        sealedValues: usageByKid,
        notConfigured: unknown,
      };
      if (opts.json) return void line(io, JSON.stringify(view));
      line(io, `master keys (${view.origin}): ${configured.map((k) => (k === view.current ? `${k} (current)` : k)).join(", ")}`);
      for (const kid of configured) line(io, `  ${kid}: ${n(usageByKid[kid] ?? 0)} sealed identity values`);
      for (const kid of unknown) warn(io, `  ${kid}: ${n(usageByKid[kid] ?? 0)} sealed values under a key that is not configured`);
      if (unknown.length > 0) setCode(1);
    });
}

// Case verbs: `kanshi cases list|show|open|transition|sync`. The use cases are src/cases/ over the
// configured store, with the deployment's keys (notes sealed, accounts pseudonymised, every change
// audited). The command line works with the deployment's own access to the store; `--as` names the
// role it acts in (default supervisor, which may make every move) and the audit trail records the
// actor as `cli:<os user>@<role>`.
import { userInfo } from "node:os";
import type { Command } from "commander";
import type { Alert } from "../contracts/alerts.ts";
import { badInput, KanshiError } from "../contracts/errors.ts";
import { tenantId } from "../contracts/ids.ts";
import { caseConfig, createCaseUseCases, DISPOSITIONS, type CaseConfig, type CaseDetail, type CaseUseCases, type CaseView, type SyncSummary } from "../cases/index.ts";
import { AuditTrail, principalId, ROLES, type Principal, type Role } from "../privacy/index.ts";
import type { Store } from "../store/ports.ts";
import { CASE_SORTS, type CaseSort } from "../store/cases.ts";
import { line, type CliIo } from "./io.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { withConfiguredStore } from "./store.ts";

/** Environment variables tuning case grouping (defaults in src/cases/grouping.ts and engine/scoring.ts). */
export const CASE_VARIABLES = {
  KANSHI_CASE_OPEN_THRESHOLD: "openThreshold",
  KANSHI_CASE_DUE_DAYS: "dueDays",
  KANSHI_RISK_HALF_LIFE_DAYS: "halfLifeDays",
} as const;

/** Case config from the environment: a risk score opening a case, days to the due date, the score's half-life. */
export function caseConfigFromEnv(env: NodeJS.ProcessEnv): CaseConfig {
  const num = (name: keyof typeof CASE_VARIABLES): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw badInput(`expected a number; got ${JSON.stringify(raw.slice(0, 32))}`, name);
    return n;
  };
  const open = num("KANSHI_CASE_OPEN_THRESHOLD");
  const due = num("KANSHI_CASE_DUE_DAYS");
  const half = num("KANSHI_RISK_HALF_LIFE_DAYS");
  try {
    return caseConfig({ ...(open !== undefined ? { openThreshold: open } : {}), ...(due !== undefined ? { dueDays: due } : {}), ...(half !== undefined ? { risk: { halfLifeDays: half } } : {}) });
  } catch (e) {
    if (e instanceof KanshiError && e.path !== undefined) {
      const field = e.path.split(".").at(-1)!;
      const variable = Object.entries(CASE_VARIABLES).find(([, f]) => f === field)?.[0] ?? e.path;
      throw badInput(e.message.slice(e.path.length + 2), variable);
    }
    throw e;
  }
}

/** The case use cases over `store` with the deployment's keys (keys file or environment) and case config from the environment. */
export async function openCaseUseCases(io: CliIo, store: Store, audit?: AuditTrail): Promise<CaseUseCases> {
  const config = caseConfigFromEnv(io.env);
  const keys = await loadDeploymentKeys(io);
  return createCaseUseCases({
    store,
    audit: audit ?? new AuditTrail({ log: store.auditLog(), signingKey: keys.auditSigningKey }),
    keyring: keys.keyring,
    pseudonyms: keys.pseudonymizer,
    config,
  });
}

/** One line about a grouping run. */
export function formatSyncSummary(s: SyncSummary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const skipped = s.notGrouped > 0 ? `; ${n(s.notGrouped)} about markets or addresses are not grouped` : "";
  return `cases: ${n(s.alerts)} alerts on ${n(s.subjects)} subjects → ${n(s.opened)} cases opened, ${n(s.grown)} grew, ${n(s.joined)} alerts joined${skipped}`;
}

/**
 * For `kanshi start`: the case use cases with the deployment's keys, after grouping the replayed
 * alerts into cases and printing one line about it. Pass the result to buildApp as `cases`.
 */
export async function startCases(io: CliIo, store: Store, alerts: readonly Alert[], audit?: AuditTrail): Promise<CaseUseCases> {
  const uc = await openCaseUseCases(io, store, audit);
  line(io, formatSyncSummary(await uc.cases.syncAlerts(alerts)));
  return uc;
}

function actingAs(opts: { as?: string; tenant?: string }): Principal {
  const role = (opts.as ?? "supervisor") as Role;
  if (!(ROLES as readonly string[]).includes(role)) throw badInput(`expected one of ${ROLES.join(", ")}`, "--as");
  let user = "operator";
  try {
    user = userInfo().username.replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 60) || "operator";
  } catch {
    // no user name (some containers): the generic one
  }
  const id = principalId(`cli:${user}`);
  if (role === "exchange_officer" || role === "data_provider") {
    if (!opts.tenant) throw badInput(`acting as ${role} needs --tenant <exchange or source id>`, "--tenant");
    return { id, role, tenant: tenantId(opts.tenant) };
  }
  if (opts.tenant !== undefined) throw badInput(`role ${role} takes no tenant`, "--tenant");
  return { id, role };
}

function wholeNumber(raw: string, name: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badInput(`expected a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`, name);
  return n;
}

const row = (c: CaseView) =>
  `${c.id}  ${c.state.padEnd(13)} score ${c.score.toFixed(1).padStart(5)}  ${String(c.alertCount).padStart(4)} alerts  ${c.subject.kind}:${c.subject.id}${c.assignee ? `  → ${c.assignee}` : ""}${c.overdue ? "  OVERDUE" : ""}`;

function printDetail(io: CliIo, c: CaseDetail): void {
  line(io, row(c));
  line(io, `  opened ${c.openedAt} by ${c.openedBy} (${c.openedReason}); due ${c.dueAt ?? "-"}; age ${c.ageDays} days; exchanges ${c.exchanges.join(", ") || "-"}${c.suspect ? "; SUSPECT (at or above the disclosure threshold)" : ""}`);
  if (c.disposition) line(io, `  disposition ${c.disposition}`);
  line(io, `  next: ${c.nextStates.join(", ") || "(none for this role)"}`);
  line(io, `  accounts: ${c.accounts.map((a) => `${a.id}${a.exchange ? ` @${a.exchange}` : ""}`).join(", ") || "-"}`);
  for (const a of c.alerts) line(io, `  alert ${a.ts}  ${a.typology.padEnd(24)} score ${String(a.score).padStart(3)}  ${a.explanation}`);
  for (const n of c.notes) line(io, `  note ${n.at} ${n.author}: ${n.text}`);
  for (const e of c.evidence) line(io, `  evidence ${e.addedAt} ${e.kind} ${e.ref ?? `${e.graph?.nodes.length ?? 0} nodes, ${e.graph?.edges.length ?? 0} edges`}`);
  for (const h of c.history) line(io, `  history ${h.at} ${h.actor} ${h.action} ${JSON.stringify(h.details)}`);
}

async function withCases<T>(io: CliIo, fn: (uc: CaseUseCases) => Promise<T>): Promise<T> {
  return withConfiguredStore(io, async (store) => fn(await openCaseUseCases(io, store)));
}

export function registerCaseCommands(program: Command, io: CliIo, _setCode: (code: number) => void): void {
  const cases = program.command("cases").description("cases: alerts grouped per entity (or account), worked through open → investigating → escalated → reported → closed");
  const as = (c: Command) => c.option("--as <role>", `the role to act in (${ROLES.join(", ")})`, "supervisor").option("--tenant <id>", "the exchange, when acting as exchange_officer");

  as(
    cases
      .command("list")
      .description("list cases: id, state, score, alert count, subject")
      .option("--state <states>", "comma-separated states (open, investigating, escalated, reported, closed)")
      .option("--entity <id>", "only cases about this entity (or account pseudonym)")
      .option("--assignee <id>", "only cases assigned to this principal (none: unassigned)")
      .option("--min-score <n>", "only cases scoring at least this")
      .option("--sort <sort>", CASE_SORTS.join(" | "), "-openedAt")
      .option("--limit <n>", "how many (1–200)", "50")
      .option("--json", "print a JSON array"),
  ).action(async (opts: { state?: string; entity?: string; assignee?: string; minScore?: string; sort: string; limit: string; json?: boolean; as?: string; tenant?: string }) => {
    const who = actingAs(opts);
    if (!(CASE_SORTS as readonly string[]).includes(opts.sort)) throw badInput(`expected one of ${CASE_SORTS.join(", ")}`, "--sort");
    const page = await withCases(io, (uc) =>
      uc.cases.list(who, {
        ...(opts.state ? { states: opts.state.split(",").map((s) => s.trim()) as never } : {}),
        ...(opts.entity ? { entity: opts.entity } : {}),
        ...(opts.assignee ? { assignee: opts.assignee === "none" ? null : opts.assignee } : {}),
        ...(opts.minScore !== undefined ? { minScore: wholeNumber(opts.minScore, "--min-score", 0, 100) } : {}),
        sort: opts.sort as CaseSort,
        limit: wholeNumber(opts.limit, "--limit", 1, 200),
      }),
    );
    if (opts.json) return void line(io, JSON.stringify(page.items.map((c) => ({ id: c.id, entity: c.subject.id, subjectKind: c.subject.kind, state: c.state, disposition: c.disposition, score: c.score, alertCount: c.alertCount, assignee: c.assignee, openedAt: c.openedAt, dueAt: c.dueAt })), null, 2));
    for (const c of page.items) line(io, row(c));
    if (page.items.length === 0) line(io, "no cases");
    else if (page.nextCursor) line(io, `… more: raise --limit or filter`);
  });

  as(cases.command("show").description("one case: accounts, alerts, notes, evidence, history").argument("<caseId>").option("--json", "print JSON")).action(
    async (id: string, opts: { json?: boolean; as?: string; tenant?: string }) => {
      const who = actingAs(opts);
      const c = await withCases(io, (uc) => uc.cases.get(who, id));
      if (opts.json) line(io, JSON.stringify(c, null, 2));
      else printDetail(io, c);
    },
  );

  as(
    cases
      .command("open")
      .description("open a case by hand on a subject: an entity id or an account pseudonym (ps_…); its alerts in no case join it")
      .argument("<subject>")
      .option("--note <text>", "why")
      .option("--assignee <principal>", "assign it (user:name or key:name)"),
  ).action(async (subject: string, opts: { note?: string; assignee?: string; as?: string; tenant?: string }) => {
    const who = actingAs(opts);
    const c = await withCases(io, (uc) => uc.cases.open(who, { subject, ...(opts.note !== undefined ? { note: opts.note } : {}), ...(opts.assignee !== undefined ? { assignee: opts.assignee } : {}) }));
    line(io, `opened ${c.id} on ${c.subject.kind}:${c.subject.id} with ${c.alerts.length} alert(s), score ${c.score.toFixed(1)}`);
  });

  as(
    cases
      .command("transition")
      .description("move a case to another state (closing needs --disposition)")
      .argument("<caseId>")
      .argument("<state>", "investigating | escalated | reported | closed")
      .option("--disposition <d>", DISPOSITIONS.join(" | "))
      .option("--note <text>", "a note to add with it"),
  ).action(async (id: string, to: string, opts: { disposition?: string; note?: string; as?: string; tenant?: string }) => {
    const who = actingAs(opts);
    const c = await withCases(io, (uc) => uc.cases.transition(who, id, { to, ...(opts.disposition !== undefined ? { disposition: opts.disposition } : {}), ...(opts.note !== undefined ? { note: opts.note } : {}) }));
    line(io, `${c.id} is now ${c.state}${c.disposition ? ` (${c.disposition})` : ""}`);
  });

  cases
    .command("sync")
    .description("group every stored alert that is in no case yet (after a replay or an import of alerts)")
    .action(async () => {
      const s = await withCases(io, (uc) => uc.cases.syncStored());
      line(io, formatSyncSummary(s));
    });
}

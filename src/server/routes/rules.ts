// Custom detection rules over HTTP (storage: src/store/rules.ts; language: src/engine/rules):
//
//   GET  /v1/rules                   every rule version (analyst, supervisor, auditor)
//   POST /v1/rules                   store a new draft version, type-checked (analyst, supervisor)
//   POST /v1/rules/:id/backtest      replay the stored history with the newest (or ?version=) draft and record it (analyst, supervisor)
//   POST /v1/rules/:id/publish       publish a backtested draft (supervisor only: the four-eyes step)
//   POST /v1/rules/:id/retire        retire the published version (supervisor only)
//   PUT  /v1/typologies/:id/config   store new config overrides for a built-in typology (supervisor only)
//
// Analysts write and backtest; publishing changes what every exchange is alerted on, so only a
// supervisor publishes, and only a draft whose backtest on the stored history is on record.
// Drafts, publishes, retirements and typology configs are audited before they are stored
// (src/cli/rule-changes.ts); after a publish, retire or config change the server's live detection
// swaps in the new settings (`onChange`) before the answer is sent.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { KanshiError } from "../../contracts/errors.ts";
import { ruleChanges, type RuleAuditSink } from "../../cli/rule-changes.ts";
import { backtestRuleOnHistory } from "../../cli/rule-commands.ts";
import type { Registry } from "../../engine/registry.ts";
import type { Store } from "../../store/ports.ts";
import { RULE_STATUSES, type RuleStatus, type RuleVersionRecord, type TypologyConfigRecord } from "../../store/rules.ts";
import { actorOf, requireRole } from "../auth.ts";
import { errorResponses } from "../schemas.ts";

export interface RuleRouteDeps {
  store: Store;
  /** The audit trail every draft, publish, retirement and typology config is recorded in first (default: the app's). */
  audit?: RuleAuditSink;
  /** Epoch ms; default Date.now. */
  now?: () => number;
  /** Typologies whose configs may be set (default: the built-in registry). */
  registry?: Registry;
  /** Awaited after a publish, retire or typology config change: the live detection swaps settings here. */
  onChange?: () => Promise<unknown> | void;
  /** A failed swap (the change itself is stored and audited). */
  onChangeError?: (e: unknown) => void;
}

const Time = z.string().describe("RFC 3339 UTC");
const RuleId = z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, "expected a rule id (lower-case letters, digits and '-')");
const Status = z.enum(RULE_STATUSES as [RuleStatus, ...RuleStatus[]]);

const RuleVersionSchema = z
  .object({
    ruleId: z.string(),
    version: z.number().int(),
    status: Status,
    configVersion: z.string(),
    definition: z.object({
      id: z.string(),
      version: z.number().int(),
      name: z.string(),
      description: z.string().optional(),
      expression: z.string(),
      score: z.number().int(),
      on: z.array(z.string()).optional(),
      cooldown: z.string().optional(),
    }),
    createdBy: z.string(),
    createdAt: Time,
    backtest: z
      .object({
        events: z.number().int(),
        alerts: z.number().int(),
        subjects: z.number().int(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        publishedAlerts: z.number().int().nullable(),
        sample: z.array(z.string()),
        by: z.string(),
        at: Time,
      })
      .nullable(),
    publishedBy: z.string().nullable(),
    publishedAt: Time.nullable(),
  })
  .describe("One version of a custom rule");

const DraftBody = z
  .object({
    id: RuleId,
    name: z.string(),
    expression: z.string().describe('CEL over `event` and declared aggregates, e.g. event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5'),
    score: z.number(),
    description: z.string().optional(),
    on: z.array(z.string()).optional(),
    cooldown: z.string().optional(),
  })
  .describe("A rule definition; the store numbers its version");

const TypologyConfigSchema = z
  .object({
    typology: z.string(),
    version: z.number().int(),
    overrides: z.record(z.string(), z.unknown()),
    configVersion: z.string(),
    createdBy: z.string(),
    createdAt: Time,
  })
  .describe("One version of a typology's config overrides");

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(r: RuleVersionRecord): z.input<typeof RuleVersionSchema> {
  return {
    ruleId: r.ruleId,
    version: r.version,
    status: r.status,
    configVersion: r.configVersion,
    definition: { ...r.definition, on: r.definition.on === undefined ? undefined : [...r.definition.on] },
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt)!,
    backtest: r.backtest === null ? null : { ...r.backtest, sample: [...r.backtest.sample], at: iso(r.backtest.at)! },
    publishedBy: r.publishedBy,
    publishedAt: iso(r.publishedAt),
  };
}

function configView(c: TypologyConfigRecord): z.input<typeof TypologyConfigSchema> {
  return { typology: c.typology, version: c.version, overrides: { ...c.overrides }, configVersion: c.configVersion, createdBy: c.createdBy, createdAt: iso(c.createdAt)! };
}

export async function ruleRoutes(app: FastifyInstance, deps: RuleRouteDeps & { audit: RuleAuditSink }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const now = deps.now ?? Date.now;
  const rules = () => deps.store.rules();
  const changes = ruleChanges(deps);
  const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

  r.get(
    "/v1/rules",
    {
      schema: {
        summary: "List custom rules",
        description: "Every version of every rule (draft, published, retired), by rule id, newest version first.",
        tags: ["rules"],
        querystring: z.object({ status: Status.optional(), id: RuleId.optional() }),
        response: { 200: z.object({ items: z.array(RuleVersionSchema) }), ...errorResponses(400) },
      },
    },
    async (req) => {
      requireRole(req, "analyst", "supervisor", "auditor");
      const q: { status?: RuleStatus; ruleId?: string } = {};
      if (req.query.status !== undefined) q.status = req.query.status;
      if (req.query.id !== undefined) q.ruleId = req.query.id;
      return { items: (await rules().list(q)).map(view) };
    },
  );

  r.post(
    "/v1/rules",
    {
      schema: {
        summary: "Store a draft rule",
        description: "Type-checks the CEL expression (errors name `rule.expression:<line>:<column>`) and stores it as the rule's next draft version.",
        tags: ["rules"],
        body: DraftBody,
        response: { 201: RuleVersionSchema, ...errorResponses(400, 409) },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, "analyst", "supervisor");
      const rec = await changes.addDraft(actorOf(p), req.body);
      return reply.status(201).send(view(rec));
    },
  );

  r.post(
    "/v1/rules/:id/backtest",
    {
      schema: {
        summary: "Backtest a draft on the stored history",
        description: "Replays every stored event (event-time order) with the draft (the newest version, or ?version=) and the published version, and records the result on the draft.",
        tags: ["rules"],
        params: z.object({ id: RuleId }),
        querystring: VersionQuery,
        response: { 200: RuleVersionSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const p = requireRole(req, "analyst", "supervisor");
      return view(await backtestRuleOnHistory(deps.store, req.params.id, req.query.version, actorOf(p), now));
    },
  );

  r.post(
    "/v1/rules/:id/publish",
    {
      schema: {
        summary: "Publish a backtested draft",
        description: "Supervisors only. The draft (newest, or ?version=) must have a backtest on record; the version published before is retired.",
        tags: ["rules"],
        params: z.object({ id: RuleId }),
        querystring: VersionQuery,
        response: { 200: RuleVersionSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const p = requireRole(req, "supervisor");
      if (req.query.version === undefined && (await rules().get(req.params.id)) === undefined) throw new KanshiError("not_found", `no rule ${req.params.id}`, "params.id");
      return view(await changes.publish(actorOf(p), req.params.id, req.query.version));
    },
  );

  r.post(
    "/v1/rules/:id/retire",
    {
      schema: {
        summary: "Retire a published rule",
        description: "Supervisors only. The published version (or ?version=, which must be the published one) stops raising alerts; no version of the rule is in force afterwards.",
        tags: ["rules"],
        params: z.object({ id: RuleId }),
        querystring: VersionQuery,
        response: { 200: RuleVersionSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const p = requireRole(req, "supervisor");
      return view(await changes.retire(actorOf(p), req.params.id, req.query.version));
    },
  );

  r.put(
    "/v1/typologies/:id/config",
    {
      schema: {
        summary: "Set a typology's config overrides",
        description: "Supervisors only. Partial overrides over the typology's defaults, checked by its own schema (errors name `<typology>.<setting>`); stored as its next config version and in force at once.",
        tags: ["rules"],
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.record(z.string(), z.unknown()),
        response: { 200: TypologyConfigSchema, ...errorResponses(400) },
      },
    },
    async (req) => {
      const p = requireRole(req, "supervisor");
      return configView(await changes.setTypologyConfig(actorOf(p), req.params.id, req.body));
    },
  );
}

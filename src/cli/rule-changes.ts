// Changes to detection settings — a rule's new draft version, publishing, retiring, a typology's
// config overrides — as audited use cases, shared by the HTTP routes (src/server/routes/rules.ts)
// and the CLI (`kanshi rules …`, rule-commands.ts).
//
// Audit discipline (as reveals in src/disclosure/service.ts): every check is made first, then the
// audit record is written, and only then is the change stored. If the audit trail cannot be
// written, nothing changes. If the store refuses after the record was written (a concurrent writer
// got there first), a `….aborted` record follows, so the trail never shows a change that silently
// did not happen (a crash between the two leaves only the first record: the trail may name a change
// that did not take effect, never miss one that did).
//
// A record names who, the rule (or typology), the version, the definition's configVersion and, for a
// publish, the backtest on record (when, by whom, for which configVersion, what it raised): never the
// expression or the override values.
import { isKanshiError, KanshiError, badInput } from "../contracts/errors.ts";
import { configVersionOf, resolveConfig } from "../engine/config.ts";
import type { Registry } from "../engine/registry.ts";
import { defaultRegistry } from "../engine/typologies/index.ts";
import { checkRule } from "../engine/rules/index.ts";
import type { AuditInput, JsonObject } from "../privacy/index.ts";
import type { Store } from "../store/ports.ts";
import type { RuleVersionRecord, TypologyConfigRecord } from "../store/rules.ts";

/** The audit trail (privacy AuditTrail), as far as rule changes need it. */
export interface RuleAuditSink {
  appendBatch(inputs: readonly AuditInput[]): Promise<unknown>;
}

export interface RuleChangeDeps {
  readonly store: Store;
  readonly audit: RuleAuditSink;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /** Typologies whose configs may be set (default: the built-in registry). */
  readonly registry?: Registry;
  /**
   * Called (and awaited) after a change that alters what detection runs (publish, retire, typology
   * config): a running server swaps in the new settings here. A failure is not the change's: it is
   * stored and audited already, so it is reported through `onChangeError` and the call succeeds.
   */
  readonly onChange?: () => Promise<unknown> | void;
  readonly onChangeError?: (e: unknown) => void;
}

export interface RuleChanges {
  /** Store a definition as the rule's next draft version (type-checked first). */
  addDraft(actor: string, definition: unknown): Promise<RuleVersionRecord>;
  /** Publish a backtested draft (default: the newest version), retiring the version published before. */
  publish(actor: string, ruleId: string, version?: number): Promise<RuleVersionRecord>;
  /** Retire the published version (default: whichever is published). */
  retire(actor: string, ruleId: string, version?: number): Promise<RuleVersionRecord>;
  /** Store a new version of a typology's config overrides (validated by its schema). */
  setTypologyConfig(actor: string, typology: string, overrides: unknown): Promise<TypologyConfigRecord>;
}

function ruleIdOf(definition: unknown): string {
  const id = typeof definition === "object" && definition !== null && !Array.isArray(definition) ? (definition as { id?: unknown }).id : undefined;
  if (typeof id !== "string" || !/^[a-z][a-z0-9-]{0,47}$/.test(id)) throw badInput("expected a rule id (lower-case letters, digits and '-')", "rule.id");
  return id;
}

export function ruleChanges(deps: RuleChangeDeps): RuleChanges {
  const now = deps.now ?? Date.now;
  const registry = deps.registry ?? defaultRegistry;
  const rules = () => deps.store.rules();

  /** Audit first, then store; an `.aborted` record when the store refuses after the record was written. */
  async function audited<T>(record: AuditInput, change: () => Promise<T>): Promise<T> {
    await deps.audit.appendBatch([record]);
    try {
      return await change();
    } catch (e) {
      const kind = isKanshiError(e) ? e.kind : "internal";
      await deps.audit.appendBatch([{ actor: record.actor, action: `${record.action}.aborted`, target: record.target, details: { ...record.details, error: kind } }]).catch(() => undefined);
      throw e;
    }
  }

  async function changed(): Promise<void> {
    if (deps.onChange === undefined) return;
    try {
      await deps.onChange();
    } catch (e) {
      deps.onChangeError?.(e);
    }
  }

  async function inForce(ruleId: string): Promise<RuleVersionRecord | undefined> {
    return (await rules().list({ ruleId, status: "published" }))[0];
  }

  return {
    async addDraft(actor, definition) {
      const ruleId = ruleIdOf(definition);
      const version = ((await rules().get(ruleId))?.version ?? 0) + 1;
      const r = checkRule({ ...(definition as object), version });
      if (!r.ok) {
        const p = r.problems[0]!;
        throw badInput(p.message + (r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : ""), `rule.${p.path}`);
      }
      const configVersion = configVersionOf(r.rule.definition);
      return audited({ actor, action: "rule.draft", target: `rule:${ruleId}`, details: { rule: ruleId, version, configVersion } }, () =>
        rules().addDraft(definition, { actor, at: now() }, { version }),
      );
    },

    async publish(actor, ruleId, version) {
      const draft = await rules().get(ruleId, version);
      if (draft === undefined) throw new KanshiError("not_found", version === undefined ? `no rule ${ruleId}` : `no rule ${ruleId} version ${version}`, "version");
      if (draft.status !== "draft") throw new KanshiError("conflict", `rule ${ruleId} v${draft.version} is ${draft.status}; only a draft can be published`, "status");
      const bt = draft.backtest;
      if (bt === null) throw new KanshiError("conflict", `rule ${ruleId} v${draft.version} has no backtest on record; backtest it against history before publishing`, "backtest");
      const before = await inForce(ruleId);
      const details: JsonObject = {
        rule: ruleId,
        version: draft.version,
        configVersion: draft.configVersion,
        // The backtest on record, by its identity (this draft's, at that time, by that person) and outcome.
        backtest: { at: new Date(bt.at).toISOString(), by: bt.by, configVersion: draft.configVersion, events: bt.events, alerts: bt.alerts, subjects: bt.subjects },
        retires: before === undefined ? null : before.version,
      };
      const rec = await audited({ actor, action: "rule.publish", target: `rule:${ruleId}`, details }, () => rules().publish(ruleId, draft.version, { actor, at: now() }));
      await changed();
      return rec;
    },

    async retire(actor, ruleId, version) {
      const current = version === undefined ? await inForce(ruleId) : await rules().get(ruleId, version);
      if (current === undefined) throw new KanshiError("not_found", version === undefined ? `rule ${ruleId} has no published version` : `no rule ${ruleId} version ${version}`, "version");
      if (current.status !== "published") throw new KanshiError("conflict", `rule ${ruleId} v${current.version} is ${current.status}; only a published version can be retired`, "status");
      const details: JsonObject = { rule: ruleId, version: current.version, configVersion: current.configVersion };
      const rec = await audited({ actor, action: "rule.retire", target: `rule:${ruleId}`, details }, () => rules().retire(ruleId, current.version, { actor, at: now() }));
      await changed();
      return rec;
    },

    async setTypologyConfig(actor, typology, overrides) {
      const t = registry.get(typology);
      if (t === undefined) throw badInput(`unknown typology (known: ${registry.ids().join(", ")})`, "typology");
      if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) throw badInput("expected an object of overrides", typology);
      const configVersion = configVersionOf(resolveConfig(t, overrides));
      const previous = (await rules().typologyConfigHistory(typology))[0];
      // The names of the settings changed, not their values.
      const details: JsonObject = { typology, version: (previous?.version ?? 0) + 1, configVersion, settings: Object.keys(overrides).sort() };
      const rec = await audited({ actor, action: "typology.config", target: `typology:${typology}`, details }, () => rules().setTypologyConfig(registry, typology, overrides, { actor, at: now() }));
      await changed();
      return rec;
    },
  };
}

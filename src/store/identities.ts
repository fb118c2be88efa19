// Identity records (migration 6): the personal data of the event log, sealed at rest, with blind
// indexes, derived features and entity assignments. `store.identities()`.
//
// Where personal data goes. When the store is opened with `personalData` keys (the composition roots
// always do: cli/store.ts), appendEvents splits every identity-bearing event before it is written:
//
//   account.opened / account.updated (kyc), credit.report (subject + credit details), social.link
//   (handle + subject), and withdrawal (travel-rule names)
//
//   → events.body keeps the wire JSON minus the personal values: a person's name becomes the
//     placeholder "[sealed bidx:N.<blind index of its written-name key>]" (the schema needs one; one
//     written name, one placeholder, so the engine compares names as it would in plaintext — see
//     NAME_TOKEN_PREFIX), a travel-rule name "[sealed <record id>]" (one per record),
//     phones, e-mails and social handles become their blind index ("bidx:…", "bidx:L.…" for a
//     landline; equal values give equal tokens, so equality across exchanges still works on the
//     log without plaintext), a credit score becomes its
//     hundred (a band), everything else personal is removed, and `_sealed: {v, paths}` lists what was
//     taken out. The values the engine reads stay (residency, nationality, declared and annual income,
//     delinquencies, bankruptcy, customer type): they identify no one on their own, and the
//     typologies consume them exactly. The body still parses as the same event type, so replay and
//     detection run on it unchanged.
//   → identity_fields holds each removed value (JSON text) sealed on its own with the privacy
//     Keyring: AES-256-GCM, associated data = (record id, field path), so a value copied to another
//     record or field does not open. The fields of one record share a data key (a fresh one per
//     record, wrapped once by the current master key; a fresh nonce per field) and are stored in
//     one row: field "@<path> <path> …", sealed = the values packed (see packFields). Rows written
//     before that hold one value each (field = its path) and are read, purged and rewrapped alike;
//     counts (purge, rewrap, key usage) are of values, not rows;
//   → identity_blind_indexes holds HMAC indexes of the equality fields (date of birth, phone, e-mail,
//     corporate number), normalised first (identity's normalisers, passed in: the store does not
//     import the identity room);
//   → identity_records holds one row per event: owner tenant (the event's source), account, event
//     time, derived non-identifying features (income band, delinquency flag, residency…), and the
//     entity the linker assigned (pseudonymous).
//
// All of it is written in the append's transaction, only for events that were new (a duplicate is
// not sealed again). A record id is the event key `source:id`.
//
// Reading back: `linkageEvents()` restores the original events (plaintext, in memory) for the
// linker; `personalData()` unseals chosen fields of one entity's records for a caller that has
// already decided the reader may see them, and returns what it read for that caller's audit record.
// `purge()` deletes the sealed fields, their data keys and blind indexes of never-suspect, inactive
// entities (APPI minimisation), keeping records, entity ids, features and the redacted events.
// `rewrap()` moves every sealed value to the current master key (rotation without downtime).
//
// Nothing here logs or puts a personal value into an error message.
import { badInput, KanshiError } from "../contracts/errors.ts";
import { parseEvent, toWire, type Event } from "../contracts/events.ts";
import { PERSONAL_FIELDS, SealError, sealedParts, type BlindIndexer, type Keyring, type RecordSealer } from "../privacy/index.ts";
import type { StoredEventInput } from "./ports.ts";
import { toNumber, toStr, type Row, type SqlDatabase, type SqlQueryable } from "./sql.ts";

// ---- configuration --------------------------------------------------------------------------------

/** Equality-only fields kept as blind indexes. */
export const BLIND_FIELDS = ["dateOfBirth", "phone", "email", "corporateNumber", "socialHandle"] as const;
export type BlindField = (typeof BLIND_FIELDS)[number];

export interface PersonalDataSealing {
  /** Seals and opens personal values (master keys: current first). */
  readonly keyring: Keyring;
  /** Blind indexes of the equality fields. */
  readonly blindIndexer: BlindIndexer;
  /**
   * Domain normalisers run before blind indexing (identity's normalizeDate, normalizePhone,
   * normalizeEmail, normalizeCorporateNumber), so two writings of one value index alike. A field
   * without one, or a null result, indexes the value as written (the indexer still folds width,
   * case and spaces).
   */
  readonly normalize?: Partial<Record<BlindField, (raw: string) => string | null>>;
  /**
   * Whether a phone number is a landline (identity's phoneKind): its token in the log is then
   * "bidx:L.…", so the engine can still tell a household's shared landline from a shared mobile.
   */
  readonly isLandline?: (raw: string) => boolean;
  /**
   * The key under which identity compares written names (identity's writtenNameKey): a name in an
   * identity record is then kept in the log as the blind index of its key (NAME_TOKEN_PREFIX).
   */
  readonly nameKey?: (raw: string) => string;
}

/** The keys, or a function loading them on first need (so a store that never sees personal data never loads keys). */
export type PersonalDataSealingSource = PersonalDataSealing | (() => Promise<PersonalDataSealing>);

/** What replaces a sealed name or travel-rule name in the stored event: `[sealed <record id>]`. */
export const sealedPlaceholder = (recordId: string): string => `[sealed ${recordId}]`;
/**
 * A person's name in an identity record becomes `[sealed bidx:N.<index>]`: the blind index of its
 * written-name key (PersonalDataSealing.nameKey), so records of one written name carry one
 * placeholder — in the log the engine sees what it would compare in plaintext (shared-identifiers
 * takes accounts whose KYC names match for one person's), and nothing of the name itself. Without a
 * name key, or for a name that keys to nothing, the record's own placeholder.
 */
export const NAME_TOKEN_PREFIX = "bidx:N.";
/** Whether a value is a placeholder this store wrote (a body re-appended as it was read back). */
export const isSealedPlaceholder = (v: unknown): boolean => typeof v === "string" && v.startsWith("[sealed ") && v.endsWith("]");
/** Prefix of a blind index standing in for a phone, e-mail or social handle in the stored event. */
export const BLIND_TOKEN_PREFIX = "bidx:";
/** A landline's token: `bidx:L.<index>`. */
export const LANDLINE_TOKEN_PREFIX = "bidx:L.";

/** Event types whose records take part in identity linkage. */
export const IDENTITY_EVENT_TYPES = ["account.opened", "account.updated", "credit.report", "social.link"] as const;
export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];
/** Kinds of stored record: an identity event, or a withdrawal's travel-rule names. */
export type IdentityRecordKind = IdentityEventType | "withdrawal";

const IDENTITY_TYPES: ReadonlySet<string> = new Set(IDENTITY_EVENT_TYPES);

/** Fields of `personalData` beyond the policy's PERSONAL_FIELDS: the travel-rule names of a withdrawal. */
export const TRAVEL_RULE_FIELDS = ["originatorName", "beneficiaryName"] as const;
export type StoredPersonalField = (typeof PERSONAL_FIELDS)[number] | (typeof TRAVEL_RULE_FIELDS)[number];

// ---- the split ------------------------------------------------------------------------------------

/**
 * How one value is treated: `pass` is not personal (stays); `keep` is personal but read by the engine
 * (stays, not sealed: the log is its copy); the others are sealed and in the log become the
 * placeholder, a blind-index token, a band, or nothing.
 */
type Treatment = "pass" | "keep" | "placeholder" | "name" | "token" | "band" | "remove";

const IDENTITY_OBJECT: Readonly<Record<string, Treatment>> = {
  name: "name",
  nameKana: "remove",
  nameLatin: "remove",
  dateOfBirth: "remove",
  nationality: "keep",
  residency: "keep",
  postalCode: "remove",
  address: "remove",
  phone: "token",
  email: "token",
  occupation: "remove",
  declaredIncomeJpy: "keep",
  purpose: "remove",
  corporateNumber: "remove",
};

const COMMON_KEYS: ReadonlySet<string> = new Set(["id", "type", "ts", "source"]);

/** Top-level keys per identity type; `identity` marks the kyc / subject object. Keys not listed are sealed as extras. */
const TOP: Readonly<Record<IdentityEventType, Readonly<Record<string, Treatment | "identity">>>> = {
  "account.opened": { accountId: "pass", customerType: "pass", riskRating: "pass", kyc: "identity" },
  "account.updated": { accountId: "pass", kyc: "identity" },
  "credit.report": {
    bureau: "pass",
    subject: "identity",
    creditScore: "band",
    annualIncomeJpy: "keep",
    debtJpy: "remove",
    delinquencies: "keep",
    bankruptcy: "keep",
  },
  "social.link": { platform: "pass", handle: "token", accountId: "pass", subject: "identity", verified: "pass" },
};

/** The travel rule of a withdrawal: names sealed, the beneficiary's VASP kept, anything else sealed as extras. */
const TRAVEL_RULE: Readonly<Record<string, Treatment>> = { originatorName: "placeholder", beneficiaryName: "placeholder", beneficiaryVasp: "pass" };

/** The sealed path holding an object's unknown keys (`kyc._extra`, `event._extra` for top-level ones). */
const EXTRA = "_extra";
const TOP_EXTRA_PATH = `event.${EXTRA}`;

/** A text[] from a JSON array parameter (the same on PGlite and pg, whatever their array encoding). */
const textArray = (param: string) => `ARRAY(SELECT json_array_elements_text(${param}::json))`;

export interface SealedField {
  /** The value's path in the wire event (`kyc.name`, `creditScore`, `handle`, `travelRule.beneficiaryName`). */
  readonly field: string;
  /** The master key id its data key is wrapped under. */
  readonly kid: string;
  readonly sealed: Buffer;
}

export interface BlindIndexValue {
  readonly field: BlindField;
  readonly kid: string;
  readonly value: string;
}

/** Derived, non-identifying features of a record (what analytics and the engine may see). */
export interface IdentityFeatures {
  customerType?: string;
  riskRating?: string;
  residency?: string;
  /** `domestic` (JP) or `foreign`. */
  nationalityClass?: "domestic" | "foreign";
  /** Declared (KYC) or bureau-reported annual income, banded. */
  incomeBand?: IncomeBand;
  /** A bureau reported delinquencies or bankruptcy. */
  delinquent?: boolean;
  bankrupt?: boolean;
  /** Credit score floored to its hundred. */
  creditBand?: number;
  /** A corporate number was given (a corporate customer). */
  corporate?: boolean;
  /** Social links: the platform and whether the bureau verified the handle. */
  platform?: string;
  verified?: boolean;
}

export const INCOME_BANDS = ["<3m", "3m-6m", "6m-10m", "10m-20m", "20m+"] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

/** A decimal JPY string banded (exact: compared as an integer, never as a float). */
export function incomeBand(v: unknown): IncomeBand | undefined {
  if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v)) return undefined;
  const yen = BigInt(v.split(".")[0] ?? "0");
  if (yen < 3_000_000n) return "<3m";
  if (yen < 6_000_000n) return "3m-6m";
  if (yen < 10_000_000n) return "6m-10m";
  if (yen < 20_000_000n) return "10m-20m";
  return "20m+";
}

/** One event's personal data, ready to store. */
export interface SealedRecordInput {
  /** `source:id`. */
  readonly recordId: string;
  readonly tenant: string;
  readonly eventId: string;
  readonly kind: IdentityRecordKind;
  readonly accountId: string | null;
  readonly timeMs: number;
  readonly features: IdentityFeatures;
  readonly fields: readonly SealedField[];
  readonly blind: readonly BlindIndexValue[];
}

export interface SplitEvent {
  /** The wire JSON the log keeps. */
  readonly body: string;
  readonly record: SealedRecordInput;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isBlank = (v: unknown): boolean => typeof v === "string" && v.trim() === "";

class Splitter {
  readonly fields: SealedField[] = [];
  readonly blind: BlindIndexValue[] = [];
  readonly paths: string[] = [];
  constructor(
    readonly sealing: PersonalDataSealing,
    readonly recordId: string,
    /** A social link's platform: its handle is indexed as `platform:handle`. */
    readonly platform = "",
    /** Only work out the redacted body (engineView): nothing is encrypted. */
    readonly viewOnly = false,
  ) {}

  /** The record's sealer: one data key for all its fields, drawn and wrapped on the first seal. */
  #sealer: RecordSealer | undefined;

  seal(path: string, value: unknown): void {
    if (this.viewOnly) {
      this.paths.push(path);
      return;
    }
    const sealer = (this.#sealer ??= this.sealing.keyring.recordSealer(this.recordId));
    const sealed = sealer.seal(path, JSON.stringify(value));
    this.fields.push({ field: path, kid: sealer.kid, sealed });
    this.paths.push(path);
  }

  /** Wipes the record's data key (call once the record is split). */
  done(): void {
    this.#sealer?.dispose();
    this.#sealer = undefined;
  }

  /** The blind index of an equality field, or undefined when the value indexes to nothing. */
  index(field: BlindField, raw: unknown): string | undefined {
    if (typeof raw !== "string" || raw.trim() === "" || raw.startsWith(BLIND_TOKEN_PREFIX)) return undefined;
    let value: string;
    try {
      const norm = this.sealing.normalize?.[field]?.(raw) ?? raw;
      value = this.sealing.blindIndexer.index(field, norm);
    } catch {
      return undefined; // empty after normalisation: nothing to match on
    }
    if (!this.blind.some((b) => b.field === field && b.value === value)) this.blind.push({ field, kid: this.sealing.blindIndexer.currentKid, value });
    return value;
  }

  /**
   * Applies a treatment to `obj[key]` (sealed under `path`). Returns the value the log keeps, or
   * `undefined` to drop the key.
   */
  treat(treatment: Treatment, path: string, value: unknown, blindField?: BlindField): unknown {
    switch (treatment) {
      case "pass":
      case "keep":
        return value;
      case "placeholder":
        if (isSealedPlaceholder(value) || isBlank(value)) return value; // nothing personal to seal
        this.seal(path, value);
        return typeof value === "string" ? sealedPlaceholder(this.recordId) : undefined;
      case "name": {
        if (isSealedPlaceholder(value) || isBlank(value)) return value;
        this.seal(path, value);
        if (typeof value !== "string") return undefined;
        const key = this.sealing.nameKey?.(value) ?? "";
        return key === "" ? sealedPlaceholder(this.recordId) : sealedPlaceholder(NAME_TOKEN_PREFIX + this.sealing.blindIndexer.index("name", key));
      }
      case "token": {
        if (isBlank(value) || (typeof value === "string" && value.startsWith(BLIND_TOKEN_PREFIX))) return value;
        this.seal(path, value);
        const raw = blindField === "socialHandle" && typeof value === "string" ? `${this.platform}:${value}` : value;
        const idx = blindField ? this.index(blindField, raw) : undefined;
        if (idx === undefined) return undefined;
        const landline = blindField === "phone" && typeof value === "string" && this.sealing.isLandline?.(value) === true;
        return (landline ? LANDLINE_TOKEN_PREFIX : BLIND_TOKEN_PREFIX) + idx;
      }
      case "band":
        this.seal(path, value);
        return typeof value === "number" && Number.isFinite(value) ? Math.floor(value / 100) * 100 : undefined;
      case "remove":
        if (isBlank(value)) return value;
        this.seal(path, value);
        return undefined;
    }
  }

  /** Redacts an object field by field; unknown keys are sealed together as `<prefix>._extra`. */
  redactObject(prefix: string, obj: Record<string, unknown>, table: Readonly<Record<string, Treatment>>, withIndexes: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const t = Object.hasOwn(table, key) ? table[key] : undefined;
      if (t === undefined) {
        extra[key] = value;
        continue;
      }
      const blindField = withIndexes && (BLIND_FIELDS as readonly string[]).includes(key) ? (key as BlindField) : undefined;
      if (blindField && t !== "token") this.index(blindField, value);
      const kept = this.treat(t, `${prefix}.${key}`, value, blindField);
      if (kept !== undefined) out[key] = kept;
    }
    if (Object.keys(extra).length > 0) this.seal(`${prefix}.${EXTRA}`, extra);
    return out;
  }
}

function features(type: string, ev: Record<string, unknown>): IdentityFeatures {
  const f: IdentityFeatures = {};
  const id = isObject(ev.kyc) ? ev.kyc : isObject(ev.subject) ? ev.subject : undefined;
  if (typeof ev.customerType === "string") f.customerType = ev.customerType;
  if (typeof ev.riskRating === "string") f.riskRating = ev.riskRating;
  if (id) {
    if (typeof id.residency === "string") f.residency = id.residency;
    if (typeof id.nationality === "string") f.nationalityClass = id.nationality === "JP" ? "domestic" : "foreign";
    const band = incomeBand(id.declaredIncomeJpy);
    if (band) f.incomeBand = band;
    if (typeof id.corporateNumber === "string" && id.corporateNumber.trim() !== "") f.corporate = true;
  }
  if (type === "credit.report") {
    const band = incomeBand(ev.annualIncomeJpy);
    if (band) f.incomeBand = band;
    if (typeof ev.delinquencies === "number") f.delinquent = ev.delinquencies > 0 || ev.bankruptcy === true;
    if (typeof ev.bankruptcy === "boolean") f.bankrupt = ev.bankruptcy;
    if (ev.bankruptcy === true) f.delinquent = true;
    if (typeof ev.creditScore === "number" && Number.isFinite(ev.creditScore)) f.creditBand = Math.floor(ev.creditScore / 100) * 100;
  }
  if (type === "social.link") {
    if (typeof ev.platform === "string") f.platform = ev.platform;
    if (typeof ev.verified === "boolean") f.verified = ev.verified;
  }
  return f;
}

/** Whether appendEvents must look inside this event for personal data. */
export function mayCarryPersonalData(e: { type: string; body: string }): boolean {
  return IDENTITY_TYPES.has(e.type) || (e.type === "withdrawal" && e.body.includes('"travelRule"'));
}

/**
 * Splits one stored event into the body the log keeps and its sealed personal data; undefined when
 * the event carries none (a withdrawal without travel-rule names). Throws bad_input at `where` when
 * the body of an identity-bearing event is not a JSON object.
 */
export function splitPersonalData(e: StoredEventInput, sealing: PersonalDataSealing, where = "event"): SplitEvent | undefined {
  if (!mayCarryPersonalData(e)) return undefined;
  let ev: unknown = e.parsed;
  if (ev === undefined) {
    try {
      ev = JSON.parse(e.body);
    } catch {
      ev = undefined;
    }
  }
  if (!isObject(ev)) throw badInput("expected the event's wire JSON (an object)", `${where}.body`);
  const split = splitObject(e, ev, sealing, false);
  return split === undefined ? undefined : { body: JSON.stringify(split.out), record: split.record };
}

/**
 * The split of one event's wire object: the object the log keeps (`out`, JSON-safe) and the record.
 * With `viewOnly` nothing is sealed and the record (fields, features) is not worked out: only `out`
 * is meant to be used.
 */
function splitObject(
  e: Pick<StoredEventInput, "source" | "id" | "type" | "time">,
  ev: Record<string, unknown>,
  sealing: PersonalDataSealing,
  viewOnly: boolean,
): { out: Record<string, unknown>; record: SealedRecordInput } | undefined {
  const recordId = `${e.source}:${e.id}`;
  const s = new Splitter(sealing, recordId, typeof ev.platform === "string" ? ev.platform : "", viewOnly);
  try {
    const out: Record<string, unknown> = {};
    let kind: IdentityRecordKind;

    if (IDENTITY_TYPES.has(e.type)) {
      kind = e.type as IdentityEventType;
      const table = TOP[kind];
      const extra: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(ev)) {
        if (key === "_sealed") continue; // never trusted from a sender
        if (COMMON_KEYS.has(key)) {
          out[key] = value;
          continue;
        }
        const t = Object.hasOwn(table, key) ? table[key] : undefined;
        if (t === undefined) extra[key] = value;
        else if (t === "identity") {
          if (isObject(value)) out[key] = s.redactObject(key, value, IDENTITY_OBJECT, true);
          else s.seal(key, value);
        } else {
          const kept = s.treat(t, key, value, key === "handle" ? "socialHandle" : undefined);
          if (kept !== undefined) out[key] = kept;
        }
      }
      if (Object.keys(extra).length > 0) s.seal(TOP_EXTRA_PATH, extra);
    } else {
      kind = "withdrawal";
      for (const [key, value] of Object.entries(ev)) {
        if (key === "_sealed") continue;
        if (key === "travelRule" && isObject(value)) out[key] = s.redactObject(key, value, TRAVEL_RULE, false);
        else out[key] = value;
      }
      if (s.paths.length === 0) return undefined;
    }

    out._sealed = { v: 1, paths: s.paths };
    const accountId = typeof ev.accountId === "string" ? ev.accountId : null;
    return {
      out,
      record: {
        recordId,
        tenant: e.source,
        eventId: e.id,
        kind,
        accountId,
        timeMs: e.time,
        features: kind === "withdrawal" || viewOnly ? {} : features(kind, ev),
        fields: s.fields,
        blind: s.blind,
      },
    };
  } finally {
    s.done(); // wipes the record's data key
  }
}

/**
 * The event as the store keeps it, for an engine fed live (before or without a replay): the same
 * placeholders and blind-index tokens, nothing encrypted. So live detection sees exactly what a
 * replay of the stored log will see (replay(log) == live(log)). Events without personal data come
 * back as they are.
 */
export function engineView(event: Event, sealing: PersonalDataSealing): Event {
  // Most events cannot carry personal data (mayCarryPersonalData's rule on the typed event): no copy.
  if (!IDENTITY_TYPES.has(event.type) && !(event.type === "withdrawal" && event.travelRule !== undefined)) return event;
  // toWire gives a fresh JSON-safe object (it round-trips through JSON text), which is exactly what
  // splitting the stored JSON text would parse: the split and parseEvent work on objects, with no
  // further text in between.
  const split = splitObject(event, toWire(event) as Record<string, unknown>, sealing, true);
  if (split === undefined) return event;
  const parsed = parseEvent(split.out);
  return parsed.ok ? parsed.event : event;
}

/**
 * Puts sealed values back into a stored body: the original event as a JSON object (key order aside).
 * `values` are [path, opened value] pairs.
 */
export function restoreEvent(body: string, values: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const ev = JSON.parse(body) as Record<string, unknown>;
  delete ev._sealed;
  for (const [path, value] of values) {
    if (path === TOP_EXTRA_PATH) {
      if (isObject(value)) Object.assign(ev, value);
      continue;
    }
    const parts = path.split(".");
    let target: Record<string, unknown> = ev;
    for (const p of parts.slice(0, -1)) {
      const next = target[p];
      if (!isObject(next)) target[p] = {};
      target = target[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (last === EXTRA && isObject(value)) Object.assign(target, value);
    else target[last] = value;
  }
  return ev;
}

// ---- SQL ----------------------------------------------------------------------------------------

/**
 * A stored row's field column: a record's packed fields are "@" + their paths, space-separated
 * (paths start with a letter and hold no space: FIELD_PATTERN in privacy/seal.ts); a row of the
 * earlier layout holds one value and its path.
 */
const PACKED_MARK = "@";
const PACKED_VERSION = 0xf1;
/** SQL: how many sealed values a row of identity_fields holds. */
const VALUES_IN_ROW = `(CASE WHEN starts_with(field, '${PACKED_MARK}') THEN cardinality(string_to_array(substr(field, 2), ' ')) ELSE 1 END)`;

const INSERT_RECORDS_SQL = `
WITH rec AS (
  INSERT INTO identity_records (record_id, tenant, event_id, kind, account_id, time_ms, features)
  SELECT r, t, e, k, a, m, f FROM json_to_recordset($1::json) AS x(r text, t text, e text, k text, a text, m int8, f jsonb)
  ORDER BY r COLLATE "C"
  ON CONFLICT DO NOTHING
  RETURNING record_id
), flds AS (
  INSERT INTO identity_fields (record_id, field, kid, sealed)
  SELECT y.r, y.f, y.k, decode(y.s, 'base64')
  FROM json_to_recordset($2::json) AS y(r text, f text, k text, s text) JOIN rec ON rec.record_id = y.r COLLATE "C"
  RETURNING field
), bidx AS (
  INSERT INTO identity_blind_indexes (record_id, field, kid, value)
  SELECT z.r, z.f, z.k, z.v
  FROM json_to_recordset($3::json) AS z(r text, f text, k text, v text) JOIN rec ON rec.record_id = z.r COLLATE "C"
  RETURNING 1
)
SELECT (SELECT count(*) FROM rec)::int4 AS records, (SELECT coalesce(sum(${VALUES_IN_ROW}), 0) FROM flds)::int4 AS fields, (SELECT count(*) FROM bidx)::int4 AS indexes`;

/**
 * Packs sealed values that share their key part (the values of one record sealer: version, key id,
 * wrapped data key) into one stored value, the key part written once:
 *   0xf1 ‖ u8 key part length ‖ key part ‖ (u16be body length ‖ body: nonce, tag, ciphertext) per value,
 * in the order of the paths. Unpacking gives back each value byte for byte.
 */
export function packFields(fields: readonly SealedField[]): { field: string; sealed: Buffer } {
  if (fields.length === 0) throw new KanshiError("internal", "no sealed fields to pack");
  const parts = fields.map((f) => sealedParts(f.sealed));
  const keyPart = parts[0]!.keyPart;
  let size = 2 + keyPart.length;
  parts.forEach((p, i) => {
    if (!p.keyPart.equals(keyPart)) throw new KanshiError("internal", `sealed fields of one row must share their data key (${fields[i]!.field} does not)`);
    if (p.body.length > 0xffff) throw badInput("a sealed value is over 65,535 bytes", `fields.${fields[i]!.field}`);
    size += 2 + p.body.length;
  });
  const out = Buffer.allocUnsafe(size);
  out[0] = PACKED_VERSION;
  out[1] = keyPart.length;
  keyPart.copy(out, 2);
  let at = 2 + keyPart.length;
  for (const p of parts) {
    out.writeUInt16BE(p.body.length, at);
    p.body.copy(out, at + 2);
    at += 2 + p.body.length;
  }
  return { field: PACKED_MARK + fields.map((f) => f.field).join(" "), sealed: out };
}

/** The [path, sealed value] pairs of one stored row (packed, or one value of the earlier layout). */
export function unpackFields(field: string, sealed: Buffer): [string, Buffer][] {
  if (!field.startsWith(PACKED_MARK)) return [[field, sealed]];
  const paths = field.slice(PACKED_MARK.length).split(" ");
  const malformed = () => new SealError("malformed", `packed sealed fields do not match their ${paths.length} path(s)`);
  if (sealed.length < 2 || sealed[0] !== PACKED_VERSION) throw malformed();
  const keyEnd = 2 + sealed[1]!;
  if (keyEnd > sealed.length) throw malformed();
  const keyPart = sealed.subarray(2, keyEnd);
  const out: [string, Buffer][] = [];
  let at = keyEnd;
  for (const p of paths) {
    if (at + 2 > sealed.length) throw malformed();
    const n = sealed.readUInt16BE(at);
    if (at + 2 + n > sealed.length) throw malformed();
    out.push([p, Buffer.concat([keyPart, sealed.subarray(at + 2, at + 2 + n)])]);
    at += 2 + n;
  }
  if (at !== sealed.length) throw malformed();
  return out;
}

/** One identity_fields row per data key of a record (one in practice: a record sealer seals it). */
function fieldRows(r: SealedRecordInput): { r: string; f: string; k: string; s: string }[] {
  if (r.fields.length === 0) return [];
  const groups = new Map<string, SealedField[]>();
  for (const f of r.fields) {
    const key = sealedParts(f.sealed).keyPart.toString("latin1");
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()].map((mine) => {
    const packed = packFields(mine);
    return { r: r.recordId, f: packed.field, k: mine[0]!.kid, s: packed.sealed.toString("base64") };
  });
}

/** Writes sealed records (inside the caller's transaction). A record id already stored is skipped with its fields. */
export async function insertSealedRecords(q: SqlQueryable, records: readonly SealedRecordInput[]): Promise<{ records: number; fields: number; indexes: number }> {
  if (records.length === 0) return { records: 0, fields: 0, indexes: 0 };
  const recs = records.map((r) => ({ r: r.recordId, t: r.tenant, e: r.eventId, k: r.kind, a: r.accountId, m: r.timeMs, f: r.features }));
  const fields = records.flatMap(fieldRows);
  const blind = records.flatMap((r) => r.blind.map((b) => ({ r: r.recordId, f: b.field, k: b.kid, v: b.value })));
  const [row] = await q.query(INSERT_RECORDS_SQL, [JSON.stringify(recs), JSON.stringify(fields), JSON.stringify(blind)]);
  return { records: toNumber(row?.records, "records"), fields: toNumber(row?.fields, "fields"), indexes: toNumber(row?.indexes, "indexes") };
}

// ---- the sub-store ------------------------------------------------------------------------------

/** Who reads: an exchange (or bureau) its own records only, or a disclosure grant every owner's. */
export type PersonalDataScope = { readonly tenant: string } | { readonly grant: string };

export type PersonalValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

export interface PersonalRecord {
  readonly recordId: string;
  /** The tenant (exchange or bureau) that supplied it. */
  readonly owner: string;
  readonly kind: IdentityRecordKind;
  readonly accountId: string | null;
  /** Event time, RFC 3339 UTC. */
  readonly time: string;
  /** True when its personal data was purged: `fields` then holds only what the log kept. */
  readonly purged: boolean;
  /** The requested fields this record has, opened. */
  readonly fields: Readonly<Partial<Record<StoredPersonalField, PersonalValue>>>;
}

/** What a personalData call read, without any value: what the caller writes to the audit trail. */
export interface PersonalDataReadLog {
  readonly entityId: string;
  /** `tenant:<id>` or `grant:<id>`. */
  readonly scope: string;
  readonly requested: readonly StoredPersonalField[];
  readonly records: readonly { readonly recordId: string; readonly owner: string; readonly fields: readonly StoredPersonalField[] }[];
  /** Values returned in all. */
  readonly values: number;
  readonly purgedRecords: number;
}

export interface PersonalDataRead {
  readonly entityId: string;
  readonly records: readonly PersonalRecord[];
  readonly read: PersonalDataReadLog;
}

export interface EntityAssignment {
  readonly recordId: string;
  /** Null: linked, but to no entity (an account without KYC on record). */
  readonly entityId: string | null;
  readonly confidence?: number | null;
}

export interface StoredEntityAssignments {
  /** accountId → entity of the account's earliest linked record. */
  readonly accounts: ReadonlyMap<string, string>;
  /** recordId → entity. */
  readonly records: ReadonlyMap<string, string>;
}

export interface LinkageRecord {
  readonly recordId: string;
  readonly tenant: string;
  readonly kind: IdentityRecordKind;
  readonly accountId: string | null;
  readonly entityId: string | null;
  readonly linked: boolean;
  readonly purged: boolean;
  /**
   * A sealed value of this record did not open (altered, or sealed under a master key that is not
   * configured): `event` is the redacted one. The linker must leave such a record out.
   */
  readonly unreadable: boolean;
  /** The original wire event, personal values restored (the redacted one when purged or unreadable). */
  readonly event: Record<string, unknown>;
}

export interface PurgeOptions {
  /** Records whose subject's last activity is before this instant (epoch ms) may be purged. */
  readonly cutoffMs: number;
  /** Count only: change nothing. */
  readonly dryRun?: boolean;
  /**
   * Whether a subject was ever a suspect (a case at or above the disclosure threshold). Called with
   * the entity id, and with each of its account ids (cases of accounts not yet linked to an entity
   * are keyed by account). Any `true` keeps the subject's data.
   */
  readonly wasEverSuspect: (subjectId: string) => Promise<boolean>;
}

export interface PurgeResult {
  readonly dryRun: boolean;
  readonly cutoffMs: number;
  /** Subjects (entities, or accounts / records never linked to one) whose data was (or would be) purged. */
  readonly subjects: number;
  readonly records: number;
  readonly fields: number;
  readonly blindIndexes: number;
  /** Subjects inactive long enough but kept because they were suspects. */
  readonly keptSuspects: number;
  /** Subjects whose records are old but whose accounts had events after the cutoff. */
  readonly keptActive: number;
  /** Records not linked yet (the linker has not seen them): never purged. */
  readonly unlinked: number;
}

export interface RewrapResult {
  /** Values now under the current master key that were not before. */
  readonly rewrapped: number;
  /** Values under a key id not in the keyring (cannot be rewrapped; their key must be restored). */
  readonly unreadable: number;
  /** Sealed values per master key id afterwards. */
  readonly byKid: Readonly<Record<string, number>>;
}

export interface IdentityStore {
  /** True when this store seals personal data (opened with `personalData` keys). */
  readonly sealing: boolean;

  /**
   * Seals identity-bearing events stored in plaintext (before sealing was configured, or by a store
   * opened without keys): same split as at append, bodies rewritten. Returns how many were sealed.
   */
  sealStoredEvents(): Promise<number>;

  /** Identity records the linker has not seen (withdrawal travel-rule records are not counted). */
  countUnlinked(): Promise<number>;
  /** Records by kind, how many linked, purged and with sealed fields (no personal data). */
  stats(): Promise<{ records: number; byKind: Record<string, number>; unlinked: number; purged: number; entities: number; sealedFields: number }>;

  /**
   * Every identity record (KYC, bureau and social subjects; not withdrawals), in event-time order,
   * with its original event restored in memory: for the identity linker only, which sees every
   * tenant's data by design (linkage is consortium-wide). Purged records come back redacted.
   */
  linkageRecords(opts?: { unlinkedOnly?: boolean }): AsyncIterable<LinkageRecord[]>;

  /** Stores the linker's result: entity per record (marks them linked). Returns how many rows changed. */
  assignEntities(assignments: readonly EntityAssignment[]): Promise<number>;
  /**
   * Links every unlinked record that has an account to that account's entity (none when the account
   * is not in `accounts`), and moves withdrawal records to their account's current entity.
   */
  assignByAccount(accounts: ReadonlyMap<string, string>): Promise<number>;
  /** The stored assignments (pseudonymous ids only). */
  entityAssignments(): Promise<StoredEntityAssignments>;

  /**
   * Opens `fields` of every record of `entityId` the scope covers: a tenant's own records, or every
   * owner's under a grant. Authorisation is the caller's: call only after the policy allowed the
   * read, and write `read` (no values) to the audit trail. Throws bad_input for an unknown field.
   */
  personalData(scope: PersonalDataScope, entityId: string, fields: readonly StoredPersonalField[]): Promise<PersonalDataRead>;

  /** Records whose blind index of `field` matches `value` (normalised like at ingest), under any configured index key. */
  matchBlindIndex(field: BlindField, value: string): Promise<{ recordId: string; tenant: string; entityId: string | null }[]>;

  /**
   * APPI minimisation: deletes the sealed fields (with the wrapped data key they carry) and blind
   * indexes of every subject that was never a suspect and whose last activity (its records, and
   * any event of its accounts) is before the cutoff; strips blind-index tokens from their events;
   * keeps records, entity ids, features and the redacted events. Counts only.
   */
  purge(opts: PurgeOptions): Promise<PurgeResult>;

  /** Sealed values per master key id. */
  keyUsage(): Promise<Record<string, number>>;
  /**
   * Re-wraps every sealed value's data key under the current master key, in batches, while the store
   * stays in use (no plaintext is produced; a value changed or purged meanwhile is left alone).
   * `batchSize` counts stored rows (a record's values share one row; older rows hold one value);
   * `onProgress` and the result count values.
   */
  rewrap(opts?: { batchSize?: number; onProgress?: (done: number) => void }): Promise<RewrapResult>;
}

// ---- helpers --------------------------------------------------------------------------------------

function checkId(v: unknown, where: string, max = 256): string {
  if (typeof v !== "string" || v.length === 0) throw badInput("expected a non-empty string", where);
  if (v.length > max) throw badInput(`at most ${max} characters`, where);
  if (v.includes("\0")) throw badInput("must not contain a NUL character", where);
  return v;
}

const STORED_FIELDS: ReadonlySet<string> = new Set<string>([...PERSONAL_FIELDS, ...TRAVEL_RULE_FIELDS]);
const isStoredField = (f: unknown): f is StoredPersonalField => typeof f === "string" && STORED_FIELDS.has(f);

const IDENTITY_OBJECT_FIELDS = Object.keys(IDENTITY_OBJECT);

/** Where a requested field lives in a wire event: sealed paths and log paths (the `keep` values). */
function pathsOf(field: StoredPersonalField): string[] {
  if (IDENTITY_OBJECT_FIELDS.includes(field)) return [`kyc.${field}`, `subject.${field}`];
  if (field === "socialHandle") return ["handle"];
  if (field === "originatorName" || field === "beneficiaryName") return [`travelRule.${field}`];
  return [field]; // creditScore, annualIncomeJpy, debtJpy, delinquencies, bankruptcy
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let v: unknown = obj;
  for (const p of path.split(".")) {
    if (!isObject(v)) return undefined;
    v = v[p];
  }
  return v;
}

/** The log's own copy of a `keep` field (nationality, residency, incomes, delinquencies, bankruptcy). */
function keptInLog(path: string): boolean {
  const [head, tail] = path.split(".");
  if (tail !== undefined) return (head === "kyc" || head === "subject") && IDENTITY_OBJECT[tail] === "keep";
  return TOP["credit.report"][path] === "keep";
}

const iso = (ms: number) => new Date(ms).toISOString();

function unavailable(): KanshiError {
  return new KanshiError("unavailable", "personal-data keys are not configured for this store (open it with personalData keys)");
}

// ---- implementation -------------------------------------------------------------------------------

const LINKAGE_PAGE = 2000;
/** meta key: the highest event seq sealStoredEvents has looked at. */
const SEALED_THROUGH_KEY = "identities.sealed_through_seq";
/** Event types that name accounts (validated at ingest, so their bodies are JSON objects). */
const ACCOUNT_EVENT_TYPES = ["account.opened", "account.updated", "account.closed", "login", "deposit", "withdrawal", "transfer", "order.placed", "order.cancelled", "trade", "social.link"]
  .map((t) => `'${t}'`)
  .join(", ");
const PURGE_CHUNK = 1000;

/** The keys, loaded once on first need; a failed load (a malformed key) is tried again on the next call. */
export function sealingLoader(source: PersonalDataSealingSource): () => Promise<PersonalDataSealing> {
  let loaded: Promise<PersonalDataSealing> | undefined;
  return () => {
    if (loaded === undefined) {
      const p = typeof source === "function" ? source() : Promise.resolve(source);
      loaded = p;
      p.catch(() => {
        if (loaded === p) loaded = undefined;
      });
    }
    return loaded;
  };
}

/**
 * The append side: splits every identity-bearing event of a batch (unique keys). Returns the events
 * to write (bodies redacted) and the records to store for each position that was split.
 */
export async function sealBatch(
  events: readonly StoredEventInput[],
  load: () => Promise<PersonalDataSealing>,
  where: (position: number) => string,
): Promise<{ events: StoredEventInput[]; records: { position: number; record: SealedRecordInput }[] }> {
  if (!events.some(mayCarryPersonalData)) return { events: [...events], records: [] };
  const sealing = await load();
  const out: StoredEventInput[] = [];
  const records: { position: number; record: SealedRecordInput }[] = [];
  events.forEach((e, position) => {
    const split = splitPersonalData(e, sealing, where(position));
    if (split === undefined) out.push(e);
    else {
      out.push({ ...e, body: split.body });
      records.push({ position, record: split.record });
    }
  });
  return { events: out, records };
}

export function createSqlIdentityStore(db: SqlDatabase, live: () => void = () => undefined, load?: () => Promise<PersonalDataSealing>): IdentityStore {
  const keys = (): Promise<PersonalDataSealing> => (load === undefined ? Promise.reject(unavailable()) : load());

  const openValue = (ring: Keyring, recordId: string, field: string, sealed: Buffer): unknown =>
    JSON.parse(ring.openString(sealed, { recordId, field })) as unknown;

  /** The [path, sealed value] pairs of a record's rows (json_agg of [field, base64]). */
  const fieldsOf = (v: unknown): [string, Buffer][] => {
    if (v === null || v === undefined) return [];
    const arr = (typeof v === "string" ? JSON.parse(v) : v) as [string, string][];
    return arr.flatMap(([f, s]) => unpackFields(f, Buffer.from(s, "base64")));
  };

  async function* linkage(unlinkedOnly: boolean): AsyncGenerator<LinkageRecord[]> {
    live();
    const { keyring } = await keys();
    let after: [number, string, string] | null = null;
    for (;;) {
      const params: unknown[] = [LINKAGE_PAGE];
      let where = `r.kind <> 'withdrawal'`;
      if (unlinkedOnly) where += " AND r.linked_at IS NULL";
      if (after) {
        params.push(after[0], after[1], after[2]);
        where += ` AND (r.time_ms, r.tenant, r.event_id) > ($2::int8, $3::text COLLATE "C", $4::text COLLATE "C")`;
      }
      const rows = await db.query(
        `SELECT r.record_id, r.tenant, r.event_id, r.kind, r.account_id, r.time_ms, r.entity_id, r.linked_at IS NOT NULL AS linked,
                r.purged_at IS NOT NULL AS purged, e.body,
                (SELECT json_agg(json_build_array(f.field, encode(f.sealed, 'base64')) ORDER BY f.field)
                   FROM identity_fields f WHERE f.record_id = r.record_id) AS fields
         FROM identity_records r JOIN events e ON e.source = r.tenant AND e.id = r.event_id
         WHERE ${where}
         ORDER BY r.time_ms, r.tenant, r.event_id LIMIT $1`,
        params,
      );
      if (rows.length === 0) return;
      const page = rows.map((r): LinkageRecord => {
        const recordId = toStr(r.record_id, "record_id");
        let values: (readonly [string, unknown])[] = [];
        let unreadable = false;
        try {
          values = fieldsOf(r.fields).map(([f, s]) => [f, openValue(keyring, recordId, f, s)] as const);
        } catch (e) {
          if (!(e instanceof SealError)) throw e;
          unreadable = true; // altered, or sealed under a key not configured: the record comes back redacted
          values = [];
        }
        return {
          unreadable,
          recordId,
          tenant: toStr(r.tenant, "tenant"),
          kind: toStr(r.kind, "kind") as IdentityRecordKind,
          accountId: r.account_id === null ? null : toStr(r.account_id, "account_id"),
          entityId: r.entity_id === null ? null : toStr(r.entity_id, "entity_id"),
          linked: r.linked === true,
          purged: r.purged === true,
          event: restoreEvent(toStr(r.body, "body"), values),
        };
      });
      yield page;
      if (rows.length < LINKAGE_PAGE) return;
      const last = rows[rows.length - 1]!;
      after = [toNumber(last.time_ms, "time_ms"), toStr(last.tenant, "tenant"), toStr(last.event_id, "event_id")];
    }
  }

  async function sealStoredEvents(): Promise<number> {
    live();
    const sealing = await keys();
    let sealed = 0;
    // Events up to the high-water mark were looked at before: only later ones can be in plaintext
    // (appended by a store opened without keys), so a start does not rescan the whole log.
    const [mark] = await db.query("SELECT value FROM meta WHERE key = $1", [SEALED_THROUGH_KEY]);
    let afterSeq = mark ? Number(toStr(mark.value, "meta.value")) || 0 : 0;
    const [top] = await db.query("SELECT coalesce(max(seq), 0) AS m FROM events");
    const bound = toNumber(top?.m, "max(seq)");
    for (;;) {
      // Identity-bearing events with no record yet: stored before sealing was configured.
      const rows = await db.query(
        `SELECT e.seq, e.source, e.id, e.type, e.time_ms, e.ts, e.body FROM events e
         WHERE e.seq > $1 AND e.seq <= $2 AND (e.type IN ('account.opened', 'account.updated', 'credit.report', 'social.link')
                               OR (e.type = 'withdrawal' AND strpos(e.body, '"travelRule"') > 0))
           AND NOT EXISTS (SELECT 1 FROM identity_records r WHERE r.tenant = e.source AND r.event_id = e.id)
         ORDER BY e.seq LIMIT 2000`,
        [afterSeq, bound],
      );
      if (rows.length === 0) {
        await db.query(
          `INSERT INTO meta (key, value) VALUES ($1, $2)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now() WHERE meta.value::int8 < excluded.value::int8`,
          [SEALED_THROUGH_KEY, String(bound)],
        );
        // The old bodies stay in the table's pages until rewritten: rewrite it (best effort, once per
        // upgrade; VACUUM cannot run in a transaction). WAL segments that held the original inserts
        // are recycled by PostgreSQL after later checkpoints.
        if (sealed > 0) {
          await db.exec("VACUUM FULL events").catch(() => undefined);
          await db.exec("CHECKPOINT").catch(() => undefined);
        }
        return sealed;
      }
      afterSeq = toNumber(rows[rows.length - 1]!.seq, "seq");
      const splits: SplitEvent[] = [];
      for (const r of rows) {
        const e: StoredEventInput = {
          source: toStr(r.source, "source"),
          id: toStr(r.id, "id"),
          type: toStr(r.type, "type"),
          time: toNumber(r.time_ms, "time_ms"),
          ts: toStr(r.ts, "ts"),
          body: toStr(r.body, "body"),
        };
        let split: SplitEvent | undefined;
        try {
          split = splitPersonalData(e, sealing, `events[${e.source}:${e.id}]`);
        } catch {
          continue; // not a JSON object: nothing to take apart (replay counts it invalid)
        }
        if (split) splits.push(split);
      }
      if (splits.length === 0) continue;
      await db.transaction(async (tx) => {
        const ins = await insertSealedRecords(tx, splits.map((s) => s.record));
        await tx.query(
          `UPDATE events e SET body = x.b FROM json_to_recordset($1::json) AS x(s text, i text, b text)
           WHERE e.source = x.s COLLATE "C" AND e.id = x.i COLLATE "C"`,
          [JSON.stringify(splits.map((s) => ({ s: s.record.tenant, i: s.record.eventId, b: s.body })))],
        );
        sealed += ins.records;
      });
    }
  }

  async function subjectsForPurge(cutoffMs: number): Promise<{ subject: string; accounts: string[]; records: string[] }[]> {
    const rows = await db.query(
      `SELECT coalesce(entity_id, account_id, record_id) AS subject,
              array_agg(DISTINCT account_id) FILTER (WHERE account_id IS NOT NULL) AS accounts,
              array_agg(record_id ORDER BY record_id) FILTER (WHERE purged_at IS NULL) AS records
       FROM identity_records WHERE linked_at IS NOT NULL
       GROUP BY 1
       HAVING max(time_ms) < $1 AND count(*) FILTER (WHERE purged_at IS NULL) > 0
       ORDER BY 1`,
      [cutoffMs],
    );
    const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => toStr(x, "array item")) : []);
    return rows.map((r) => ({ subject: toStr(r.subject, "subject"), accounts: arr(r.accounts), records: arr(r.records) }));
  }

  /** Accounts among `accounts` named by any event at or after the cutoff (an account is active while it trades). */
  async function activeAccounts(accounts: readonly string[], cutoffMs: number): Promise<Set<string>> {
    if (accounts.length === 0) return new Set();
    const rows = await db.query(
      `SELECT DISTINCT acc FROM (
         SELECT j->>'accountId' AS a1, j->>'fromAccountId' AS a2, j->>'toAccountId' AS a3, j->>'buyAccountId' AS a4, j->>'sellAccountId' AS a5
         FROM (SELECT body::json AS j FROM events WHERE time_ms >= $1 AND type IN (${ACCOUNT_EVENT_TYPES})) s
       ) t CROSS JOIN LATERAL unnest(ARRAY[a1, a2, a3, a4, a5]) AS acc
       WHERE acc = ANY(${textArray("$2")})`,
      [cutoffMs, JSON.stringify(accounts)],
    );
    return new Set(rows.map((r) => toStr(r.acc, "account")));
  }

  /**
   * A purged event keeps no blind-index token (equality with other people's values is personal too);
   * a social handle, which the schema requires, becomes the record's placeholder.
   */
  function stripTokens(body: string, recordId: string): string {
    let ev: unknown;
    try {
      ev = JSON.parse(body);
    } catch {
      return body;
    }
    if (!isObject(ev)) return body;
    for (const key of ["kyc", "subject"]) {
      const o = ev[key];
      if (!isObject(o)) continue;
      for (const f of ["phone", "email"]) if (typeof o[f] === "string" && (o[f] as string).startsWith(BLIND_TOKEN_PREFIX)) delete o[f];
    }
    if (typeof ev.handle === "string" && ev.handle.startsWith(BLIND_TOKEN_PREFIX)) ev.handle = sealedPlaceholder(recordId);
    ev._sealed = { ...(isObject(ev._sealed) ? ev._sealed : { v: 1 }), purged: true };
    return JSON.stringify(ev);
  }

  return {
    get sealing() {
      return load !== undefined;
    },

    sealStoredEvents,

    async countUnlinked() {
      live();
      const [r] = await db.query("SELECT count(*) AS n FROM identity_records WHERE linked_at IS NULL AND kind <> 'withdrawal'");
      return toNumber(r?.n, "count");
    },

    async stats() {
      live();
      const rows = await db.query("SELECT kind, count(*) AS n FROM identity_records GROUP BY kind ORDER BY kind");
      const byKind: Record<string, number> = {};
      let records = 0;
      for (const r of rows) {
        const n = toNumber(r.n, "n");
        byKind[toStr(r.kind, "kind")] = n;
        records += n;
      }
      const [t] = await db.query(
        `SELECT count(*) FILTER (WHERE linked_at IS NULL AND kind <> 'withdrawal') AS unlinked,
                count(*) FILTER (WHERE purged_at IS NOT NULL) AS purged,
                count(DISTINCT entity_id) AS entities,
                (SELECT coalesce(sum(${VALUES_IN_ROW}), 0) FROM identity_fields) AS fields
         FROM identity_records`,
      );
      return {
        records,
        byKind,
        unlinked: toNumber(t?.unlinked, "unlinked"),
        purged: toNumber(t?.purged, "purged"),
        entities: toNumber(t?.entities, "entities"),
        sealedFields: toNumber(t?.fields, "fields"),
      };
    },

    linkageRecords(opts = {}) {
      return { [Symbol.asyncIterator]: () => linkage(opts.unlinkedOnly === true) };
    },

    async assignEntities(assignments) {
      live();
      if (!Array.isArray(assignments)) throw badInput("expected an array of assignments", "assignments");
      const rows = assignments.map((a, i) => {
        const at = `assignments[${i}]`;
        checkId(a.recordId, `${at}.recordId`);
        if (a.entityId !== null) checkId(a.entityId, `${at}.entityId`, 128);
        const c = a.confidence ?? null;
        if (c !== null && (typeof c !== "number" || !(c >= 0 && c <= 1))) throw badInput("expected a number from 0 to 1, or null", `${at}.confidence`);
        return { r: a.recordId, e: a.entityId, c };
      });
      let changed = 0;
      for (let s = 0; s < rows.length; s += 5000) {
        const part = rows.slice(s, s + 5000).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0));
        const res = await db.query(
          `WITH u AS (
             UPDATE identity_records r SET entity_id = x.e, confidence = x.c, linked_at = now()
             FROM json_to_recordset($1::json) AS x(r text, e text, c float8)
             WHERE r.record_id = x.r COLLATE "C"
               AND (r.linked_at IS NULL OR r.entity_id IS DISTINCT FROM x.e COLLATE "C" OR r.confidence IS DISTINCT FROM x.c)
             RETURNING 1)
           SELECT count(*)::int4 AS n FROM u`,
          [JSON.stringify(part)],
        );
        changed += toNumber(res[0]?.n, "n");
      }
      return changed;
    },

    async assignByAccount(accounts) {
      live();
      const pairs = [...accounts].map(([a, e]) => ({ a, e }));
      const [r] = await db.query(
        `WITH u AS (
           UPDATE identity_records r SET entity_id = x.e, linked_at = now()
           FROM (SELECT rr.record_id, m.e FROM identity_records rr
                 LEFT JOIN json_to_recordset($1::json) AS m(a text, e text) ON m.a = rr.account_id COLLATE "C"
                 WHERE rr.account_id IS NOT NULL
                   AND (rr.linked_at IS NULL OR (rr.kind = 'withdrawal' AND rr.entity_id IS DISTINCT FROM m.e COLLATE "C"))) x
           WHERE r.record_id = x.record_id
           RETURNING 1)
         SELECT count(*)::int4 AS n FROM u`,
        [JSON.stringify(pairs)],
      );
      return toNumber(r?.n, "n");
    },

    async entityAssignments() {
      live();
      const rows = await db.query(
        `SELECT record_id, account_id, entity_id FROM identity_records WHERE entity_id IS NOT NULL ORDER BY time_ms, tenant, event_id`,
      );
      const accounts = new Map<string, string>();
      const records = new Map<string, string>();
      for (const r of rows) {
        const e = toStr(r.entity_id, "entity_id");
        records.set(toStr(r.record_id, "record_id"), e);
        if (r.account_id !== null) {
          const a = toStr(r.account_id, "account_id");
          if (!accounts.has(a)) accounts.set(a, e);
        }
      }
      return { accounts, records };
    },

    async personalData(scope, entityId, fields) {
      live();
      if (!isObject(scope)) throw badInput("expected { tenant } or { grant }", "scope");
      const tenant = "tenant" in scope ? checkId(scope.tenant, "scope.tenant", 64) : undefined;
      const grant = "grant" in scope ? checkId(scope.grant, "scope.grant", 128) : undefined;
      if ((tenant === undefined) === (grant === undefined)) throw badInput("expected exactly one of tenant or grant", "scope");
      checkId(entityId, "entityId", 128);
      if (!Array.isArray(fields) || fields.length === 0) throw badInput("expected a non-empty list of fields", "fields");
      const requested: StoredPersonalField[] = [];
      (fields as readonly unknown[]).forEach((f, i) => {
        if (!isStoredField(f)) throw badInput(`unknown field; expected one of ${[...STORED_FIELDS].join(", ")}`, `fields[${i}]`);
        if (!requested.includes(f)) requested.push(f);
      });
      const { keyring } = await keys();
      const wanted = requested.flatMap((f) => pathsOf(f).map((p) => [f, p] as const));
      const sealedPaths = wanted.filter(([, p]) => !keptInLog(p)).map(([, p]) => p);
      const sealedSet = new Set(sealedPaths);
      const rows = await db.query(
        `SELECT r.record_id, r.tenant, r.kind, r.account_id, r.time_ms, r.features, r.purged_at IS NOT NULL AS purged, e.body,
                (SELECT json_agg(json_build_array(f.field, encode(f.sealed, 'base64')) ORDER BY f.field)
                   FROM identity_fields f WHERE f.record_id = r.record_id
                     AND (f.field = ANY(${textArray("$3")})
                          OR (starts_with(f.field, '${PACKED_MARK}') AND string_to_array(substr(f.field, 2), ' ') && ${textArray("$3")}))) AS fields
         FROM identity_records r JOIN events e ON e.source = r.tenant AND e.id = r.event_id
         WHERE r.entity_id = $1 AND ($2::text IS NULL OR r.tenant = $2::text COLLATE "C")
         ORDER BY r.time_ms, r.tenant, r.event_id`,
        [entityId, tenant ?? null, JSON.stringify(sealedPaths)],
      );
      const records: PersonalRecord[] = [];
      const logRecords: { recordId: string; owner: string; fields: StoredPersonalField[] }[] = [];
      let values = 0;
      let purgedRecords = 0;
      for (const r of rows) {
        const recordId = toStr(r.record_id, "record_id");
        const body = JSON.parse(toStr(r.body, "body")) as Record<string, unknown>;
        // A packed row holds every field of its record: only the requested ones are opened.
        const opened = new Map(fieldsOf(r.fields).filter(([f]) => sealedSet.has(f)).map(([f, s]) => [f, openValue(keyring, recordId, f, s)] as const));
        const feats = (typeof r.features === "string" ? JSON.parse(r.features) : r.features) as IdentityFeatures;
        const out: Partial<Record<StoredPersonalField, PersonalValue>> = {};
        for (const [f, p] of wanted) {
          if (out[f] !== undefined) continue;
          let v: unknown = opened.has(p) ? opened.get(p) : keptInLog(p) ? getPath(body, p) : undefined;
          if (v === undefined) continue;
          if (f === "socialHandle" && typeof v === "string" && feats.platform) v = `${feats.platform}:${v}`;
          out[f] = v as PersonalValue;
        }
        const got = Object.keys(out) as StoredPersonalField[];
        values += got.length;
        const purged = r.purged === true;
        if (purged) purgedRecords++;
        const owner = toStr(r.tenant, "tenant");
        records.push({
          recordId,
          owner,
          kind: toStr(r.kind, "kind") as IdentityRecordKind,
          accountId: r.account_id === null ? null : toStr(r.account_id, "account_id"),
          time: iso(toNumber(r.time_ms, "time_ms")),
          purged,
          fields: out,
        });
        logRecords.push({ recordId, owner, fields: got });
      }
      return {
        entityId,
        records,
        read: { entityId, scope: tenant !== undefined ? `tenant:${tenant}` : `grant:${grant!}`, requested, records: logRecords, values, purgedRecords },
      };
    },

    async matchBlindIndex(field, value) {
      live();
      if (!(BLIND_FIELDS as readonly string[]).includes(field)) throw badInput(`expected one of ${BLIND_FIELDS.join(", ")}`, "field");
      if (typeof value !== "string" || value.trim() === "") throw badInput("expected a non-empty string", "value");
      const sealing = await keys();
      const norm = sealing.normalize?.[field]?.(value) ?? value;
      let candidates: string[];
      try {
        candidates = sealing.blindIndexer.candidates(field, norm);
      } catch {
        return [];
      }
      const rows = await db.query(
        `SELECT DISTINCT r.record_id, r.tenant, r.entity_id FROM identity_blind_indexes b JOIN identity_records r USING (record_id)
         WHERE b.field = $1 AND b.value = ANY(${textArray("$2")}) ORDER BY r.record_id`,
        [field, JSON.stringify(candidates)],
      );
      return rows.map((r) => ({ recordId: toStr(r.record_id, "record_id"), tenant: toStr(r.tenant, "tenant"), entityId: r.entity_id === null ? null : toStr(r.entity_id, "entity_id") }));
    },

    async purge(opts) {
      live();
      if (!isObject(opts)) throw badInput("expected purge options", "opts");
      if (typeof opts.cutoffMs !== "number" || !Number.isSafeInteger(opts.cutoffMs)) throw badInput("expected epoch milliseconds", "cutoffMs");
      if (typeof opts.wasEverSuspect !== "function") throw badInput("expected a function", "wasEverSuspect");
      const dryRun = opts.dryRun === true;
      const [u] = await db.query("SELECT count(*) AS n FROM identity_records WHERE linked_at IS NULL AND purged_at IS NULL");
      const unlinked = toNumber(u?.n, "count");
      const subjects = await subjectsForPurge(opts.cutoffMs);
      const active = await activeAccounts([...new Set(subjects.flatMap((s) => s.accounts))], opts.cutoffMs);
      let keptActive = 0;
      let keptSuspects = 0;
      const purgeable: string[] = [];
      let purgedSubjects = 0;
      for (const s of subjects) {
        if (s.accounts.some((a) => active.has(a))) {
          keptActive++;
          continue;
        }
        let suspect = await opts.wasEverSuspect(s.subject);
        for (const a of s.accounts) if (!suspect && a !== s.subject) suspect = await opts.wasEverSuspect(a);
        if (suspect) {
          keptSuspects++;
          continue;
        }
        purgedSubjects++;
        purgeable.push(...s.records);
      }
      let fields = 0;
      let blindIndexes = 0;
      for (let s = 0; s < purgeable.length; s += PURGE_CHUNK) {
        const part = purgeable.slice(s, s + PURGE_CHUNK);
        if (dryRun) {
          const [c] = await db.query(
            `SELECT (SELECT coalesce(sum(${VALUES_IN_ROW}), 0) FROM identity_fields WHERE record_id = ANY(${textArray("$1")})) AS f,
                    (SELECT count(*) FROM identity_blind_indexes WHERE record_id = ANY(${textArray("$1")})) AS b`,
            [JSON.stringify(part)],
          );
          fields += toNumber(c?.f, "fields");
          blindIndexes += toNumber(c?.b, "indexes");
          continue;
        }
        await db.transaction(async (tx) => {
          const f = await tx.query(
            `WITH d AS (DELETE FROM identity_fields WHERE record_id = ANY(${textArray("$1")}) RETURNING ${VALUES_IN_ROW} AS v) SELECT coalesce(sum(v), 0)::int4 AS n FROM d`,
            [JSON.stringify(part)],
          );
          const b = await tx.query(`WITH d AS (DELETE FROM identity_blind_indexes WHERE record_id = ANY(${textArray("$1")}) RETURNING 1) SELECT count(*)::int4 AS n FROM d`, [JSON.stringify(part)]);
          fields += toNumber(f[0]?.n, "n");
          blindIndexes += toNumber(b[0]?.n, "n");
          const bodies = await tx.query(
            `UPDATE identity_records SET purged_at = now() WHERE record_id = ANY(${textArray("$1")}) RETURNING tenant, event_id`,
            [JSON.stringify(part)],
          );
          const eventKeys = bodies.map((r) => ({ s: toStr(r.tenant, "tenant"), i: toStr(r.event_id, "event_id") }));
          const evs = await tx.query(
            `SELECT e.source, e.id, e.body FROM events e JOIN json_to_recordset($1::json) AS x(s text, i text)
               ON e.source = x.s COLLATE "C" AND e.id = x.i COLLATE "C"`,
            [JSON.stringify(eventKeys)],
          );
          const updates = evs.map((r) => ({ s: toStr(r.source, "source"), i: toStr(r.id, "id"), b: stripTokens(toStr(r.body, "body"), `${toStr(r.source, "source")}:${toStr(r.id, "id")}`) }));
          if (updates.length > 0) {
            await tx.query(
              `UPDATE events e SET body = x.b FROM json_to_recordset($1::json) AS x(s text, i text, b text)
               WHERE e.source = x.s COLLATE "C" AND e.id = x.i COLLATE "C"`,
              [JSON.stringify(updates)],
            );
          }
        });
      }
      // Rewrite the tables that held the deleted values, so their bytes leave the data files (VACUUM
      // cannot run inside a transaction; it is best effort: the purge itself has committed).
      if (!dryRun && purgeable.length > 0) await db.exec("VACUUM FULL identity_fields, identity_blind_indexes").catch(() => undefined);
      return { dryRun, cutoffMs: opts.cutoffMs, subjects: purgedSubjects, records: purgeable.length, fields, blindIndexes, keptSuspects, keptActive, unlinked };
    },

    async keyUsage() {
      live();
      const rows = await db.query(`SELECT kid, sum(${VALUES_IN_ROW}) AS n FROM identity_fields GROUP BY kid ORDER BY kid`);
      const out: Record<string, number> = {};
      for (const r of rows) out[toStr(r.kid, "kid")] = toNumber(r.n, "n");
      return out;
    },

    async rewrap(opts = {}) {
      live();
      const batch = opts.batchSize ?? 1000;
      if (!Number.isInteger(batch) || batch < 1 || batch > 50_000) throw badInput("expected an integer from 1 to 50000", "batchSize");
      const { keyring } = await keys();
      const current = keyring.currentKid;
      let rewrapped = 0;
      let unreadable = 0;
      let after: [string, string] = ["", ""];
      for (;;) {
        const rows: Row[] = await db.query(
          `SELECT record_id, field, kid, encode(sealed, 'base64') AS s FROM identity_fields
           WHERE kid <> $1 AND (record_id, field) > ($2::text COLLATE "C", $3::text COLLATE "C")
           ORDER BY record_id, field LIMIT $4`,
          [current, after[0], after[1], batch],
        );
        if (rows.length === 0) break;
        const last = rows[rows.length - 1]!;
        after = [toStr(last.record_id, "record_id"), toStr(last.field, "field")];
        const updates: { r: string; f: string; o: string; s: string; n: number }[] = [];
        for (const r of rows) {
          const kid = toStr(r.kid, "kid");
          const field = toStr(r.field, "field");
          const old = toStr(r.s, "sealed");
          const values = unpackFields(field, Buffer.from(old, "base64"));
          if (!keyring.has(kid)) {
            unreadable += values.length;
            continue;
          }
          // Each value's data key is re-wrapped; nonces, tags and ciphertexts stay byte for byte.
          const fresh = values.map(([path, v]): SealedField => ({ field: path, kid: current, sealed: keyring.rewrap(v) }));
          const stored = field.startsWith(PACKED_MARK) ? packFields(fresh).sealed : fresh[0]!.sealed;
          updates.push({ r: toStr(r.record_id, "record_id"), f: field, o: old, s: stored.toString("base64"), n: values.length });
        }
        if (updates.length > 0) {
          // Only where the value is still the one read (a purge or another rewrap may have run meanwhile).
          const res = await db.query(
            `WITH u AS (
               UPDATE identity_fields f SET sealed = decode(x.s, 'base64'), kid = $2
               FROM json_to_recordset($1::json) AS x(r text, f text, o text, s text, n int4)
               WHERE f.record_id = x.r COLLATE "C" AND f.field = x.f COLLATE "C" AND f.sealed = decode(x.o, 'base64')
               RETURNING x.n)
             SELECT coalesce(sum(n), 0)::int4 AS n FROM u`,
            [JSON.stringify(updates), current],
          );
          rewrapped += toNumber(res[0]?.n, "n");
        }
        opts.onProgress?.(rewrapped);
        if (rows.length < batch) break;
      }
      const byKid: Record<string, number> = {};
      for (const r of await db.query(`SELECT kid, sum(${VALUES_IN_ROW}) AS n FROM identity_fields GROUP BY kid ORDER BY kid`)) byKid[toStr(r.kid, "kid")] = toNumber(r.n, "n");
      return { rewrapped, unreadable, byKid };
    },
  };
}

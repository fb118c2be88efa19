// Parameters are versioned data: an override is merged over a typology's defaults, checked by its
// own schema, and named by a short hash of its canonical JSON, so that changing one threshold
// changes the configVersion every alert records.
import { createHash } from "node:crypto";
import type { z } from "zod";
import { KanshiError } from "../contracts/index.ts";
import type { AnyTypology } from "./types.ts";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge of a partial override over defaults: objects merge key by key; anything else replaces. */
export function mergeConfig(defaults: unknown, override: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(override)) {
    out[k] = k in defaults ? mergeConfig(defaults[k], v) : v;
  }
  return out;
}

/** JSON with object keys sorted at every level: the same config always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "bigint") return JSON.stringify(value.toString());
    if (value === undefined) return "null";
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** A short stable hash of the canonical JSON of a config: 12 hex digits of SHA-256. */
export function configVersionOf(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 12);
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * Merge `override` over the typology's defaults and validate. Throws KanshiError("bad_input") whose
 * path names the typology and field (`structuring.windowDays`).
 */
export function resolveConfig(t: AnyTypology, override: unknown): unknown {
  if (override !== undefined && !isPlainObject(override)) {
    throw new KanshiError("bad_input", "expected an object of config overrides", t.id);
  }
  const merged = override === undefined ? t.defaultConfig : mergeConfig(t.defaultConfig, override);
  const r = (t.configSchema as z.ZodType<unknown>).safeParse(merged);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  if (first === undefined) throw new KanshiError("bad_input", "invalid config", t.id);
  if (first.code === "unrecognized_keys") {
    const keys = (first as { keys: string[] }).keys;
    throw new KanshiError("bad_input", `unknown setting (known: ${Object.keys(pathValue(t.defaultConfig, first.path) ?? {}).join(", ")})`, joinPath(t.id, [...first.path, keys[0] ?? ""]));
  }
  throw new KanshiError("bad_input", first.message, joinPath(t.id, first.path));
}

function pathValue(root: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let v: unknown = root;
  for (const p of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[String(p)];
  }
  return isPlainObject(v) ? v : undefined;
}

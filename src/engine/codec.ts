// State is data: this codec turns engine and typology state (plain objects, arrays, strings,
// numbers, booleans, null, bigints, Maps) into a JSON-safe value and back, so a snapshot can be
// written anywhere and restored in another process.
import { KanshiError } from "../contracts/index.ts";

const BIG = "$big";
const MAP = "$map";

/** A JSON-safe value: what `encodeState` returns and `JSON.stringify` accepts as is. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function encodeState(value: unknown, path = "state"): Json {
  switch (typeof value) {
    case "bigint":
      return { [BIG]: value.toString() };
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new KanshiError("internal", `cannot snapshot a non-finite number`, path);
      return value;
    case "undefined":
      return null;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => encodeState(v, `${path}[${i}]`));
      if (value instanceof Map) {
        const entries: Json[] = [];
        for (const [k, v] of value) {
          if (typeof k !== "string") throw new KanshiError("internal", "cannot snapshot a Map with non-string keys", path);
          entries.push([k, encodeState(v, `${path}.${k}`)]);
        }
        return { [MAP]: entries };
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new KanshiError("internal", "cannot snapshot a class instance", path);
      const out: { [k: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === BIG || k === MAP) throw new KanshiError("internal", `reserved key ${k} in state`, path);
        if (v !== undefined) out[k] = encodeState(v, `${path}.${k}`);
      }
      return out;
    }
    default:
      throw new KanshiError("internal", `cannot snapshot a ${typeof value}`, path);
  }
}

export function decodeState(value: unknown, path = "state"): unknown {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new KanshiError("bad_input", "not a finite number", path);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => decodeState(v, `${path}[${i}]`));
  const obj = value as Record<string, unknown>;
  if (BIG in obj) {
    const s = obj[BIG];
    if (typeof s !== "string" || !/^-?\d+$/.test(s)) throw new KanshiError("bad_input", "expected an integer string", path);
    return BigInt(s);
  }
  if (MAP in obj) {
    const entries = obj[MAP];
    if (!Array.isArray(entries)) throw new KanshiError("bad_input", "expected an array of map entries", path);
    const m = new Map<string, unknown>();
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string") throw new KanshiError("bad_input", "expected [key, value] map entries", path);
      m.set(e[0], decodeState(e[1], `${path}.${e[0]}`));
    }
    return m;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeState(v, `${path}.${k}`);
  return out;
}

// Canonical JSON for hashing: object keys sorted (by UTF-16 code units, as RFC 8785 does), no
// white space, numbers and strings as ECMAScript's JSON.stringify writes them. The same value always
// gives the same text; values JSON cannot carry exactly are refused rather than silently changed.
import { badInput } from "../../contracts/errors.ts";

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

const MAX_DEPTH = 64;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The canonical JSON text of `value`. Refuses (bad_input, naming the path) non-finite numbers,
 * bigints, `undefined` inside arrays, functions, symbols, non-plain objects (Date, Map, class
 * instances), cycles and nesting deeper than 64. `undefined` object properties are omitted, as in JSON.
 * @param path the name of `value` in error messages.
 */
export function canonicalJson(value: unknown, path = "value"): string {
  const stack = new Set<object>();
  const walk = (v: unknown, at: string, depth: number): string => {
    if (v === null) return "null";
    switch (typeof v) {
      case "boolean":
        return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) throw badInput("numbers must be finite", at);
        return JSON.stringify(v);
      case "string":
        return JSON.stringify(v);
      case "bigint":
        throw badInput("a bigint is not JSON; write it as a decimal string", at);
      case "undefined":
        throw badInput("undefined is not JSON", at);
      case "function":
      case "symbol":
        throw badInput(`a ${typeof v} is not JSON`, at);
    }
    const o = v as object;
    if (depth >= MAX_DEPTH) throw badInput(`nested deeper than ${MAX_DEPTH} levels`, at);
    if (stack.has(o)) throw badInput("contains a cycle", at);
    stack.add(o);
    try {
      if (Array.isArray(o)) {
        return "[" + o.map((x, i) => walk(x, `${at}[${i}]`, depth + 1)).join(",") + "]";
      }
      if (!isPlainObject(o)) throw badInput("only plain objects are JSON (not Date, Map or class instances)", at);
      const rec = o as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(rec).sort()) {
        const x = rec[k];
        if (x === undefined) continue;
        parts.push(JSON.stringify(k) + ":" + walk(x, `${at}.${k}`, depth + 1));
      }
      return "{" + parts.join(",") + "}";
    } finally {
      stack.delete(o);
    }
  };
  return walk(value, path, 0);
}

// The one explicit list of typologies the engine can run. It refuses a second typology with an id
// already taken, so two folders can never silently shadow each other.
import { KanshiError } from "../contracts/index.ts";
import type { AnyTypology } from "./types.ts";

const ID_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export interface Registry {
  /** Typologies in registration order (the order the engine evaluates them per event). */
  list(): readonly AnyTypology[];
  ids(): readonly string[];
  get(id: string): AnyTypology | undefined;
  has(id: string): boolean;
}

export function createRegistry(typologies: readonly AnyTypology[]): Registry {
  const byId = new Map<string, AnyTypology>();
  for (const t of typologies) {
    if (!ID_PATTERN.test(t.id)) {
      throw new KanshiError("internal", `typology id ${JSON.stringify(t.id)} must be lower-case letters, digits and '-'`);
    }
    if (!VERSION_PATTERN.test(t.version)) {
      throw new KanshiError("internal", `typology ${t.id}: version ${JSON.stringify(t.version)} must be semver (1.2.3)`);
    }
    if (byId.has(t.id)) throw new KanshiError("conflict", `typology id "${t.id}" is registered twice`);
    // The defaults must pass the typology's own schema, or every alert would record a config that
    // could never have been accepted.
    const r = t.configSchema.safeParse(t.defaultConfig);
    if (!r.success) throw new KanshiError("internal", `typology ${t.id}: its defaultConfig does not pass its configSchema`);
    byId.set(t.id, t);
  }
  const list = Object.freeze([...byId.values()]);
  const ids = Object.freeze([...byId.keys()]);
  return Object.freeze({
    list: () => list,
    ids: () => ids,
    get: (id: string) => byId.get(id),
    has: (id: string) => byId.has(id),
  });
}

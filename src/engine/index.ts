// Kanshi's detection engine: the public surface the CLI, server and bench call.
import { configVersionOf } from "./config.ts";
import type { Registry } from "./registry.ts";
import { defaultRegistry } from "./typologies/index.ts";

export { createEngine, detect, detectWithStats, compareEvents } from "./engine.ts";
export type { Engine, EngineOptions, EngineStats, EngineSnapshot, EngineIssue, TypologyStats } from "./engine.ts";
export { createRegistry } from "./registry.ts";
export type { Registry } from "./registry.ts";
export { defaultRegistry, BUILTIN_TYPOLOGIES } from "./typologies/index.ts";
export { defineTypology, CLEAR, hit, skip, notEnoughHistory, error } from "./types.ts";
export type { Typology, AnyTypology, Outcome, OutcomeKind, AlertDraft, EngineContext, EvalContext, MarketView, SubjectRef } from "./types.ts";
export { canonicalJson, configVersionOf, mergeConfig, resolveConfig } from "./config.ts";
export { encodeState, decodeState } from "./codec.ts";
export type { Json } from "./codec.ts";

export interface TypologyInfo {
  id: string;
  version: string;
  description: string;
  defaultConfig: unknown;
  /** configVersion of the default config. */
  configVersion: string;
}

/** What can run: every registered typology with its defaults. */
export function listTypologies(registry: Registry = defaultRegistry): TypologyInfo[] {
  return registry.list().map((t) => ({
    id: t.id,
    version: t.version,
    description: t.description,
    defaultConfig: structuredClone(t.defaultConfig),
    configVersion: configVersionOf(t.defaultConfig),
  }));
}

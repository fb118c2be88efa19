// The explicit list of built-in typologies, in evaluation order. A new typology is a new folder
// plus one line here; the registry refuses a duplicate id.
import { createRegistry, type Registry } from "../registry.ts";
import type { AnyTypology } from "../types.ts";
import { marketMovingTransfer } from "./market-moving-transfer/index.ts";
import { passThrough } from "./pass-through/index.ts";
import { structuring } from "./structuring/index.ts";

export const BUILTIN_TYPOLOGIES: readonly AnyTypology[] = Object.freeze([structuring, passThrough, marketMovingTransfer]);

/** The built-in registry (immutable). */
export const defaultRegistry: Registry = createRegistry(BUILTIN_TYPOLOGIES);

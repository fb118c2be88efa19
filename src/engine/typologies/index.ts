// The explicit list of built-in typologies, in evaluation order. A new typology is a new folder
// plus one line here; the registry refuses a duplicate id.
import { createRegistry, type Registry } from "../registry.ts";
import type { AnyTypology } from "../types.ts";
import { crossBorderOutflow } from "./cross-border-outflow/index.ts";
import { dormantReactivation } from "./dormant-reactivation/index.ts";
import { illicitExposure } from "./illicit-exposure/index.ts";
import { frontRunningListing } from "./front-running-listing/index.ts";
import { graphPatterns } from "./graph-patterns/index.ts";
import { ineligibleTrader } from "./ineligible-trader/index.ts";
import { marketMovingTransfer } from "./market-moving-transfer/index.ts";
import { passThrough } from "./pass-through/index.ts";
import { pumpAndDump } from "./pump-and-dump/index.ts";
import { profileMismatch } from "./profile-mismatch/index.ts";
import { sharedIdentifiers } from "./shared-identifiers/index.ts";
import { structuring } from "./structuring/index.ts";
import { spoofingLayering } from "./spoofing-layering/index.ts";
import { washTrade } from "./wash-trade/index.ts";

export const BUILTIN_TYPOLOGIES: readonly AnyTypology[] = Object.freeze([structuring, passThrough, marketMovingTransfer, washTrade, illicitExposure, profileMismatch, crossBorderOutflow, ineligibleTrader, dormantReactivation, spoofingLayering, pumpAndDump, frontRunningListing, sharedIdentifiers, graphPatterns]);

/** The built-in registry (immutable). */
export const defaultRegistry: Registry = createRegistry(BUILTIN_TYPOLOGIES);

// The injection registry: one module per typology, planned in this order (a person carries at most
// one injection, so earlier modules pick first: ineligible-trader takes every non-resident before
// anyone else can). A new typology's injection is a new file in this folder plus one line here.
import { crossBorderOutflow } from "./cross-border-outflow.ts";
import { dormantReactivation } from "./dormant-reactivation.ts";
import { frontRunningListing } from "./front-running-listing.ts";
import { graphPatterns } from "./graph-patterns.ts";
import { illicitExposure } from "./illicit-exposure.ts";
import { ineligibleTrader } from "./ineligible-trader.ts";
import { marketMovingTransfer } from "./market-moving-transfer.ts";
import { passThrough } from "./pass-through.ts";
import { profileMismatch } from "./profile-mismatch.ts";
import { pumpAndDump } from "./pump-and-dump.ts";
import { sharedIdentifiers } from "./shared-identifiers.ts";
import { spoofingLayering } from "./spoofing-layering.ts";
import { structuring } from "./structuring.ts";
import type { InjectionModule } from "./types.ts";
import { washTrade } from "./wash-trade.ts";

export const INJECTIONS: readonly InjectionModule[] = Object.freeze([
  ineligibleTrader,
  structuring,
  passThrough,
  marketMovingTransfer,
  washTrade,
  pumpAndDump,
  frontRunningListing,
  illicitExposure,
  profileMismatch,
  crossBorderOutflow,
  dormantReactivation,
  spoofingLayering,
  sharedIdentifiers,
  graphPatterns,
]);

/** The typologies the simulator injects, in planning order. */
export const TYPOLOGIES: readonly string[] = Object.freeze(INJECTIONS.map((m) => m.typology));

{
  const seen = new Set<string>();
  for (const m of INJECTIONS) {
    if (seen.has(m.typology)) throw new Error(`injection for typology "${m.typology}" is registered twice`);
    seen.add(m.typology);
  }
}

export type { InjectionModule } from "./types.ts";
export { InjectionKit, type Fixed, type InjectContext, type InjectionState, type LabelSubject } from "./kit.ts";

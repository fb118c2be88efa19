// The cases room: alerts grouped into cases per entity (or account), the case state machine and its
// permissions, the entity views and link graph. Composition roots (cli/, server/) build it with
// `createCaseUseCases` (or `openCaseUseCases` in cli/case-commands.ts, which loads the deployment keys).
import type { Alert } from "../contracts/alerts.ts";
import type { Event } from "../contracts/events.ts";
import { EntityViews } from "./entities.ts";
import { CaseService, type CaseServiceDeps } from "./service.ts";

export interface CaseUseCases {
  readonly cases: CaseService;
  readonly entities: EntityViews;
}

export function createCaseUseCases(deps: CaseServiceDeps): CaseUseCases {
  const cases = new CaseService(deps);
  return { cases, entities: new EntityViews({ service: cases, store: deps.store, pseudonyms: deps.pseudonyms }) };
}

/**
 * The live path: wraps a detection function (the server's `detect`) so that the alerts it raises are
 * also grouped into cases. Grouping runs behind detection, not in front of it (it would add its
 * queries to every POST-to-alert latency): the wrapped function returns the alerts at once and the
 * grouping of each batch is queued in the order detected (the service stores the alerts itself too,
 * idempotently, so a batch is grouped whichever save lands first). A failure goes to `onError`; the
 * alerts stay stored and a later sync (`kanshi cases sync`, or the next alert on the subject) picks
 * them up. `cases.whenIdle()` waits for the queue (tests, shutdown).
 */
export function detectWithCases(
  detect: (events: Event[]) => Alert[] | Promise<Alert[]>,
  cases: CaseService,
  onError: (e: unknown) => void = () => undefined,
): (events: Event[]) => Promise<Alert[]> {
  return async (events) => {
    const alerts = await detect(events);
    if (alerts.length > 0) cases.syncAlerts(alerts).catch(onError);
    return alerts;
  };
}

export { CaseService, type CaseDetail, type CaseListView, type CaseServiceDeps, type CaseServiceStore, type CaseView, type EvidenceView, type ResolvedSubject, type SyncSummary } from "./service.ts";
export { EntityViews, type EntityAccount, type EntityView } from "./entities.ts";
export { caseConfig, DEFAULT_CASE_CONFIG, planSubject, subjectOfAlert, type CaseConfig } from "./grouping.ts";
export * from "./model.ts";
export { buildLinkGraph, type LinkGraph } from "./graph.ts";

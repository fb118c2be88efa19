// For tests: case use cases over a store with fresh random keys, and synthetic alerts and events.
import { randomBytes, type KeyObject } from "node:crypto";
import type { Alert } from "../contracts/alerts.ts";
import type { StoredEventInput } from "../store/ports.ts";
import { AuditTrail, generateAuditKeyPair, Keyring, parseAuditSigningKey, Pseudonymizer, type AuditLog } from "../privacy/index.ts";
import type { CaseConfig } from "./grouping.ts";
import { createCaseUseCases, type CaseUseCases } from "./index.ts";
import type { CaseServiceStore } from "./service.ts";

export interface TestCaseUseCases extends CaseUseCases {
  readonly audit: AuditTrail;
  readonly auditPublicKey: KeyObject;
  readonly keyring: Keyring;
  readonly pseudonyms: Pseudonymizer;
}

export function testCaseUseCases(store: CaseServiceStore & { auditLog(): AuditLog }, opts: { config?: CaseConfig; now?: () => number } = {}): TestCaseUseCases {
  const keys = parseAuditSigningKey(generateAuditKeyPair().privateKey);
  const audit = new AuditTrail({ log: store.auditLog(), signingKey: keys.privateKey, ...(opts.now ? { now: opts.now } : {}) });
  const keyring = new Keyring([{ kid: "test", key: randomBytes(32) }]);
  const pseudonyms = new Pseudonymizer(randomBytes(32));
  const uc = createCaseUseCases({ store, audit, keyring, pseudonyms, ...(opts.config ? { config: opts.config } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return { ...uc, audit, auditPublicKey: keys.publicKey, keyring, pseudonyms };
}

/** A stored event of an exchange (`source`) for the store's appendEvents. */
export function storedEvent(source: string, id: string, ts: string, body: Record<string, unknown>): StoredEventInput {
  return { source, id, type: String(body.type), time: Date.parse(ts), ts, body: JSON.stringify({ id, ts, source, ...body }) };
}

/** A synthetic alert. */
export function testAlert(over: Partial<Alert> & Pick<Alert, "id" | "subject" | "accounts" | "evidence" | "ts">): Alert {
  return { typology: "structuring", typologyVersion: "1.0.0", configVersion: "test", score: 60, explanation: "synthetic alert", ...over };
}

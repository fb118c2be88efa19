// shared-identifiers on events as the store keeps them: the store's split turns KYC phones and
// e-mails into blind-index tokens (`bidx:…`, `bidx:L.…` for landlines) before the engine sees them,
// live (engineView) and in a replay. The typology must link accounts sharing such a token as it
// links accounts sharing the value. Synthetic people, reserved phone blocks, example.com.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { Event, EventInput } from "../../../contracts/index.ts";
import { normalizeDate, normalizeEmail } from "../../../identity/normalize/misc.ts";
import { normalizePhone, phoneKind } from "../../../identity/normalize/phone.ts";
import { BlindIndexer, Keyring } from "../../../privacy/index.ts";
import { engineView, type PersonalDataSealing } from "../../../store/identities.ts";
import { createEngine, decodeState, detect } from "../../index.ts";
import { at, toEvents } from "../../testkit.ts";

const sealing: PersonalDataSealing = {
  keyring: new Keyring([{ kid: "k1", key: randomBytes(32) }]),
  blindIndexer: new BlindIndexer([{ kid: "b1", key: randomBytes(32) }]),
  normalize: { dateOfBirth: normalizeDate, phone: normalizePhone, email: normalizeEmail },
  isLandline: (raw) => phoneKind(raw) === "landline",
};

const only = { typologies: ["shared-identifiers"] };

let n = 0;
const opened = (source: string, accountId: string, kyc: { name: string } & Record<string, string>, hours: number): EventInput => ({
  type: "account.opened", id: `open-${++n}`, ts: at(hours), source, accountId, customerType: "individual", kyc,
});

/** Through the store's split, as live detection and a replay of the log see them. */
const stored = (events: EventInput[]): Event[] => toEvents(events).map((e) => engineView(e, sealing));

describe("shared-identifiers on the store's engine view (blind-index tokens)", () => {
  test("the engine view carries tokens, not the phone or e-mail", () => {
    const [e] = stored([opened("exa", "t0", { name: "試験 零郎", phone: "090-0000-0100", email: "Zero@Example.com" }, 0)]);
    const kyc = (e as { kyc?: { phone?: string; email?: string } }).kyc;
    assert.match(kyc?.phone ?? "", /^bidx:[^L]/);
    assert.match(kyc?.email ?? "", /^bidx:/);
    assert.doesNotMatch(JSON.stringify(e), /0100|example\.com/i);
  });

  test("three different people sharing one e-mail (written differently) are linked through its token", () => {
    const events = stored([
      opened("exa", "e1", { name: "試験 一郎", dateOfBirth: "1980-01-01", phone: "090-0000-0001", email: "Mule.Box@Example.com" }, 0),
      opened("exb", "e2", { name: "試験 二郎", dateOfBirth: "1981-02-02", phone: "090-0000-0002", email: "mule.box@example.com" }, 1),
      opened("exc", "e3", { name: "試験 三郎", dateOfBirth: "1982-03-03", phone: "090-0000-0003", email: " mule.box@example.com " }, 2),
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1, JSON.stringify(alerts.map((a) => a.explanation)));
    assert.deepEqual(alerts[0]!.accounts, ["e1", "e2", "e3"]);
    assert.equal(alerts[0]!.details?.identifier, "email");
    assert.doesNotMatch(JSON.stringify(alerts), /bidx:|mule/i);
  });

  test("a shared mobile is a phone link; a shared landline token keeps its kind (landline)", () => {
    const mobile = detect(stored([
      opened("exa", "p1", { name: "試験 一郎", phone: "090-0000-0009" }, 0),
      opened("exb", "p2", { name: "試験 二郎", phone: "+81 90 0000 0009" }, 1),
      opened("exc", "p3", { name: "試験 三郎", phone: "09000000009" }, 2),
    ]), only);
    assert.equal(mobile.length, 1);
    assert.equal(mobile[0]!.details?.identifier, "phone");
    assert.deepEqual(mobile[0]!.accounts, ["p1", "p2", "p3"]);

    // A landline is only a weak link (corroboration): what matters is that its token is kept as one.
    const kinds = (events: Event[]) => {
      const engine = createEngine(only);
      for (const e of events) engine.push(e);
      const state = decodeState(engine.snapshot().typologies[0]!.state) as { ids: Map<string, { kind: string; users: unknown[] }> };
      return [...state.ids.values()].map((x) => `${x.kind}×${x.users.length}`).sort();
    };
    const household = [
      opened("exa", "l1", { name: "試験 一郎", phone: "03-0000-0009" }, 0),
      opened("exb", "l2", { name: "試験 二郎", phone: "03-0000-0009" }, 1),
    ];
    assert.deepEqual(kinds(toEvents(household)), ["landline×2"]);
    assert.deepEqual(kinds(stored(household)), ["landline×2"]);
  });
});

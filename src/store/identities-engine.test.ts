// What the engine sees of identity events as the store keeps them (engineView, and so a replay of
// the log): a person's name is the blind index of its written-name key, so shared-identifiers tells
// one person's accounts at several exchanges (one written name) from different people sharing a
// phone, as it does on plaintext. All personal data here is synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { parseEvent, type Event } from "../contracts/events.ts";
import { detect } from "../engine/index.ts";
import { normalizeDate, normalizeEmail, normalizePhone, phoneKind, writtenNameKey } from "../identity/index.ts";
import { BlindIndexer, Keyring } from "../privacy/index.ts";
import { engineView, NAME_TOKEN_PREFIX, splitPersonalData, type PersonalDataSealing } from "./identities.ts";

const base = {
  keyring: new Keyring([{ kid: "k1", key: randomBytes(32) }]),
  blindIndexer: new BlindIndexer([{ kid: "b1", key: randomBytes(32) }]),
  normalize: { dateOfBirth: normalizeDate, phone: normalizePhone, email: normalizeEmail },
  isLandline: (raw: string) => phoneKind(raw) === "landline",
} satisfies PersonalDataSealing;
const withNames: PersonalDataSealing = { ...base, nameKey: writtenNameKey };

const at = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();
let n = 0;
function opened(source: string, accountId: string, name: string, phone: string, hours: number, dateOfBirth = "1980-01-01"): Event {
  const r = parseEvent({
    type: "account.opened", id: `open-${++n}`, ts: at(hours), source, accountId, customerType: "individual",
    kyc: { name, dateOfBirth, phone, email: `${accountId}@example.com`, nationality: "JP", residency: "citizen" },
  });
  assert.ok(r.ok);
  return r.event;
}

const only = { typologies: ["shared-identifiers"] };

describe("identity events as the engine sees them from the store", () => {
  it("keeps a name as the blind index of its written-name key: one per written name, nothing of the name", () => {
    const a = engineView(opened("exa", "a1", "試験 一郎", "090-0000-0001", 0), withNames);
    const b = engineView(opened("exb", "b1", "試験一郎", "090-0000-0001", 1), withNames);
    const c = engineView(opened("exc", "c1", "試験 二郎", "090-0000-0001", 2), withNames);
    const name = (e: Event) => (e.type === "account.opened" ? e.kyc.name : "");
    assert.ok(name(a).startsWith(`[sealed ${NAME_TOKEN_PREFIX}`), name(a));
    assert.equal(name(a), name(b), "two writings of one name key alike");
    assert.notEqual(name(a), name(c));
    assert.doesNotMatch(name(a) + name(c), /試験|一郎|二郎/);
    // The stored body carries the same placeholder.
    const wire = JSON.parse(JSON.stringify({ ...opened("exa", "a9", "試験 一郎", "090-0000-0001", 3) })) as Record<string, unknown>;
    const split = splitPersonalData({ source: "exa", id: wire.id as string, type: "account.opened", time: 0, ts: wire.ts as string, body: JSON.stringify(wire) }, withNames)!;
    assert.equal((JSON.parse(split.body) as { kyc: { name: string } }).kyc.name, name(a));
  });

  it("one person's accounts at three exchanges sharing their phone raise nothing; three people sharing one phone do", () => {
    const samePerson = [opened("exa", "p1", "試験 一郎", "090-0000-0001", 0), opened("exb", "p2", "試験 一郎", "090-0000-0001", 1), opened("exc", "p3", "試験 一郎", "090-0000-0001", 2)];
    const threePeople = [
      opened("exa", "q1", "試験 一郎", "090-0000-0002", 0, "1980-01-01"),
      opened("exb", "q2", "試験 二郎", "090-0000-0002", 1, "1981-02-02"),
      opened("exc", "q3", "試験 三郎", "090-0000-0002", 2, "1982-03-03"),
    ];
    const alerts = (events: Event[], sealing: PersonalDataSealing) => detect(events.map((e) => engineView(e, sealing)), only).length;
    // Plaintext is the reference.
    assert.equal(detect(samePerson, only).length, 0);
    assert.ok(detect(threePeople, only).length > 0);
    assert.equal(alerts(samePerson, withNames), 0, "the log's name tokens tell one person's accounts apart from strangers'");
    assert.ok(alerts(threePeople, withNames) > 0);
    // Without name keys every record's name is its own placeholder: one person's accounts look like strangers'.
    assert.ok(alerts(samePerson, base) > 0);
  });
});

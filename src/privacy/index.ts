// The privacy room: field encryption, blind indexes, pseudonyms, the disclosure policy and the audit
// trail. Pure functions and small ports; storage and HTTP wiring live in store/ and server/.
export { KEY_BYTES, decodeBase64Strict, generateKeyBase64, parseKeyList, parseSingleKey, type KeyEntry } from "./keys.ts";
export { Keyring, SealError, type RecordSealer, SEAL_VERSION, decodeSealed, encodeSealed, inspectSealed, sealedParts, type SealContext, type Sealed, type SealErrorCode } from "./seal.ts";
export { BlindIndexer, DEFAULT_INDEX_BYTES, normalizeForIndex, type BlindIndexOptions } from "./blind-index.ts";
export { PSEUDONYM_PATTERN, Pseudonymizer, isPseudonym, parsePseudonym, viewAccount, type AccountView, type Pseudonym } from "./pseudonym.ts";
export {
  DEFAULT_POLICY_CONFIG,
  DisclosurePolicyConfigSchema,
  PERSONAL_FIELDS,
  PrincipalSchema,
  REQUESTER_ROLES,
  ROLES,
  createDisclosurePolicy,
  isPersonalField,
  principalId,
  type ApprovalDecision,
  type CaseState,
  type Decision,
  type Deny,
  type DenyReason,
  type DisclosureGrant,
  type DisclosurePolicy,
  type DisclosurePolicyConfig,
  type DisclosureRequest,
  type EntityState,
  type PersonalDataAccess,
  type PersonalField,
  type Principal,
  type PrincipalId,
  type ReadDecision,
  type Role,
} from "./policy.ts";
export * from "./audit/index.ts";

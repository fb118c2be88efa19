export { canonicalJson, type JsonObject, type JsonValue } from "./canonical-json.ts";
export { GENESIS_HASH, chainRecord, recordHash, validateAuditInput, type AuditBody, type AuditInput, type AuditRecord } from "./chain.ts";
export {
  generateAuditKeyPair,
  parseAuditPublicKeys,
  parseAuditSigningKey,
  publicKeyBase64,
  signTreeHead,
  treeHeadMessage,
  verifyTreeHead,
  type SignedTreeHead,
} from "./heads.ts";
export { MerkleFrontier, consistencyProof, emptyRoot, inclusionProof, leafHash, merkleRoot, nodeHash, verifyConsistency, verifyInclusion } from "./merkle.ts";
export { AuditTrail, InMemoryAuditLog, auditConflict, type AuditLog, type AuditTrailOptions } from "./log.ts";
export {
  AuditVerifier,
  verifyAudit,
  verifyAuditLog,
  verifyHeadConsistency,
  verifyRecordInclusion,
  type AuditFault,
  type AuditFaultCode,
  type AuditVerdict,
  type InclusionCheck,
  type InclusionProof,
} from "./verify.ts";

// Blind indexes: equality-only fields are compared as HMAC-SHA256 digests under a deployment key,
// so linkage never needs the plaintext of a date of birth, phone, e-mail or corporate number.
import { createHmac } from "node:crypto";

/**
 * HMAC-SHA256(key, field ‖ 0x00 ‖ normalisedValue), base64url. The field name is part of the message
 * so that one value in two fields (a phone number typed into the e-mail field) gives two different
 * indexes. The value must already be normalised (normalizePhone, normalizeDate …): the index is
 * equality-only.
 */
export function blindIndex(key: Uint8Array, field: string, normalisedValue: string): string {
  if (key.length < 16) throw new Error("blindIndex: the key must be at least 16 bytes");
  if (field.includes("\u0000")) throw new Error("blindIndex: a field name may not contain NUL");
  return createHmac("sha256", key).update(field, "utf8").update("\u0000").update(normalisedValue, "utf8").digest("base64url");
}

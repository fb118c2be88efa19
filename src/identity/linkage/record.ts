// Identity records for linkage (CONTRACT.md "Identity records for linkage"): the identity fields of
// `kyc` / `subject` plus `recordId`, `source`, and optionally `accountId` and `socialIds`.
import { z } from "zod";
import { IdentityFields } from "../../contracts/events.ts";
import { AccountIdSchema, SourceIdSchema } from "../../contracts/ids.ts";

export const IdentityRecordSchema = IdentityFields.extend({
  recordId: z.string().min(1, "must not be empty").max(128, "at most 128 characters"),
  source: SourceIdSchema,
  accountId: AccountIdSchema.optional(),
  socialIds: z
    .array(z.string().regex(/^[A-Za-z0-9._-]{1,32}:.{1,128}$/u, 'expected "platform:handle", e.g. "x:handle"'))
    .optional(),
});

/** A record as validated by IdentityRecordSchema. */
export type ParsedIdentityRecord = z.output<typeof IdentityRecordSchema>;

/**
 * What linkage reads from a record. Looser than the schema on purpose: linkage normalises every
 * field itself (dates in era writing, phones in any format), so callers holding KYC data that did not
 * come through the schema can pass it as it is.
 */
export interface IdentityRecord {
  recordId: string;
  source: string;
  name: string;
  nameKana?: string | undefined;
  nameLatin?: string | undefined;
  dateOfBirth?: string | undefined;
  nationality?: string | undefined;
  postalCode?: string | undefined;
  address?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  corporateNumber?: string | undefined;
  accountId?: string | undefined;
  socialIds?: readonly string[] | undefined;
}

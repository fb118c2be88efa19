// Branded identifiers: two ids of different kinds are never interchangeable by accident.
import { z } from "zod";

export type Brand<T, B extends string> = T & { readonly __brand: B };

export type AccountId = Brand<string, "AccountId">;
export type EntityId = Brand<string, "EntityId">;
export type TenantId = Brand<string, "TenantId">;
export type CaseId = Brand<string, "CaseId">;
export type Address = Brand<string, "Address">;
export type SourceId = Brand<string, "SourceId">;
export type AlertId = Brand<string, "AlertId">;
/** `source:id`, the global key of one event. */
export type EventKey = Brand<string, "EventKey">;

export const SOURCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const idText = z.string().min(1, "must not be empty").max(128, "at most 128 characters");

export const AccountIdSchema = idText.transform((s) => s as AccountId);
export const AddressSchema = z.string().min(1).max(256).transform((s) => s as Address);
export const SourceIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "at most 64 characters")
  .regex(SOURCE_ID_PATTERN, "letters, digits, '.', '_' or '-' only")
  .transform((s) => s as SourceId);

export const accountId = (s: string): AccountId => s as AccountId;
export const entityId = (s: string): EntityId => s as EntityId;
export const tenantId = (s: string): TenantId => s as TenantId;
export const caseId = (s: string): CaseId => s as CaseId;
export const address = (s: string): Address => s as Address;
export const sourceId = (s: string): SourceId => s as SourceId;
export const alertId = (s: string): AlertId => s as AlertId;
export const eventKey = (source: string, id: string): EventKey => `${source}:${id}` as EventKey;

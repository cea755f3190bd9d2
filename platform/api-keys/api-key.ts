import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { legacyAdminRole, roles, type Role } from "../context/request-context.ts";

/** Every key starts with this, so leaked keys are easy to find with secret scanners. */
export const apiKeyPrefix = "aig_";

/** An API key as stored: only its hash, never the key itself. */
export const apiKeyRecordSchema = z.object({
  /** Public identifier, safe to log and to show in usage reports. */
  id: z.string(),
  tenantId: z.string(),
  /** Stored roles; keys issued before the role split may still hold `admin` (see `effectiveRoles`). */
  roles: z.array(z.enum([...roles, legacyAdminRole] as unknown as [string, ...string[]])),
  /** What the key is for, as its creator described it. */
  name: z.string(),
  /** SHA-256 of the whole key, hex. Keys carry 192 random bits, so a fast hash is safe (no password stretching needed). */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema> & { roles: (Role | typeof legacyAdminRole)[] };

/**
 * The roles a stored key acts with. The retired global `admin` role is read as `tenant-admin`
 * (least privilege: it no longer reaches other tenants) until `npm run api-keys -- migrate-roles`
 * rewrites it; platform roles are only ever granted explicitly.
 */
export function effectiveRoles(stored: readonly (Role | typeof legacyAdminRole)[]): Role[] {
  return [...new Set(stored.map((role) => (role === legacyAdminRole ? "tenant-admin" : role)))];
}

/** Whether the key still holds the retired `admin` role. */
export function hasLegacyRole(record: Pick<ApiKeyRecord, "roles">): boolean {
  return record.roles.includes(legacyAdminRole);
}

/** Tenant ids: lower-case letters, digits and dashes, as they appear in Redis keys and URLs. */
export const tenantIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A new random key and its public id. The key is shown once; only its hash is kept. */
export function generateApiKey(): { key: string; id: string } {
  const key = `${apiKeyPrefix}${randomBytes(24).toString("base64url")}`;
  return { key, id: `key_${randomBytes(6).toString("hex")}` };
}

/** Whether `key` has the shape of a key we issue; others are refused without a store lookup. */
export function looksLikeApiKey(key: string): boolean {
  return key.startsWith(apiKeyPrefix) && key.length === apiKeyPrefix.length + 32 && /^[A-Za-z0-9_-]+$/.test(key.slice(apiKeyPrefix.length));
}

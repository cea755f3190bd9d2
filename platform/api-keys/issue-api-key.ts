import { badUserInput } from "../errors/service-error.ts";
import type { Role } from "../context/request-context.ts";
import { generateApiKey, hashApiKey, tenantIdPattern } from "./api-key.ts";
import type { ApiKeyStore } from "./api-key-store.ts";

export interface IssuedApiKey {
  /** The key itself: show it once, it cannot be recovered. */
  key: string;
  id: string;
  tenantId: string;
  roles: Role[];
}

/** Creates a key bound to `tenantId` with `roles`, storing only its hash. */
export async function issueApiKey(store: ApiKeyStore, tenantId: string, roles: Role[], name: string): Promise<IssuedApiKey> {
  if (!tenantIdPattern.test(tenantId)) {
    throw badUserInput("tenantId", `Tenant ids are 1 to 63 lower-case letters, digits or dashes, got "${tenantId}".`);
  }
  if (roles.length === 0) throw badUserInput("roles", "A key needs at least one role.");
  const { key, id } = generateApiKey();
  await store.create({ id, tenantId, roles: [...new Set(roles)], name, hash: hashApiKey(key), createdAt: new Date().toISOString() });
  return { key, id, tenantId, roles };
}

/** Tenant and key made on first start on embedded defaults, so a newcomer can query at once. */
export const developmentTenantId = "dev";

/**
 * On a store with no keys at all, issues a platform-admin and tenant-admin key for the development tenant and returns it;
 * otherwise returns undefined (the key was shown when it was made and is not stored in clear).
 */
export async function ensureDevelopmentKey(store: ApiKeyStore): Promise<IssuedApiKey | undefined> {
  if ((await store.count()) > 0) return undefined;
  return issueApiKey(store, developmentTenantId, ["platform-admin", "tenant-admin"], "development admin key, made on first start");
}

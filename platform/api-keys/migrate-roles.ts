import { badUserInput } from "../errors/service-error.ts";
import { legacyAdminRole, type Role } from "../context/request-context.ts";
import { hasLegacyRole, type ApiKeyRecord } from "./api-key.ts";
import type { ApiKeyStore } from "./api-key-store.ts";

export interface RoleMigration {
  id: string;
  tenantId: string;
  before: ApiKeyRecord["roles"];
  after: Role[];
}

/**
 * Rewrites keys of the retired global `admin` role: each becomes `tenant-admin` of its own tenant,
 * and the keys named in `platformAdminKeyIds` also get `platform-admin`. Nothing is granted
 * platform-wide implicitly. Keys without `admin` are left alone unless named. Returns what changed;
 * `dryRun` only reports.
 */
export async function migrateLegacyRoles(store: ApiKeyStore, platformAdminKeyIds: readonly string[], dryRun = false): Promise<RoleMigration[]> {
  const records = await store.list();
  const unknown = platformAdminKeyIds.filter((id) => !records.some((record) => record.id === id));
  if (unknown.length > 0) throw badUserInput("platformAdminKeyIds", `No key has the id ${unknown.join(", ")} (see \`npm run api-keys -- list\`).`);
  const changes: RoleMigration[] = [];
  for (const record of records) {
    const promote = platformAdminKeyIds.includes(record.id);
    if (!hasLegacyRole(record) && (!promote || record.roles.includes("platform-admin"))) continue;
    const after = new Set<Role>(record.roles.map((role): Role => (role === legacyAdminRole ? "tenant-admin" : (role as Role))));
    if (promote) after.add("platform-admin");
    changes.push({ id: record.id, tenantId: record.tenantId, before: record.roles, after: [...after] });
  }
  if (!dryRun) for (const change of changes) await store.setRoles(change.id, change.after);
  return changes;
}

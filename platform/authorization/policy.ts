import type { Role } from "../context/request-context.ts";
import { permissions, type Permission } from "./permission.ts";

/**
 * The whole authorization policy in one table. Platform grants hold for every tenant and for the
 * installation (`everyTenant`); tenant grants only inside the key's own tenant.
 *
 * | permission              | member | tenant-admin | platform-admin |
 * |-------------------------|--------|--------------|----------------|
 * | sharedModels.manage     |        |              | any tenant     |
 * | privateModels.manage    |        | own tenant   | any tenant     |
 * | privateModels.read      | own    | own tenant   | any tenant     |
 * | quotas.read             | own    | own tenant   | any tenant     |
 * | quotas.manage           |        |              | any tenant     |
 * | usage.read              | own    | own tenant   | any tenant     |
 * | apiKeys.manage          |        | own tenant   | any tenant     |
 * | platformRoles.grant     |        |              | any tenant     |
 * | auditEvents.read        |        | own tenant   | any tenant     |
 *
 * Inference on a private model stays with its own tenant whatever the role (it runs on the tenant's
 * upstream key and is billed to the caller): see `canUseModel`.
 */
export const rolePolicy: Readonly<Record<Role, { platform: readonly Permission[]; ownTenant: readonly Permission[] }>> = {
  "platform-admin": { platform: permissions, ownTenant: permissions },
  "tenant-admin": {
    platform: [],
    ownTenant: ["privateModels.manage", "privateModels.read", "quotas.read", "usage.read", "apiKeys.manage", "auditEvents.read"],
  },
  member: { platform: [], ownTenant: ["privateModels.read", "quotas.read", "usage.read"] },
};

/** The least role that grants `permission` inside its own tenant, for error messages. */
export function leastRoleFor(permission: Permission): Role {
  if (rolePolicy.member.ownTenant.includes(permission)) return "member";
  if (rolePolicy["tenant-admin"].ownTenant.includes(permission)) return "tenant-admin";
  return "platform-admin";
}

import type { Role } from "../../../platform/context/request-context.ts";
import type { Role as RoleName } from "../generated/resolvers-types.ts";

const byName: Record<RoleName, Role> = { PLATFORM_ADMIN: "platform-admin", TENANT_ADMIN: "tenant-admin", MEMBER: "member" };

/** The GraphQL enum value of a role (`tenant-admin` → `TENANT_ADMIN`). */
export function roleName(role: Role): RoleName {
  return role.toUpperCase().replace("-", "_") as RoleName;
}

/** The role of a GraphQL enum value. */
export function roleFromName(name: RoleName): Role {
  return byName[name];
}

import type { RequestContext } from "../context/request-context.ts";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { everyTenant, type Permission, type PermissionScope } from "./permission.ts";
import { leastRoleFor, rolePolicy } from "./policy.ts";

/** Whether the caller holds `permission` over `scope` (a tenant id, or `everyTenant`). */
export function isAllowed(context: RequestContext, permission: Permission, scope: PermissionScope): boolean {
  return context.roles.some((role) => {
    const grants = rolePolicy[role];
    if (grants === undefined) return false;
    if (grants.platform.includes(permission)) return true;
    return scope !== everyTenant && scope === context.tenantId && grants.ownTenant.includes(permission);
  });
}

/**
 * Throws `FORBIDDEN` unless the caller holds `permission` over `scope`. `action` completes "Only …
 * may <action>" in the message. The gateway records every `FORBIDDEN` as a `ROLE_DENIED` audit event.
 */
export function authorize(context: RequestContext, permission: Permission, scope: PermissionScope, action: string): void {
  if (isAllowed(context, permission, scope)) return;
  const crossesTenants = scope === everyTenant || scope !== context.tenantId;
  const role = crossesTenants ? "platform-admin" : leastRoleFor(permission);
  throw new ServiceError(ErrorCode.Forbidden, `Only API keys with the ${role} role may ${action}.`, {
    details: { requiredRole: role, permission },
  });
}

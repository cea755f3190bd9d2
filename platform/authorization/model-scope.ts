import type { RequestContext } from "../context/request-context.ts";
import { isAllowed } from "./authorize.ts";

/**
 * Private models are scoped like npm packages: `@<tenant>/<name>` belongs to that tenant; an id
 * without a scope is a shared (platform-managed) model. Shared ids cannot start with `@`, so the
 * two never collide, and a tenant's names say nothing about another tenant's.
 */
const privateModelScope = /^@([a-z0-9][a-z0-9-]{0,62})\//;

/** The tenant that owns the model named `name` (id or alias), or undefined for a shared model. */
export function modelOwnerTenant(name: string): string | undefined {
  return privateModelScope.exec(name)?.[1];
}

/** The scope prefix of `tenantId`'s private models (`@acme/`). */
export function privateModelPrefix(tenantId: string): string {
  return `@${tenantId}/`;
}

/** Whether the caller may see the model in the catalogue: shared ones always, private ones in their tenant (platform admins: all). */
export function canSeeModel(context: RequestContext, modelId: string): boolean {
  const owner = modelOwnerTenant(modelId);
  return owner === undefined || isAllowed(context, "privateModels.read", owner);
}

/**
 * Whether the caller may run inference on the model: shared ones always, private ones only inside
 * their own tenant, whatever the role (they run on the tenant's upstream key and are billed to it).
 */
export function canUseModel(context: RequestContext, modelId: string): boolean {
  const owner = modelOwnerTenant(modelId);
  return owner === undefined || owner === context.tenantId;
}

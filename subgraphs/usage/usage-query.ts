import type { RequestContext } from "../../platform/context/request-context.ts";
import { authorize } from "../../platform/authorization/authorize.ts";
import { everyTenant } from "../../platform/authorization/permission.ts";
import { badUserInput } from "../../platform/errors/service-error.ts";
import type { UsageQueryInput } from "./generated/resolvers-types.ts";
import type { Dimension, Granularity } from "./usage-report.ts";
import type { UsageQuery } from "./store/usage-store.ts";

const hourMillis = 3_600_000;
const maximumRangeMillis = 400 * 24 * hourMillis;

export interface ValidatedUsageQuery {
  store: UsageQuery;
  granularity: Granularity;
  groupBy: Dimension[];
}

/**
 * The store query a caller may run: tenant roles only ever get their own tenant; another `tenantId`
 * and `allTenants` need the platform-admin role. The range is rounded down to whole hours, the store's unit.
 */
export function validateUsageQuery(input: UsageQueryInput, caller: RequestContext): ValidatedUsageQuery {
  const from = new Date(Math.floor(Date.parse(input.from) / hourMillis) * hourMillis);
  const to = new Date(Date.parse(input.to));
  if (Number.isNaN(from.getTime())) throw badUserInput("input.from", "from is not a date.");
  if (Number.isNaN(to.getTime())) throw badUserInput("input.to", "to is not a date.");
  if (to <= from) throw badUserInput("input.to", "to must be after from.");
  if (to.getTime() - from.getTime() > maximumRangeMillis) throw badUserInput("input.to", "The range may span at most 400 days.");
  let tenantId: string | undefined = caller.tenantId;
  if (input.allTenants === true) {
    authorize(caller, "usage.read", everyTenant, "read every tenant's usage");
    if (input.tenantId !== undefined && input.tenantId !== null) throw badUserInput("input.tenantId", "Give tenantId or allTenants, not both.");
    tenantId = undefined;
  } else if (input.tenantId !== undefined && input.tenantId !== null && input.tenantId !== caller.tenantId) {
    authorize(caller, "usage.read", input.tenantId, "read another tenant's usage");
    tenantId = input.tenantId;
  }
  if (tenantId !== undefined) authorize(caller, "usage.read", tenantId, "read the tenant's usage");
  const groupBy: Dimension[] = [...new Set<Dimension>(input.groupBy ?? ["MODEL"])];
  return {
    store: { from, to, ...(tenantId === undefined ? {} : { tenantId }), ...(input.modelId === undefined || input.modelId === null ? {} : { modelId: input.modelId }) },
    granularity: input.granularity ?? "DAY",
    groupBy,
  };
}

/** The tenant scope of `Model.usage`: the caller's own, or every tenant for a platform admin who asks. */
export function modelUsageTenant(caller: RequestContext, allTenants: boolean | null | undefined): string | undefined {
  if (allTenants === true) {
    authorize(caller, "usage.read", everyTenant, "read every tenant's usage");
    return undefined;
  }
  authorize(caller, "usage.read", caller.tenantId, "read the tenant's usage");
  return caller.tenantId;
}

import type { RequestContext } from "../../platform/context/request-context.ts";
import { requireRole } from "../../platform/context/require-role.ts";
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
 * The store query a caller may run: members only ever get their own tenant; `tenantId` and
 * `allTenants` need the admin role. The range is rounded down to whole hours, the store's unit.
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
    requireRole(caller, "admin", "read every tenant's usage");
    if (input.tenantId !== undefined && input.tenantId !== null) throw badUserInput("input.tenantId", "Give tenantId or allTenants, not both.");
    tenantId = undefined;
  } else if (input.tenantId !== undefined && input.tenantId !== null && input.tenantId !== caller.tenantId) {
    requireRole(caller, "admin", "read another tenant's usage");
    tenantId = input.tenantId;
  }
  const groupBy: Dimension[] = [...new Set<Dimension>(input.groupBy ?? ["MODEL"])];
  return {
    store: { from, to, ...(tenantId === undefined ? {} : { tenantId }), ...(input.modelId === undefined || input.modelId === null ? {} : { modelId: input.modelId }) },
    granularity: input.granularity ?? "DAY",
    groupBy,
  };
}

/** The tenant scope of `Model.usage`: the caller's own, or every tenant for an admin who asks. */
export function modelUsageTenant(caller: RequestContext, allTenants: boolean | null | undefined): string | undefined {
  if (allTenants === true) {
    requireRole(caller, "admin", "read every tenant's usage");
    return undefined;
  }
  return caller.tenantId;
}

import type { AuditLogPage, AuditLog } from "../../../platform/audit/audit-log.ts";
import type { AuditAction } from "../../../platform/audit/audit-event.ts";
import { authorize } from "../../../platform/authorization/authorize.ts";
import { everyTenant } from "../../../platform/authorization/permission.ts";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { badUserInput } from "../../../platform/errors/service-error.ts";

export interface AuditEventsArguments {
  tenantId?: string | null;
  allTenants?: boolean | null;
  action?: AuditAction | null;
  first?: number | null;
  after?: string | null;
}

/** `auditEvents`: a tenant's events for its tenant admins, any tenant's or all for platform admins. */
export function queryAuditEvents(audit: AuditLog, caller: RequestContext, query: AuditEventsArguments): Promise<AuditLogPage> {
  let tenantId: string | undefined;
  if (query.allTenants === true) {
    if (query.tenantId !== undefined && query.tenantId !== null) throw badUserInput("tenantId", "Give tenantId or allTenants, not both.");
    authorize(caller, "auditEvents.read", everyTenant, "read every tenant's audit events");
  } else {
    tenantId = query.tenantId ?? caller.tenantId;
    authorize(caller, "auditEvents.read", tenantId, tenantId === caller.tenantId ? "read the tenant's audit events" : "read another tenant's audit events");
  }
  return audit.list({
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(query.action === undefined || query.action === null ? {} : { action: query.action }),
    first: query.first ?? 20,
    ...(query.after === undefined || query.after === null ? {} : { after: query.after }),
  });
}

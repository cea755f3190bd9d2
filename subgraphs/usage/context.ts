import type { RequestContext } from "../../platform/context/request-context.ts";
import type { AuditLog } from "../../platform/audit/audit-log.ts";
import type { ApiKeyAdministration } from "./administration/api-key-administration.ts";
import type { QuotaStore } from "./quota/quota-store.ts";
import type { UsageStore } from "./store/usage-store.ts";

/** What every usage resolver receives. Built once per GraphQL operation. */
export interface UsageContext {
  request: RequestContext;
  usage: UsageStore;
  quotas: QuotaStore;
  /** The installation's API keys, as the caller may manage them. */
  apiKeys: ApiKeyAdministration;
  audit: AuditLog;
}

import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import { authorize, isAllowed } from "../../platform/authorization/authorize.ts";
import { everyTenant } from "../../platform/authorization/permission.ts";
import { queryAuditEvents } from "./administration/audit-events-query.ts";
import { roleFromName, roleName } from "./administration/role-names.ts";
import type { UsageContext } from "./context.ts";
import type { Resolvers, UsageQueryInput } from "./generated/resolvers-types.ts";
import { quotaFromInput } from "./quota-input.ts";
import { buildUsageReport, percentilesOf, type UsageReportRecord } from "./usage-report.ts";
import { modelUsageTenant, validateUsageQuery } from "./usage-query.ts";

const micros = 1_000_000;

async function recordQuotaChange(context: UsageContext, action: "QUOTA_SET" | "QUOTA_REMOVED", tenantId: string, details: Record<string, number | null>): Promise<void> {
  const caller = context.request;
  await context.audit.record({
    tenantId,
    actorTenantId: caller.tenantId,
    actorApiKeyId: caller.apiKeyId,
    actorRoles: [...caller.roles],
    action,
    targetType: "quota",
    targetId: tenantId,
    requestId: caller.requestId,
    details,
  });
}

async function usageReport(input: UsageQueryInput, context: UsageContext): Promise<UsageReportRecord> {
  const query = validateUsageQuery(input, context.request);
  const buckets = await context.usage.buckets(query.store);
  return buildUsageReport(buckets, { from: query.store.from, to: query.store.to, granularity: query.granularity, groupBy: query.groupBy });
}

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    usage: (_parent, { input }, context) => usageReport(input, context),
    quota: async (_parent, { tenantId }, context) => {
      const wanted = tenantId ?? context.request.tenantId;
      authorize(context.request, "quotas.read", wanted, wanted === context.request.tenantId ? "read the tenant's quota" : "read another tenant's quota");
      return (await context.quotas.getQuota(wanted)) ?? null;
    },
    apiKeys: (_parent, { tenantId }, context) => context.apiKeys.list(context.request, tenantId),
    auditEvents: async (_parent, query, context) => {
      const page = await queryAuditEvents(context.audit, context.request, query);
      return { nodes: page.events, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
    },
    quotas: (_parent, _arguments, context) => {
      authorize(context.request, "quotas.read", everyTenant, "list every tenant's quota");
      return context.quotas.listQuotas();
    },
  },
  Mutation: {
    setTenantQuota: async (_parent, { input }, context) => {
      authorize(context.request, "quotas.manage", input.tenantId, "set quotas");
      const quota = quotaFromInput(input, new Date());
      await context.quotas.setQuota(quota);
      await recordQuotaChange(context, "QUOTA_SET", quota.tenantId, {
        tokensPerMinute: quota.tokensPerMinute,
        tokensPerDay: quota.tokensPerDay,
        costMicrosPerMonth: quota.costMicrosPerMonth,
        concurrentStreams: quota.concurrentStreams,
      });
      return quota;
    },
    removeTenantQuota: async (_parent, { tenantId }, context) => {
      authorize(context.request, "quotas.manage", tenantId, "remove quotas");
      const removed = await context.quotas.deleteQuota(tenantId);
      if (removed) await recordQuotaChange(context, "QUOTA_REMOVED", tenantId, {});
      return removed;
    },
    createApiKey: (_parent, { input }, context) =>
      context.apiKeys.create(context.request, { tenantId: input.tenantId, roles: input.roles.map(roleFromName), name: input.name }),
    revokeApiKey: (_parent, { id }, context) => context.apiKeys.revoke(context.request, id),
  },
  Model: {
    __resolveReference: (reference) => ({ id: reference.id }),
    usage: async (model, { from, to, allTenants }, context) => {
      const tenantId = modelUsageTenant(context.request, allTenants);
      const input = { from, to, granularity: "TOTAL" as const, groupBy: [], modelId: model.id, ...(tenantId === undefined ? { allTenants: true } : { tenantId }) };
      return (await usageReport(input, context)).totals;
    },
  },
  Completion: {
    // The gateway sends the @requires fields with the reference; a completion is only ever
    // referenced by the inference subgraph's own answer, which was already tenant-checked.
    __resolveReference: (reference) => reference,
    cost: (completion) => {
      if (completion.meteredCostMicros === undefined || completion.meteredCurrency === undefined) {
        throw new ServiceError(ErrorCode.InternalServerError, "The completion's metered cost was not sent with the reference.");
      }
      return { amountMicros: completion.meteredCostMicros, currency: completion.meteredCurrency };
    },
  },
  ApiKey: {
    roles: (key) => key.roles.map(roleName),
  },
  AuditEvent: {
    details: (event) => Object.entries(event.details).map(([name, value]) => ({ name, value: value === null ? null : String(value) })),
  },
  Cost: {
    amount: (cost) => cost.amountMicros / micros,
    amountMicros: (cost) => cost.amountMicros,
  },
  UsageSummary: {
    errorRate: (summary) => (summary.requests === 0 ? 0 : summary.failed / summary.requests),
    cacheHitRate: (summary) => (summary.requests === 0 ? 0 : summary.cacheHits / summary.requests),
    totalTokens: (summary) => summary.promptTokens + summary.completionTokens,
    latencyMillis: (summary) => percentilesOf(summary.latency),
    timeToFirstTokenMillis: (summary) => percentilesOf(summary.timeToFirstToken),
  },
  UsageRow: {
    model: (row) => (row.modelId === null ? null : { id: row.modelId }),
  },
  TenantQuota: {
    __resolveReference: async (reference, context) => {
      if (!isAllowed(context.request, "quotas.read", reference.tenantId)) return null;
      return (await context.quotas.getQuota(reference.tenantId)) ?? null;
    },
    costPerMonth: (quota) => (quota.costMicrosPerMonth === null ? null : quota.costMicrosPerMonth / micros),
  },
};

import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import { hasRole } from "../../platform/context/request-context.ts";
import { requireRole } from "../../platform/context/require-role.ts";
import type { UsageContext } from "./context.ts";
import type { Resolvers, UsageQueryInput } from "./generated/resolvers-types.ts";
import { quotaFromInput } from "./quota-input.ts";
import { buildUsageReport, percentilesOf, type UsageReportRecord } from "./usage-report.ts";
import { modelUsageTenant, validateUsageQuery } from "./usage-query.ts";

const micros = 1_000_000;

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
      if (wanted !== context.request.tenantId) requireRole(context.request, "admin", "read another tenant's quota");
      return (await context.quotas.getQuota(wanted)) ?? null;
    },
    quotas: (_parent, _arguments, context) => {
      requireRole(context.request, "admin", "list quotas");
      return context.quotas.listQuotas();
    },
  },
  Mutation: {
    setTenantQuota: async (_parent, { input }, context) => {
      requireRole(context.request, "admin", "set quotas");
      const quota = quotaFromInput(input, new Date());
      await context.quotas.setQuota(quota);
      return quota;
    },
    removeTenantQuota: (_parent, { tenantId }, context) => {
      requireRole(context.request, "admin", "remove quotas");
      return context.quotas.deleteQuota(tenantId);
    },
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
  Cost: {
    amount: (cost) => cost.amountMicros / micros,
    amountMicros: (cost) => cost.amountMicros,
  },
  UsageSummary: {
    errorRate: (summary) => (summary.requests === 0 ? 0 : summary.failed / summary.requests),
    totalTokens: (summary) => summary.promptTokens + summary.completionTokens,
    latencyMillis: (summary) => percentilesOf(summary.latency),
    timeToFirstTokenMillis: (summary) => percentilesOf(summary.timeToFirstToken),
  },
  UsageRow: {
    model: (row) => (row.modelId === null ? null : { id: row.modelId }),
  },
  TenantQuota: {
    __resolveReference: async (reference, context) => {
      if (reference.tenantId !== context.request.tenantId && !hasRole(context.request, "admin")) return null;
      return (await context.quotas.getQuota(reference.tenantId)) ?? null;
    },
    costPerMonth: (quota) => (quota.costMicrosPerMonth === null ? null : quota.costMicrosPerMonth / micros),
  },
};

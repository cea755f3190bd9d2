import { badUserInput } from "../../platform/errors/service-error.ts";
import type { TenantQuotaInput } from "./generated/resolvers-types.ts";
import type { TenantQuota } from "./quota/quota-store.ts";

/** A validated quota; money in millionths of the currency so counters add exactly. */
export function quotaFromInput(input: TenantQuotaInput, now: Date): TenantQuota {
  if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(input.tenantId)) throw badUserInput("input.tenantId", "A tenant id has 1 to 200 letters, digits or _ . : -.");
  const positiveInteger = (field: keyof TenantQuotaInput, value: number | null | undefined): number | null => {
    if (value === null || value === undefined) return null;
    if (!Number.isInteger(value) || value < 1) throw badUserInput(`input.${field}`, `${field} must be a whole number of at least 1, or null for unlimited; got ${value}.`);
    return value;
  };
  let costMicrosPerMonth: number | null = null;
  if (input.costPerMonth !== null && input.costPerMonth !== undefined) {
    if (!Number.isFinite(input.costPerMonth) || input.costPerMonth <= 0 || input.costPerMonth > 1e9) {
      throw badUserInput("input.costPerMonth", `costPerMonth must be greater than 0 and at most 1,000,000,000, or null for unlimited; got ${input.costPerMonth}.`);
    }
    costMicrosPerMonth = Math.round(input.costPerMonth * 1_000_000);
  }
  return {
    tenantId: input.tenantId,
    tokensPerMinute: positiveInteger("tokensPerMinute", input.tokensPerMinute),
    tokensPerDay: positiveInteger("tokensPerDay", input.tokensPerDay),
    costMicrosPerMonth,
    concurrentStreams: positiveInteger("concurrentStreams", input.concurrentStreams),
    updatedAt: now.toISOString(),
  };
}

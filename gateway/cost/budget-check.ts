import type { TenantBudget } from "./cost-inputs.ts";

/** The first quota the whole operation would break. */
export interface BudgetShortfall {
  /** The quota's name, as the usage service names it (and QUOTA_EXCEEDED's `extensions.limit`). */
  limit: "TOKENS_PER_MINUTE" | "TOKENS_PER_DAY" | "COST_PER_MONTH";
  limitValue: number;
  used: number;
  requested: number;
  /** When the window resets, epoch milliseconds. */
  resetsAtMillis: number;
}

/**
 * Checks the operation's estimate against what is left of each of the tenant's quotas, in the order
 * the inference service checks one call: tokens this minute, tokens today, spend this month. Each
 * call is still reserved exactly when it runs; this refuses up front an operation whose calls
 * together cannot fit, although each alone might.
 */
export function findBudgetShortfall(budget: TenantBudget, tokens: number, costMicros: number, nowMillis: number): BudgetShortfall | undefined {
  const now = new Date(nowMillis);
  const checks = [
    { limit: "TOKENS_PER_MINUTE", limitValue: budget.tokensPerMinute, used: budget.tokensThisMinute, requested: tokens, resetsAtMillis: (Math.floor(nowMillis / 60_000) + 1) * 60_000 },
    { limit: "TOKENS_PER_DAY", limitValue: budget.tokensPerDay, used: budget.tokensToday, requested: tokens, resetsAtMillis: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) },
    { limit: "COST_PER_MONTH", limitValue: budget.costMicrosPerMonth, used: budget.costMicrosThisMonth, requested: costMicros, resetsAtMillis: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) },
  ] as const;
  for (const check of checks) {
    if (check.limitValue !== null && check.requested > 0 && check.used + check.requested > check.limitValue) {
      return { limit: check.limit, limitValue: check.limitValue, used: check.used, requested: check.requested, resetsAtMillis: check.resetsAtMillis };
    }
  }
  return undefined;
}

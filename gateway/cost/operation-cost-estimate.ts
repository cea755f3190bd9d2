import type { MeteredUsage } from "../../platform/metering/metered-usage.ts";
import type { FieldCostEstimate } from "./estimate-field-cost.ts";
import type { ModelDemandEstimate } from "./price-model-demands.ts";

/** An operation's cost, estimated before it runs. */
export type OperationCostEstimate = FieldCostEstimate & ModelDemandEstimate;

/**
 * `extensions.cost` of a response: the estimate made before the operation ran and, when it made
 * model calls, what they actually used as metered by the inference service.
 */
export function costExtension(estimated: OperationCostEstimate, actual: MeteredUsage | undefined): Record<string, unknown> {
  return {
    estimated: {
      score: estimated.score,
      objects: estimated.objects,
      modelTokens: estimated.modelTokens,
      costMicros: estimated.costMicros,
      currency: estimated.currency,
    },
    actual:
      actual === undefined || actual.calls === 0
        ? { modelCalls: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, currency: null }
        : { modelCalls: actual.calls, promptTokens: actual.promptTokens, completionTokens: actual.completionTokens, costMicros: actual.costMicros, currency: actual.currency },
  };
}

import type { ModelRecord } from "../../model-registry/model-record.ts";

/**
 * Cost of a call in millionths of the model's currency. Prices are per million tokens, so
 * tokens × price is already in millionths; rounding to whole millionths keeps sums exact.
 */
export function costMicros(pricing: ModelRecord["pricing"], promptTokens: number, completionTokens: number): number {
  return Math.round(promptTokens * pricing.inputPerMillionTokens + completionTokens * pricing.outputPerMillionTokens);
}

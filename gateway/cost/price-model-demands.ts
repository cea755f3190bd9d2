import type { CostInputs, ModelCostFacts } from "./cost-inputs.ts";
import type { ModelTokenDemand } from "./model-token-demands.ts";

/** The model side of an operation's estimate. */
export interface ModelDemandEstimate {
  /** Model tokens the operation can use: prompts (estimated), generations (their `maxTokens`), texts to embed or count; ingestion is left out (MAX_DOCUMENT_BYTES bounds it). */
  modelTokens: number;
  /** The part counted against the tenant's quotas (token counts are not). */
  meteredTokens: number;
  /** At the models' live prices, in millionths of `currency`. */
  costMicros: number;
  /** The models' currency; null when nothing is priced. */
  currency: string | null;
  /** True when the priced models use several currencies (then `costMicros` mixes them, as the quotas do). */
  mixedCurrencies: boolean;
}

/**
 * Text is estimated at 4 characters per token, the rule the inference service itself falls back on
 * when nothing can count: cheap (the gateway loads no tokenizer), and an estimate is all a check
 * before any engine work can have. The inference service then reserves each call's exact count
 * against the quota, so an under-estimate here is caught there.
 */
export const charactersPerToken = 4;

/** Prices each demand with the facts read for it; `defaultMaxTokens` stands in when neither request nor model gives one. */
export function priceModelDemands(demands: readonly ModelTokenDemand[], inputs: CostInputs, defaultMaxTokens: number): ModelDemandEstimate {
  const estimate: ModelDemandEstimate = { modelTokens: 0, meteredTokens: 0, costMicros: 0, currency: null, mixedCurrencies: false };
  for (const demand of demands) {
    const collection = demand.collectionId === undefined ? undefined : inputs.collections.get(demand.collectionId);
    const model: ModelCostFacts | null | undefined = demand.modelId !== undefined ? inputs.models.get(demand.modelId) : collection?.embeddingModel;
    let promptTokens = Math.ceil(demand.promptCharacters / charactersPerToken);
    let completionTokens = 0;
    if (demand.generates) {
      completionTokens = demand.maxTokens ?? model?.defaultMaxTokens ?? defaultMaxTokens;
      // Grounding adds up to `topK` chunks to the prompt, as many as fit the model's context.
      const grounding = demand.groundingChunks * (collection?.chunkMaxTokens ?? 256);
      const room = model === null || model === undefined ? grounding : Math.max(0, model.contextLength - completionTokens - promptTokens);
      promptTokens += Math.min(grounding, room);
    }
    const tokens = promptTokens + completionTokens;
    if (demand.coordinate !== "Mutation.ingestDocument") estimate.modelTokens += tokens;
    if (!demand.metered) continue;
    estimate.meteredTokens += tokens;
    if (model === null || model === undefined) continue;
    estimate.costMicros += Math.round(promptTokens * model.inputPerMillionTokens + completionTokens * model.outputPerMillionTokens);
    estimate.mixedCurrencies ||= estimate.currency !== null && estimate.currency !== model.currency;
    estimate.currency ??= model.currency;
  }
  return estimate;
}

/**
 * Ceilings on what one operation may cost, checked before any subgraph is called
 * (`gateway/plugins/cost-analysis-plugin.ts`). A refusal is a 400 with OPERATION_COST_EXCEEDED or
 * MAX_FAN_OUT_EXCEEDED; the tenant's own quota is checked against the whole operation too
 * (QUOTA_EXCEEDED).
 */
export interface CostLimits {
  /** Highest demand-control score (`@cost`/`@listSize`). Default 10,000 (MAX_OPERATION_COST). 0: no ceiling. */
  maximumCostScore: number;
  /** Most objects the result can hold, lists multiplied by their estimated size. Default 10,000 (MAX_FAN_OUT). 0: no ceiling. */
  maximumFanOut: number;
  /**
   * Most model tokens (prompts, generations, texts to embed or count) one operation may use.
   * Default 32,768 (MAX_OPERATION_MODEL_TOKENS): a full 32k-context generation fits. 0: no ceiling.
   * Ingestion is bounded by MAX_DOCUMENT_BYTES instead and does not count here.
   */
  maximumModelTokens: number;
  /** Most one operation may cost at the models' prices, in millionths of their currency. Default 0 (MAX_OPERATION_COST_MICROS): no ceiling. */
  maximumCostMicros: number;
  /** Size of a list with no `@listSize` and no slicing argument. Default 10 (COST_DEFAULT_LIST_SIZE). */
  defaultListSize: number;
  /** Tokens a completion generates when neither the request nor the model says. Default 256 (DEFAULT_MAX_TOKENS, the inference service's default too). */
  defaultMaxTokens: number;
}

export const defaultCostLimits: CostLimits = {
  maximumCostScore: 10_000,
  maximumFanOut: 10_000,
  maximumModelTokens: 32_768,
  maximumCostMicros: 0,
  defaultListSize: 10,
  defaultMaxTokens: 256,
};

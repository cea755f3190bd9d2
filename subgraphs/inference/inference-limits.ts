/** Bounds on one inference request, checked before any engine time is spent. */
export interface InferenceLimits {
  /** Most texts in one embeddings query. Default 256. */
  maximumEmbeddingTexts: number;
  /** Most characters in one prompt, message or text to embed. Default 1,000,000. */
  maximumTextCharacters: number;
  /**
   * Most characters in all the texts of one embeddings or tokenCounts call, checked before any
   * tokenizing. Default 1,000,000 (tokenizing that much takes ~0.1 s here).
   */
  maximumRequestCharacters: number;
  /**
   * Most prompt tokens in all the texts of one embeddings call, checked after counting and before
   * any embedding. Default 32,768 (44 s of MiniLM on this 2-core CPU, ~1 s on a GPU server).
   */
  maximumEmbeddingRequestTokens: number;
  /**
   * Most engine time one embeddings call may take, estimated from the model's measured
   * milliseconds per token (`EngineTimeEstimator`) before it runs, in milliseconds; 0 turns the
   * check off. Default 30,000. Until a model's first call was measured only the token cap applies.
   */
  embeddingRequestBudgetMillis: number;
  /** Most messages in one chat request. Default 1,000. */
  maximumMessages: number;
  /** Most stop sequences. Default 16. */
  maximumStopSequences: number;
  /** `maxTokens` when neither the request nor the model's defaults give one. Default 256. */
  defaultMaxTokens: number;
}

export const defaultInferenceLimits: InferenceLimits = {
  maximumEmbeddingTexts: 256,
  maximumTextCharacters: 1_000_000,
  maximumRequestCharacters: 1_000_000,
  maximumEmbeddingRequestTokens: 32_768,
  embeddingRequestBudgetMillis: 30_000,
  maximumMessages: 1_000,
  maximumStopSequences: 16,
  defaultMaxTokens: 256,
};

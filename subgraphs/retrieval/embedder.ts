import type { RequestContext } from "../../platform/context/request-context.ts";

/**
 * Embeds texts and counts their tokens with a registry model. The retrieval subgraph loads no
 * model itself: `InferenceEmbedder` asks the inference subgraph, whose batching scheduler
 * coalesces ingestion batches with every other caller's requests on the same engine.
 */
export interface Embedder {
  /** One vector per text, in order. */
  embed(modelId: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]>;
  /** Tokens of each text in the model's tokenizer, in order. */
  countTokens(modelId: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<number[]>;
}

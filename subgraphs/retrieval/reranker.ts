import type { RequestContext } from "../../platform/context/request-context.ts";

/**
 * Scores texts against a query with a reranker (a RERANKING model of the registry). Like `Embedder`,
 * the retrieval subgraph loads no model: `InferenceReranker` asks the inference subgraph.
 */
export interface Reranker {
  /**
   * One score per text, in order, 0 to 1 (higher is more relevant). Texts too long for the model's
   * context with the query are cut for it.
   */
  rerank(model: string, query: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<number[]>;
}

import type { RequestContext } from "../../../platform/context/request-context.ts";
import type { GroundingInput } from "../generated/resolvers-types.ts";

/** A retrieved chunk, with what the prompt shows of its document. */
export interface GroundingSource {
  chunkId: string;
  text: string;
  /** Document title, else its source. */
  label: string;
  headingPath: readonly string[];
  score: number;
}

/** What a grounding search found, and what to judge it by. */
export interface GroundingRetrieval {
  /** Best chunks first. */
  sources: GroundingSource[];
  /**
   * Highest cosine similarity between the query and any chunk of the collection (within the
   * filters): the best evidence. Null when nothing was found, or when no vector search ran (KEYWORD
   * mode and no threshold to judge by).
   */
  bestSimilarity: number | null;
  /** The collection's default threshold (`Collection.groundingMinSimilarity`); null when it has none. */
  collectionMinSimilarity: number | null;
}

/** Finds the chunks a grounded completion is given: the retrieval subgraph in production, a fake in tests. */
export interface GroundingRetriever {
  /**
   * Best chunks first, with the evidence's similarity (measured by a vector search too when a
   * KEYWORD search is judged by a threshold) and the collection's threshold. Errors keep the retrieval subgraph's codes (`COLLECTION_NOT_FOUND`, …).
   */
  retrieve(grounding: GroundingInput, query: string, topK: number, context: RequestContext, signal?: AbortSignal): Promise<GroundingRetrieval>;
}

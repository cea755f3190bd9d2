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

/** Finds the chunks a grounded completion is given: the retrieval subgraph in production, a fake in tests. */
export interface GroundingRetriever {
  /** Best chunks first. Errors keep the retrieval subgraph's codes (`COLLECTION_NOT_FOUND`, …). */
  retrieve(grounding: GroundingInput, query: string, topK: number, context: RequestContext, signal?: AbortSignal): Promise<GroundingSource[]>;
}

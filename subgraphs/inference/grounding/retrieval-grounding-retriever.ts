import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import type { InternalGraphqlClient } from "../../../platform/http/internal-graphql-client.ts";
import type { GroundingInput } from "../generated/resolvers-types.ts";
import type { GroundingRetrieval, GroundingRetriever } from "./grounding-source.ts";

const searchQuery = /* GraphQL */ `
  query GroundingSearch($input: SearchInput!, $collectionId: ID!) {
    search(input: $input) {
      bestSimilarity
      hits { score chunk { id text headingPath document { source title } } }
    }
    collection(id: $collectionId) { groundingMinSimilarity }
  }
`;

/** The best evidence alone, for a KEYWORD search judged by a threshold: one VECTOR hit. */
const similarityQuery = /* GraphQL */ `
  query GroundingSimilarity($input: SearchInput!) {
    search(input: $input) { bestSimilarity }
  }
`;

interface SearchData {
  search: { bestSimilarity: number | null; hits: { score: number; chunk: { id: string; text: string; headingPath: string[]; document: { source: string; title: string | null } } }[] };
  collection: { groundingMinSimilarity: number | null } | null;
}

/**
 * Retrieves grounding chunks from the retrieval subgraph, as the caller (same tenant, signed
 * context): a collection of another tenant is not found, exactly as through the gateway.
 */
export class RetrievalGroundingRetriever implements GroundingRetriever {
  readonly #client: InternalGraphqlClient;

  constructor(client: InternalGraphqlClient) {
    this.#client = client;
  }

  async retrieve(grounding: GroundingInput, query: string, topK: number, context: RequestContext, signal?: AbortSignal): Promise<GroundingRetrieval> {
    const input = {
      collectionId: grounding.collectionId,
      query,
      topK,
      mode: grounding.mode ?? "HYBRID",
      ...(grounding.minScore === undefined || grounding.minScore === null ? {} : { minScore: grounding.minScore }),
      ...(grounding.filters === undefined || grounding.filters === null ? {} : { filters: grounding.filters }),
      ...(grounding.rerank === undefined || grounding.rerank === null ? {} : { rerank: grounding.rerank }),
    };
    const data = await this.#request<SearchData>(searchQuery, { input, collectionId: grounding.collectionId }, context, signal);
    const collectionMinSimilarity = data.collection?.groundingMinSimilarity ?? null;
    let bestSimilarity = data.search.bestSimilarity;
    const threshold = grounding.minSimilarity ?? collectionMinSimilarity;
    if (input.mode === "KEYWORD" && threshold !== null && threshold !== undefined) {
      // A keyword search measures no similarity: one vector hit does, on the same chunks.
      const measured = await this.#request<{ search: { bestSimilarity: number | null } }>(similarityQuery, { input: { ...withoutRerank(input), mode: "VECTOR", topK: 1 } }, context, signal);
      bestSimilarity = measured.search.bestSimilarity;
    }
    const sources = data.search.hits.map((hit) => ({
      chunkId: hit.chunk.id,
      text: hit.chunk.text,
      label: hit.chunk.document.title ?? hit.chunk.document.source,
      headingPath: hit.chunk.headingPath,
      score: hit.score,
    }));
    return { sources, bestSimilarity, collectionMinSimilarity };
  }

  async #request<Data>(query: string, variables: Record<string, unknown>, context: RequestContext, signal?: AbortSignal): Promise<Data> {
    try {
      return await this.#client.request<Data>(query, variables, context, signal);
    } catch (error) {
      // The retrieval subgraph names its own argument (`input.collectionId`); the client sent `input.grounding.…`.
      if (error instanceof ServiceError && typeof error.extensions.field === "string") {
        error.extensions.field = error.extensions.field.replace(/^input\./, "input.grounding.");
      }
      throw error;
    }
  }
}

/** The search input without its reranking: measuring the best similarity needs no reranker. */
function withoutRerank<Input extends { rerank?: unknown }>(input: Input): Omit<Input, "rerank"> {
  const { rerank: _rerank, ...rest } = input;
  return rest;
}

import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import type { InternalGraphqlClient } from "../../../platform/http/internal-graphql-client.ts";
import type { GroundingInput } from "../generated/resolvers-types.ts";
import type { GroundingRetriever, GroundingSource } from "./grounding-source.ts";

const searchQuery = /* GraphQL */ `
  query GroundingSearch($input: SearchInput!) {
    search(input: $input) {
      hits { score chunk { id text headingPath document { source title } } }
    }
  }
`;

interface SearchData {
  search: { hits: { score: number; chunk: { id: string; text: string; headingPath: string[]; document: { source: string; title: string | null } } }[] };
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

  async retrieve(grounding: GroundingInput, query: string, topK: number, context: RequestContext, signal?: AbortSignal): Promise<GroundingSource[]> {
    const input = {
      collectionId: grounding.collectionId,
      query,
      topK,
      mode: grounding.mode ?? "HYBRID",
      ...(grounding.minScore === undefined || grounding.minScore === null ? {} : { minScore: grounding.minScore }),
      ...(grounding.filters === undefined || grounding.filters === null ? {} : { filters: grounding.filters }),
    };
    let data: SearchData;
    try {
      data = await this.#client.request<SearchData>(searchQuery, { input }, context, signal);
    } catch (error) {
      // The retrieval subgraph names its own argument (`input.collectionId`); the client sent `input.grounding.…`.
      if (error instanceof ServiceError && typeof error.extensions.field === "string") {
        error.extensions.field = error.extensions.field.replace(/^input\./, "input.grounding.");
      }
      throw error;
    }
    return data.search.hits.map((hit) => ({
      chunkId: hit.chunk.id,
      text: hit.chunk.text,
      label: hit.chunk.document.title ?? hit.chunk.document.source,
      headingPath: hit.chunk.headingPath,
      score: hit.score,
    }));
  }
}

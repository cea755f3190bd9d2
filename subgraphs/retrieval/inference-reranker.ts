import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { InternalGraphqlClient } from "../../platform/http/internal-graphql-client.ts";
import type { Reranker } from "./reranker.ts";

const rerankQuery = /* GraphQL */ `
  query RetrievalRerank($model: ID!, $query: String!, $documents: [String!]!) {
    rerank(model: $model, query: $query, documents: $documents, truncate: true) { scores }
  }
`;

/** `Reranker` over the inference subgraph's `rerank` query, called with the signed context of the request being served. */
export class InferenceReranker implements Reranker {
  readonly #client: InternalGraphqlClient;

  constructor(client: InternalGraphqlClient) {
    this.#client = client;
  }

  async rerank(model: string, query: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<number[]> {
    if (texts.length === 0) return [];
    const data = await this.#client.request<{ rerank: { scores: number[] } }>(rerankQuery, { model, query, documents: texts }, context, signal);
    // An engine reply is an input boundary too: a short answer would give scores to the wrong chunks.
    if (data.rerank.scores.length !== texts.length) {
      throw new ServiceError(ErrorCode.ServiceUnavailable, `The inference service returned ${data.rerank.scores.length} scores for ${texts.length} texts.`);
    }
    return data.rerank.scores;
  }
}

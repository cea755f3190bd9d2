import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { InternalGraphqlClient } from "../../platform/http/internal-graphql-client.ts";
import type { Embedder } from "./embedder.ts";

const embeddingsQuery = /* GraphQL */ `
  query RetrievalEmbeddings($model: ID!, $texts: [String!]!) {
    embeddings(model: $model, texts: $texts) { dimensions embeddings { index vector } }
  }
`;

const tokenCountsQuery = /* GraphQL */ `
  query RetrievalTokenCounts($model: ID!, $texts: [String!]!) {
    tokenCounts(model: $model, texts: $texts)
  }
`;

interface EmbeddingsData {
  embeddings: { dimensions: number; embeddings: { index: number; vector: number[] }[] };
}

/**
 * `Embedder` over the inference subgraph's GraphQL API, called with the signed context of the
 * request being served. Splits work into calls of at most `maximumTextsPerCall` texts (the
 * inference subgraph's MAX_EMBEDDING_TEXTS, default 256).
 */
export class InferenceEmbedder implements Embedder {
  readonly #client: InternalGraphqlClient;
  readonly #maximumTextsPerCall: number;

  constructor(client: InternalGraphqlClient, maximumTextsPerCall = 256) {
    this.#client = client;
    this.#maximumTextsPerCall = maximumTextsPerCall;
  }

  async embed(modelId: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (const part of this.#parts(texts)) {
      const data = await this.#client.request<EmbeddingsData>(embeddingsQuery, { model: modelId, texts: part }, context, signal);
      const received = data.embeddings.embeddings;
      // An engine reply is an input boundary too: a short or reordered answer would attach vectors to the wrong chunks.
      if (received.length !== part.length || received.some((embedding, index) => embedding.index !== index)) {
        throw new ServiceError(ErrorCode.ServiceUnavailable, `The inference service returned ${received.length} embeddings for ${part.length} texts.`);
      }
      for (const embedding of received) vectors.push(Float32Array.from(embedding.vector));
    }
    return vectors;
  }

  async countTokens(modelId: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<number[]> {
    const counts: number[] = [];
    for (const part of this.#parts(texts)) {
      const data = await this.#client.request<{ tokenCounts: number[] }>(tokenCountsQuery, { model: modelId, texts: part }, context, signal);
      if (data.tokenCounts.length !== part.length) {
        throw new ServiceError(ErrorCode.ServiceUnavailable, `The inference service returned ${data.tokenCounts.length} token counts for ${part.length} texts.`);
      }
      counts.push(...data.tokenCounts);
    }
    return counts;
  }

  *#parts(texts: readonly string[]): Generator<readonly string[]> {
    for (let start = 0; start < texts.length; start += this.#maximumTextsPerCall) yield texts.slice(start, start + this.#maximumTextsPerCall);
  }
}

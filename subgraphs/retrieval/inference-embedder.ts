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
 * inference subgraph's MAX_EMBEDDING_TEXTS, default 256); a call the inference subgraph refuses as
 * REQUEST_TOO_LARGE (its character, token or engine-time bound per call) is halved and sent again,
 * so ingestion fits whatever bounds that service is configured with.
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
      const received = await halvingWhenTooLarge(part, async (texts) => {
        const data = await this.#client.request<EmbeddingsData>(embeddingsQuery, { model: modelId, texts }, context, signal);
        const embeddings = data.embeddings.embeddings;
        // An engine reply is an input boundary too: a short or reordered answer would attach vectors to the wrong chunks.
        if (embeddings.length !== texts.length || embeddings.some((embedding, index) => embedding.index !== index)) {
          throw new ServiceError(ErrorCode.ServiceUnavailable, `The inference service returned ${embeddings.length} embeddings for ${texts.length} texts.`);
        }
        return embeddings.map((embedding) => Float32Array.from(embedding.vector));
      });
      vectors.push(...received);
    }
    return vectors;
  }

  async countTokens(modelId: string, texts: readonly string[], context: RequestContext, signal?: AbortSignal): Promise<number[]> {
    const counts: number[] = [];
    for (const part of this.#parts(texts)) {
      const received = await halvingWhenTooLarge(part, async (texts) => {
        const data = await this.#client.request<{ tokenCounts: number[] }>(tokenCountsQuery, { model: modelId, texts }, context, signal);
        if (data.tokenCounts.length !== texts.length) {
          throw new ServiceError(ErrorCode.ServiceUnavailable, `The inference service returned ${data.tokenCounts.length} token counts for ${texts.length} texts.`);
        }
        return data.tokenCounts;
      });
      counts.push(...received);
    }
    return counts;
  }

  *#parts(texts: readonly string[]): Generator<readonly string[]> {
    for (let start = 0; start < texts.length; start += this.#maximumTextsPerCall) yield texts.slice(start, start + this.#maximumTextsPerCall);
  }
}

/** `call(texts)`, or, when the callee refuses so many at once as REQUEST_TOO_LARGE, each half in turn (a single text's refusal stands). */
async function halvingWhenTooLarge<Result>(texts: readonly string[], call: (texts: readonly string[]) => Promise<Result[]>): Promise<Result[]> {
  try {
    return await call(texts);
  } catch (error) {
    if (!(error instanceof ServiceError) || error.extensions.code !== ErrorCode.RequestTooLarge || texts.length < 2) throw error;
    const middle = Math.ceil(texts.length / 2);
    return [...(await halvingWhenTooLarge(texts.slice(0, middle), call)), ...(await halvingWhenTooLarge(texts.slice(middle), call))];
  }
}

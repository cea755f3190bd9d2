import { z } from "zod";
import type { CacheResultRecord } from "./cache/response-cache.ts";

/** ABSTAINED: grounding abstained with NO_ANSWER, and nothing was generated. */
export const finishReasons = ["STOP", "LENGTH", "CANCELLED", "ABSTAINED"] as const;
export type FinishReason = (typeof finishReasons)[number];

/** A finished completion as kept for `completion(id)` and entity lookups. */
export const completionRecordSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  modelId: z.string(),
  text: z.string(),
  finishReason: z.enum(finishReasons),
  usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative(), estimated: z.literal(true).optional() }),
  latencyMillis: z.number().nonnegative(),
  timeToFirstTokenMillis: z.number().nonnegative().nullable(),
  /** Chunk ids given to the model by grounding, in prompt order. Absent in records kept before grounding existed. */
  citationChunkIds: z.array(z.string()).default([]),
  /** For grounded completions: grounded or abstained, on what evidence. Null otherwise, and in records kept before it existed. */
  grounding: z
    .object({
      status: z.enum(["GROUNDED", "ABSTAINED"]),
      bestSimilarity: z.number().nullable(),
      minSimilarity: z.number().nullable(),
      fallback: z.enum(["NO_ANSWER", "ANSWER_UNGROUNDED"]).nullable(),
    })
    .nullable()
    .default(null),
  /** Cost in millionths of `meteredCurrency`, from the model's pricing when the completion was made. */
  meteredCostMicros: z.number().nonnegative().default(0),
  meteredCurrency: z.string().default("USD"),
  /** Whether it came from the response cache (`Completion.cache`); null when the request did not ask for it, and in records kept before the cache existed. */
  cache: z
    .object({ hit: z.boolean(), kind: z.enum(["EXACT", "SEMANTIC"]).nullable(), ttlSeconds: z.number().int().positive().nullable(), similarity: z.number().optional() })
    .nullable()
    .default(null),
  createdAt: z.string(),
});
export type CompletionRecord = z.infer<typeof completionRecordSchema>;

/** What an embeddings query returns before GraphQL shapes it. */
export interface EmbeddingResultRecord {
  modelId: string;
  dimensions: number;
  vectors: Float32Array[];
  promptTokens: number;
  /** True when some text's count is an estimate. */
  promptTokensEstimated: boolean;
  /** Whether it came from the response cache; null when the call did not ask for it. */
  cache: CacheResultRecord | null;
}

/** What a rerank query returns before GraphQL shapes it. */
export interface RerankResultRecord {
  modelId: string;
  /** One per document, in order, 0 to 1. */
  scores: number[];
  promptTokens: number;
  /** True when some count is an estimate. */
  promptTokensEstimated: boolean;
}

/** Stream events as the subscription resolver yields them, tagged for the union's type resolution. */
export type CompletionStreamEventRecord =
  | { __typename: "TextStartEvent"; completionId: string; modelId: string }
  | { __typename: "TextDeltaEvent"; completionId: string; index: number; text: string }
  | { __typename: "TextEndEvent"; completion: CompletionRecord }
  /** Not a GraphQL type: the field resolver throws it, so the client gets a GraphQL error and the stream ends. */
  | { __typename: "StreamFailure"; error: unknown };

/**
 * The stable `id` of a stream event: `<completionId>:start`, `<completionId>:<index>` for deltas,
 * `<completionId>:end`. Unique across streams (completion ids are), so normalized client caches
 * (Apollo Client, urql's graphcache) keep every event apart.
 */
export function streamEventId(event: Exclude<CompletionStreamEventRecord, { __typename: "StreamFailure" }>): string {
  switch (event.__typename) {
    case "TextStartEvent":
      return `${event.completionId}:start`;
    case "TextDeltaEvent":
      return `${event.completionId}:${event.index}`;
    case "TextEndEvent":
      return `${event.completion.id}:end`;
  }
}

/** A reference to a registry model; the model-registry subgraph resolves its fields. */
export interface ModelReference {
  id: string;
}

/** A reference to a retrieval chunk; the retrieval subgraph resolves its fields. */
export interface ChunkReference {
  id: string;
}

/** A tenant's quota, as the usage subgraph references it; inference reports its current use. */
export interface TenantQuotaReference {
  tenantId: string;
}

import { z } from "zod";
import { integerVariable } from "../../../platform/config/parse-environment.ts";
import type { InMemoryResponseCacheLimits } from "./in-memory-response-cache-store.ts";
import type { ResponseCacheSettings } from "./response-cache.ts";

/** The response cache's settings: the TTL bound (every backend) and the in-memory store's bounds (embedded). */
export interface ResponseCacheConfig extends ResponseCacheSettings, InMemoryResponseCacheLimits {
  /**
   * The model (id or alias) that embeds conversations for the semantic cache (`cache: { minSimilarity }`).
   * SEMANTIC_CACHE_EMBEDDING_MODEL. Default: none (requests asking for it get BAD_USER_INPUT).
   */
  semanticEmbeddingModel: string | undefined;
  /** Most requests indexed per semantic scope (tenant, model version, system prompt, parameters). SEMANTIC_CACHE_MAX_ENTRIES_PER_SCOPE. Default 1,000. */
  semanticMaximumEntriesPerScope: number;
}

export const responseCacheEnvironment = {
  RESPONSE_CACHE_MAX_TTL_SECONDS: integerVariable(86_400, 1, 30 * 86_400),
  RESPONSE_CACHE_MAX_ENTRIES: integerVariable(10_000, 1, 100_000_000),
  RESPONSE_CACHE_MAX_BYTES: integerVariable(64 * 1024 * 1024, 1_024, 1_099_511_627_776),
  SEMANTIC_CACHE_EMBEDDING_MODEL: z.string().min(1).optional(),
  SEMANTIC_CACHE_MAX_ENTRIES_PER_SCOPE: integerVariable(1_000, 1, 100_000),
};

export function toResponseCacheConfig(values: {
  RESPONSE_CACHE_MAX_TTL_SECONDS: number;
  RESPONSE_CACHE_MAX_ENTRIES: number;
  RESPONSE_CACHE_MAX_BYTES: number;
  SEMANTIC_CACHE_EMBEDDING_MODEL?: string | undefined;
  SEMANTIC_CACHE_MAX_ENTRIES_PER_SCOPE: number;
}): ResponseCacheConfig {
  return {
    maximumTtlSeconds: values.RESPONSE_CACHE_MAX_TTL_SECONDS,
    maximumEntries: values.RESPONSE_CACHE_MAX_ENTRIES,
    maximumBytes: values.RESPONSE_CACHE_MAX_BYTES,
    semanticEmbeddingModel: values.SEMANTIC_CACHE_EMBEDDING_MODEL,
    semanticMaximumEntriesPerScope: values.SEMANTIC_CACHE_MAX_ENTRIES_PER_SCOPE,
  };
}

import type { Redis } from "ioredis";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import { InMemoryResponseCacheStore } from "./in-memory-response-cache-store.ts";
import { RedisResponseCacheStore } from "./redis-response-cache-store.ts";
import type { ModelEngines } from "../../../engines/model-engines.ts";
import { InMemorySemanticIndex } from "./in-memory-semantic-index.ts";
import { RedisSemanticIndex } from "./redis-semantic-index.ts";
import { ResponseCache } from "./response-cache.ts";
import { SemanticCache } from "./semantic-cache.ts";
import type { ResponseCacheConfig } from "./response-cache-settings.ts";

/** The response cache on the service's store backend: Redis when STORE_BACKEND=redis (shared by replicas), else in this process's memory. */
/** The semantic cache when SEMANTIC_CACHE_EMBEDDING_MODEL names a model: its index in Redis (shared) or in memory, on the same backend as the response cache. */
export function createSemanticCache(
  config: { responseCache: ResponseCacheConfig; redisKeyPrefix: string },
  redis: Redis | undefined,
  dependencies: { engines: ModelEngines; logger: Logger },
): SemanticCache | undefined {
  const embeddingModel = config.responseCache.semanticEmbeddingModel;
  if (embeddingModel === undefined) return undefined;
  const options = { maximumEntriesPerScope: config.responseCache.semanticMaximumEntriesPerScope };
  const index = redis === undefined ? new InMemorySemanticIndex(options) : new RedisSemanticIndex(redis, config.redisKeyPrefix, options);
  return new SemanticCache({ index, embeddingModel, ...dependencies });
}

export function createResponseCache(config: { responseCache: ResponseCacheConfig; redisKeyPrefix: string }, redis: Redis | undefined, dependencies: { logger: Logger; metrics?: ServiceMetrics }): ResponseCache {
  const store = redis === undefined ? new InMemoryResponseCacheStore(config.responseCache) : new RedisResponseCacheStore(redis, config.redisKeyPrefix);
  return new ResponseCache(store, config.responseCache, dependencies);
}

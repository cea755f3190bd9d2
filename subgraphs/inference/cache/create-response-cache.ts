import type { Redis } from "ioredis";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import { InMemoryResponseCacheStore } from "./in-memory-response-cache-store.ts";
import { RedisResponseCacheStore } from "./redis-response-cache-store.ts";
import { ResponseCache } from "./response-cache.ts";
import type { ResponseCacheConfig } from "./response-cache-settings.ts";

/** The response cache on the service's store backend: Redis when STORE_BACKEND=redis (shared by replicas), else in this process's memory. */
export function createResponseCache(config: { responseCache: ResponseCacheConfig; redisKeyPrefix: string }, redis: Redis | undefined, dependencies: { logger: Logger; metrics?: ServiceMetrics }): ResponseCache {
  const store = redis === undefined ? new InMemoryResponseCacheStore(config.responseCache) : new RedisResponseCacheStore(redis, config.redisKeyPrefix);
  return new ResponseCache(store, config.responseCache, dependencies);
}

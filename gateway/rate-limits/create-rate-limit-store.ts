import type { SharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { InMemoryRateLimitStore } from "./in-memory-rate-limit-store.ts";
import type { RateLimitStore } from "./rate-limit-store.ts";
import { RedisRateLimitStore } from "./redis-rate-limit-store.ts";

/** In memory on embedded defaults (one gateway process); in Redis, shared by every replica, with `STORE_BACKEND=redis`. */
export function createRateLimitStore(config: { redisKeyPrefix: string }, infrastructure: SharedInfrastructure): RateLimitStore {
  return infrastructure.redis === undefined ? new InMemoryRateLimitStore() : new RedisRateLimitStore(infrastructure.redis, config.redisKeyPrefix);
}

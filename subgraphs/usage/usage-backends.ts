import type { CommonConfig } from "../../platform/config/common-config.ts";
import type { SharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { EmbeddedQuotaStore } from "./quota/embedded-quota-store.ts";
import type { QuotaStore, QuotaStoreOptions } from "./quota/quota-store.ts";
import { RedisQuotaStore } from "./quota/redis-quota-store.ts";
import { EmbeddedUsageStore } from "./store/embedded-usage-store.ts";
import { RedisUsageStore } from "./store/redis-usage-store.ts";
import type { UsageStore } from "./store/usage-store.ts";

/**
 * The quota store of the configured backend. The inference subgraph enforces with it; the usage
 * subgraph sets limits with it. On embedded defaults limits live in a file both read and the
 * counters in the inference process; with Redis, both in Redis.
 */
export function createQuotaStore(config: CommonConfig, infrastructure: SharedInfrastructure, options: QuotaStoreOptions = {}): QuotaStore {
  return infrastructure.redis === undefined ? new EmbeddedQuotaStore(config.dataDirectory, options) : new RedisQuotaStore(infrastructure.redis, config.redisKeyPrefix, options);
}

/**
 * Event ids the embedded store remembers. Its in-process queue never redelivers an applied batch
 * (a failed apply writes nothing), so an hour of de-duplication is plenty, and it keeps the file
 * (rewritten on every apply) small.
 */
const embeddedEventRetentionMillis = 3_600_000;

/**
 * The aggregated usage of the configured backend: written by the aggregator, read by the usage
 * subgraph. `redisEventRetentionMillis` is USAGE_EVENT_RETENTION_SECONDS (the Redis store's
 * de-duplication window; the embedded store keeps its own hour).
 */
export function createUsageStore(config: CommonConfig, infrastructure: SharedInfrastructure, redisEventRetentionMillis?: number): UsageStore {
  return infrastructure.redis === undefined
    ? new EmbeddedUsageStore(config.dataDirectory, { eventRetentionMillis: embeddedEventRetentionMillis })
    : new RedisUsageStore(infrastructure.redis, config.redisKeyPrefix, redisEventRetentionMillis === undefined ? {} : { eventRetentionMillis: redisEventRetentionMillis });
}

import type { Redis } from "ioredis";
import type { CommonConfig } from "../config/common-config.ts";
import type { Logger } from "../logging/logger.ts";
import { InMemoryPubSub } from "../pubsub/in-memory-pubsub.ts";
import type { PubSub } from "../pubsub/pubsub.ts";
import { RedisPubSub } from "../pubsub/redis-pubsub.ts";
import { lockDataDirectory } from "./data-directory-lock.ts";
import { createRedisConnection } from "./redis-connection.ts";

/** The shared state a service's stores are built on: one Redis connection (or none) and pub/sub. */
export interface SharedInfrastructure {
  /** Set when the store backend is Redis. */
  redis: Redis | undefined;
  pubsub: PubSub;
  close(): Promise<void>;
}

export interface SharedInfrastructureOptions {
  /**
   * The service that owns the embedded stores it opens (`inference`, `gateway`...). With embedded
   * stores, its process locks `<DATA_DIR>/locks/<owner>.lock` until `close` (see
   * `lockDataDirectory`): a second process of that service on the same data directory is refused.
   * Default: no lock (command-line tools, which write alongside a running service by design).
   */
  owner?: string;
}

export async function connectSharedInfrastructure(config: CommonConfig, logger: Logger, options: SharedInfrastructureOptions = {}): Promise<SharedInfrastructure> {
  if (config.storeBackend === "embedded") {
    const lock = options.owner === undefined ? undefined : lockDataDirectory(config.dataDirectory, options.owner);
    const pubsub = new InMemoryPubSub();
    return {
      redis: undefined,
      pubsub,
      close: async () => {
        try {
          await pubsub.close();
        } finally {
          lock?.release();
        }
      },
    };
  }
  if (config.redisUrl === undefined) throw new Error("REDIS_URL is required when STORE_BACKEND=redis");
  const redis = createRedisConnection(config.redisUrl);
  redis.on("error", (error: Error) => logger.warn("redis connection error", { error: error.message }));
  const pubsub = new RedisPubSub(redis, config.redisKeyPrefix, logger);
  return {
    redis,
    pubsub,
    close: async () => {
      await pubsub.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

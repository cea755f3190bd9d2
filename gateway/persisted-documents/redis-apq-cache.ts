import type { Redis } from "ioredis";

/** Seconds an automatically persisted query stays in Redis when Apollo gives no TTL: 7 days. */
const defaultTtlSeconds = 7 * 24 * 3600;

/**
 * Apollo's automatic persisted queries (APQ) in Redis, so a hash registered through one gateway
 * replica is known to all. Structurally Apollo Server's `KeyValueCache<string>`; errors read as
 * misses (Apollo then asks the client for the full document), never as failures.
 */
export class RedisApqCache {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}gateway:apq:`;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.#redis.get(this.#prefix + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl === null || options?.ttl === undefined ? defaultTtlSeconds : Math.max(1, Math.round(options.ttl));
    try {
      await this.#redis.set(this.#prefix + key, value, "EX", ttl);
    } catch {
      // A lost registration costs one more round trip for the client, nothing else.
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.#redis.del(this.#prefix + key)) === 1;
    } catch {
      return false;
    }
  }
}

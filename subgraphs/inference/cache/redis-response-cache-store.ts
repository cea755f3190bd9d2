import type { Redis } from "ioredis";
import { withRedis } from "../../../platform/storage/redis-connection.ts";
import type { ResponseCacheStore } from "./response-cache-store.ts";

/**
 * The response cache in Redis, shared by every inference replica: one string key per entry
 * (`<REDIS_KEY_PREFIX>inference:response-cache:<key>`), written with `SET ... EX`, so Redis
 * expires it; under memory pressure Redis's own eviction policy applies.
 */
export class RedisResponseCacheStore implements ResponseCacheStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}inference:response-cache:`;
  }

  get(key: string): Promise<string | undefined> {
    return withRedis(async () => (await this.#redis.get(this.#prefix + key)) ?? undefined);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return withRedis(async () => {
      await this.#redis.set(this.#prefix + key, value, "EX", ttlSeconds);
    });
  }

  checkHealth(): Promise<void> {
    return withRedis(async () => {
      await this.#redis.ping();
    });
  }

  /** The connection belongs to the service's shared infrastructure, which closes it. */
  async close(): Promise<void> {}
}

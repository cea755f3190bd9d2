import type { Redis } from "ioredis";
import { withRedis } from "../../platform/storage/redis-connection.ts";
import type { PersistedDocumentStore } from "./persisted-document-store.ts";

/** The manifest in one Redis hash (id → document), shared by every gateway replica. */
export class RedisPersistedDocumentStore implements PersistedDocumentStore {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#key = `${keyPrefix}gateway:persisted-documents`;
  }

  find(id: string): Promise<string | undefined> {
    return withRedis(async () => (await this.#redis.hget(this.#key, id)) ?? undefined);
  }

  add(documents: Readonly<Record<string, string>>): Promise<number> {
    return withRedis(async () => {
      if (Object.keys(documents).length > 0) await this.#redis.hset(this.#key, documents);
      return this.#redis.hlen(this.#key);
    });
  }

  count(): Promise<number> {
    return withRedis(() => this.#redis.hlen(this.#key));
  }
}

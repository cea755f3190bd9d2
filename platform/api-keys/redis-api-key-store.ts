import type { Redis } from "ioredis";
import { withRedis } from "../storage/redis-connection.ts";
import { apiKeyRecordSchema, type ApiKeyRecord } from "./api-key.ts";
import type { ApiKeyStore } from "./api-key-store.ts";

/** API keys in one Redis hash, key hash → record JSON, shared by every gateway replica. */
export class RedisApiKeyStore implements ApiKeyStore {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#key = `${keyPrefix}gateway:api-keys`;
  }

  findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return withRedis(async () => {
      const json = await this.#redis.hget(this.#key, hash);
      return json === null ? undefined : parse(json);
    });
  }

  create(record: ApiKeyRecord): Promise<void> {
    return withRedis(async () => {
      await this.#redis.hset(this.#key, record.hash, JSON.stringify(record));
    });
  }

  list(): Promise<ApiKeyRecord[]> {
    return withRedis(async () => (await this.#redis.hvals(this.#key)).map(parse));
  }

  setRoles(id: string, roles: ApiKeyRecord["roles"]): Promise<boolean> {
    return withRedis(async () => {
      const record = (await this.list()).find((candidate) => candidate.id === id);
      if (record === undefined) return false;
      await this.#redis.hset(this.#key, record.hash, JSON.stringify({ ...record, roles: [...roles] }));
      return true;
    });
  }

  revoke(id: string): Promise<boolean> {
    return withRedis(async () => {
      const record = (await this.list()).find((candidate) => candidate.id === id);
      if (record === undefined) return false;
      return (await this.#redis.hdel(this.#key, record.hash)) === 1;
    });
  }

  count(): Promise<number> {
    return withRedis(() => this.#redis.hlen(this.#key));
  }

  checkHealth(): Promise<void> {
    return withRedis(async () => {
      await this.#redis.ping();
    });
  }

  async close(): Promise<void> {}
}

function parse(json: string): ApiKeyRecord {
  return apiKeyRecordSchema.parse(JSON.parse(json)) as ApiKeyRecord;
}

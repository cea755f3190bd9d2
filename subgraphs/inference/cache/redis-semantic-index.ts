import type { Redis } from "ioredis";
import { cosineSimilarity, type SemanticIndex, type SemanticMatch } from "./semantic-index.ts";

export interface RedisSemanticIndexOptions {
  /** Most entries kept per scope; those expiring first go first. Default 1,000. */
  maximumEntriesPerScope?: number;
  now?: () => number;
}

/**
 * The semantic index in Redis, shared by every inference replica: one hash per scope,
 * `<prefix>inference:semantic-cache:<scope>`, field = the exact cache key, value = its expiry
 * (epoch milliseconds) and vector (float32, base64). A lookup reads its scope's hash (at most
 * `maximumEntriesPerScope` entries: 384 dimensions take about 2 KB each) and compares in this
 * process; the hash expires with its longest-lived entry.
 */
export class RedisSemanticIndex implements SemanticIndex {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maximumEntriesPerScope: number;
  readonly #now: () => number;

  constructor(redis: Redis, keyPrefix: string, options: RedisSemanticIndexOptions = {}) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}inference:semantic-cache:`;
    this.#maximumEntriesPerScope = options.maximumEntriesPerScope ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  async nearest(scope: string, vector: Float32Array, minSimilarity: number): Promise<SemanticMatch | undefined> {
    const entries = await this.#redis.hgetall(this.#prefix + scope);
    const now = this.#now();
    const expired: string[] = [];
    let best: SemanticMatch | undefined;
    for (const [key, value] of Object.entries(entries)) {
      const entry = decode(value);
      if (entry === undefined || entry.expiresAtMillis <= now) {
        expired.push(key);
        continue;
      }
      const similarity = cosineSimilarity(vector, entry.vector);
      if (similarity >= minSimilarity && (best === undefined || similarity > best.similarity)) best = { key, similarity };
    }
    if (expired.length > 0) await this.#redis.hdel(this.#prefix + scope, ...expired);
    return best;
  }

  async add(scope: string, key: string, vector: Float32Array, ttlSeconds: number): Promise<void> {
    const hashKey = this.#prefix + scope;
    const expiresAtMillis = this.#now() + ttlSeconds * 1_000;
    const [, [, size]] = (await this.#redis
      .multi()
      .hset(hashKey, key, encode(vector, expiresAtMillis))
      .hlen(hashKey)
      // NX for a new hash, GT after that: the hash lives as long as its longest entry.
      .pexpire(hashKey, ttlSeconds * 1_000, "NX")
      .pexpire(hashKey, ttlSeconds * 1_000, "GT")
      .exec()) as [[Error | null, unknown], [Error | null, unknown], ...unknown[]];
    if (Number(size) <= this.#maximumEntriesPerScope) return;
    const entries = Object.entries(await this.#redis.hgetall(hashKey)).map(([field, value]) => ({ field, expiresAtMillis: decode(value)?.expiresAtMillis ?? 0 }));
    entries.sort((left, right) => left.expiresAtMillis - right.expiresAtMillis);
    const surplus = entries.slice(0, entries.length - this.#maximumEntriesPerScope).map((entry) => entry.field);
    if (surplus.length > 0) await this.#redis.hdel(hashKey, ...surplus);
  }
}

function encode(vector: Float32Array, expiresAtMillis: number): string {
  return `${expiresAtMillis}:${Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64")}`;
}

function decode(value: string): { expiresAtMillis: number; vector: Float32Array } | undefined {
  const separator = value.indexOf(":");
  if (separator === -1) return undefined;
  const bytes = Buffer.from(value.slice(separator + 1), "base64");
  if (bytes.byteLength % 4 !== 0) return undefined;
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return { expiresAtMillis: Number(value.slice(0, separator)), vector };
}

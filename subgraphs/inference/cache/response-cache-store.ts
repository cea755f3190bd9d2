/**
 * Where the exact response cache keeps its entries: opaque string values under opaque keys (the
 * SHA-256 of tenant, model version and normalised request), each with an expiry. Implementations:
 * `InMemoryResponseCacheStore` (embedded defaults, bounded LRU per process) and
 * `RedisResponseCacheStore` (STORE_BACKEND=redis, shared by every replica). One contract test runs
 * against both (test/subgraphs/inference/response-cache-store.test.ts).
 */
export interface ResponseCacheStore {
  /** The value stored under `key`, or undefined when there is none or it expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlSeconds` seconds, replacing any earlier value. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

import { z } from "zod";
import type { GenerationParameters } from "../../../engines/engine.ts";
import { badUserInput } from "../../../platform/errors/service-error.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import { defineCacheMetrics, recordCacheEvent, type CacheKindLabel, type CacheOperationLabel } from "../../../platform/metrics/cache-metrics.ts";
import type { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import { countStoreError } from "../../../platform/metrics/store-metrics.ts";
import type { ResponseCacheStore } from "./response-cache-store.ts";

/** What `Completion.cache` and `EmbeddingResult.cache` report. */
export interface CacheResultRecord {
  hit: boolean;
  /** `EXACT` or `SEMANTIC` on a hit, null on a miss. */
  kind: "EXACT" | "SEMANTIC" | null;
  /** Seconds the answer stays cached: what is left on a hit, the TTL stored on a miss, null when not stored. */
  ttlSeconds: number | null;
  /** A SEMANTIC hit's cosine similarity between the two requests; absent otherwise. */
  similarity?: number;
}

const completionEntrySchema = z.object({
  text: z.string(),
  finishReason: z.enum(["STOP", "LENGTH"]),
  usage: z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative(), estimated: z.literal(true).optional() }),
  storedAtMillis: z.number(),
  expiresAtMillis: z.number(),
});
/** A cached completion: its text, why it ended, and the tokens it took when it was generated. */
export type CachedCompletion = Omit<z.infer<typeof completionEntrySchema>, "storedAtMillis" | "expiresAtMillis">;

const embeddingsEntrySchema = z.object({
  dimensions: z.number().int().nonnegative(),
  /** Every vector's float32 values, one after another, little-endian, in base64. */
  vectors: z.string(),
  promptTokens: z.number().int().nonnegative(),
  promptTokensEstimated: z.boolean(),
  storedAtMillis: z.number(),
  expiresAtMillis: z.number(),
});
/** A cached embeddings call: the vectors and the tokens the texts took. */
export interface CachedEmbeddings {
  dimensions: number;
  vectors: Float32Array[];
  promptTokens: number;
  promptTokensEstimated: boolean;
}

/** A cached answer found for a request, with what `cache` reports for it. */
export interface CacheHit<Answer> {
  answer: Answer;
  result: CacheResultRecord;
}

export interface ResponseCacheSettings {
  /** Longest `ttlSeconds` a request may ask for. RESPONSE_CACHE_MAX_TTL_SECONDS, default 86,400 (a day). */
  maximumTtlSeconds: number;
}

/**
 * The exact response cache: typed entries over a `ResponseCacheStore` under keys from
 * `response-cache-key.ts`. A cached answer is served only if it is no older than the request's
 * `ttlSeconds`. The cache never fails a request: a store that cannot be reached, or an entry that
 * does not parse, is a miss (counted in `store_errors_total{store="response-cache"}` and logged), and
 * an answer that cannot be stored is simply not cached.
 */
export class ResponseCache {
  readonly #store: ResponseCacheStore;
  readonly #settings: ResponseCacheSettings;
  readonly #logger: Logger;
  readonly #metrics: ServiceMetrics | undefined;
  readonly #now: () => number;

  constructor(store: ResponseCacheStore, settings: ResponseCacheSettings, dependencies: { logger: Logger; metrics?: ServiceMetrics; now?: () => number }) {
    this.#store = store;
    this.#settings = settings;
    this.#logger = dependencies.logger;
    this.#metrics = dependencies.metrics;
    this.#now = dependencies.now ?? Date.now;
    // Declared from the start, so dashboards find the series before the first cached request.
    dependencies.metrics?.concern(defineCacheMetrics);
  }

  /**
   * The TTL of the model's default (`responseCacheTtlSeconds`), capped at the maximum, for a request
   * that gave no `cache` argument (undefined); none for one that gave `cache: null`, or a model without one.
   */
  defaultTtlOf(cache: null | undefined, model: { responseCacheTtlSeconds?: number | undefined }): number | undefined {
    if (cache === null || model.responseCacheTtlSeconds === undefined) return undefined;
    return Math.min(model.responseCacheTtlSeconds, this.#settings.maximumTtlSeconds);
  }

  /** The request's TTL checked (BAD_USER_INPUT at `field` outside 1 to the maximum); undefined when it asked for no cache. */
  ttlOf(cache: { ttlSeconds: number } | null | undefined, field: string): number | undefined {
    if (cache === null || cache === undefined) return undefined;
    const { ttlSeconds } = cache;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > this.#settings.maximumTtlSeconds) {
      throw badUserInput(`${field}.ttlSeconds`, `ttlSeconds must be between 1 and ${this.#settings.maximumTtlSeconds}, got ${ttlSeconds}.`);
    }
    return ttlSeconds;
  }

  /** `kind`: how the key was found, for the metrics (`semantic`: the key of a paraphrase's answer). Default `exact`. */
  async findCompletion(key: string, ttlSeconds: number, tenantId: string, operation: "completion" | "stream", kind: CacheKindLabel = "exact"): Promise<CacheHit<CachedCompletion> | undefined> {
    const entry = await this.#find(key, ttlSeconds, completionEntrySchema, tenantId, operation, kind);
    if (entry === undefined) return undefined;
    const { storedAtMillis: _stored, expiresAtMillis, ...answer } = entry;
    return { answer, result: this.#hitResult(expiresAtMillis) };
  }

  /** Keeps a finished completion for `ttlSeconds`; what `cache` reports for it. */
  storeCompletion(key: string, ttlSeconds: number, answer: CachedCompletion, tenantId: string, operation: "completion" | "stream"): Promise<CacheResultRecord> {
    return this.#write(key, ttlSeconds, (storedAtMillis, expiresAtMillis) => ({ ...answer, storedAtMillis, expiresAtMillis }), tenantId, operation);
  }

  async findEmbeddings(key: string, ttlSeconds: number, tenantId: string): Promise<CacheHit<CachedEmbeddings> | undefined> {
    const entry = await this.#find(key, ttlSeconds, embeddingsEntrySchema, tenantId, "embeddings");
    if (entry === undefined) return undefined;
    const bytes = Buffer.from(entry.vectors, "base64");
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / Float32Array.BYTES_PER_ELEMENT).slice();
    const count = entry.dimensions === 0 ? 0 : all.length / entry.dimensions;
    const vectors = Array.from({ length: count }, (_unused, index) => all.slice(index * entry.dimensions, (index + 1) * entry.dimensions));
    return { answer: { dimensions: entry.dimensions, vectors, promptTokens: entry.promptTokens, promptTokensEstimated: entry.promptTokensEstimated }, result: this.#hitResult(entry.expiresAtMillis) };
  }

  storeEmbeddings(key: string, ttlSeconds: number, answer: CachedEmbeddings, tenantId: string): Promise<CacheResultRecord> {
    const joined = new Float32Array(answer.vectors.reduce((sum, vector) => sum + vector.length, 0));
    let offset = 0;
    for (const vector of answer.vectors) {
      joined.set(vector, offset);
      offset += vector.length;
    }
    const vectors = Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength).toString("base64");
    return this.#write(
      key,
      ttlSeconds,
      (storedAtMillis, expiresAtMillis) => ({ dimensions: answer.dimensions, vectors, promptTokens: answer.promptTokens, promptTokensEstimated: answer.promptTokensEstimated, storedAtMillis, expiresAtMillis }),
      tenantId,
      "embeddings",
    );
  }

  checkHealth(): Promise<void> {
    return this.#store.checkHealth();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  async #find<Entry extends { storedAtMillis: number; expiresAtMillis: number }>(
    key: string,
    ttlSeconds: number,
    schema: z.ZodType<Entry>,
    tenantId: string,
    operation: CacheOperationLabel,
    kind: CacheKindLabel = "exact",
  ): Promise<Entry | undefined> {
    let entry: Entry | undefined;
    try {
      const stored = await this.#store.get(key);
      entry = stored === undefined ? undefined : schema.parse(JSON.parse(stored));
    } catch (error) {
      this.#failed("get", error);
      entry = undefined;
    }
    const now = this.#now();
    // An answer older than this request accepts, or past its own expiry, is a miss.
    const usable = entry !== undefined && now - entry.storedAtMillis <= ttlSeconds * 1000 && entry.expiresAtMillis > now;
    this.#count(usable ? "hit" : "miss", tenantId, operation, kind);
    return usable ? entry : undefined;
  }

  async #write(key: string, ttlSeconds: number, entryAt: (storedAtMillis: number, expiresAtMillis: number) => unknown, tenantId: string, operation: CacheOperationLabel): Promise<CacheResultRecord> {
    const storedAtMillis = this.#now();
    try {
      await this.#store.set(key, JSON.stringify(entryAt(storedAtMillis, storedAtMillis + ttlSeconds * 1000)), ttlSeconds);
    } catch (error) {
      this.#failed("set", error);
      return { hit: false, kind: null, ttlSeconds: null };
    }
    this.#count("store", tenantId, operation);
    return { hit: false, kind: null, ttlSeconds };
  }

  #hitResult(expiresAtMillis: number): CacheResultRecord {
    return { hit: true, kind: "EXACT", ttlSeconds: Math.max(1, Math.ceil((expiresAtMillis - this.#now()) / 1000)) };
  }

  #count(event: "hit" | "miss" | "store", tenantId: string, operation: CacheOperationLabel, kind: CacheKindLabel = "exact"): void {
    if (this.#metrics !== undefined) recordCacheEvent(this.#metrics, event, kind, operation, tenantId);
  }

  #failed(kind: "get" | "set", error: unknown): void {
    if (this.#metrics !== undefined) countStoreError(this.#metrics, "response-cache", kind);
    this.#logger.warn(`response cache ${kind} failed; the request goes on without the cache`, { error });
  }
}

/** Whether a generation gives the same text every time it runs alone: greedy (temperature 0) or seeded. */
export function isDeterministic(parameters: GenerationParameters): boolean {
  return parameters.temperature === 0 || parameters.seed !== undefined;
}

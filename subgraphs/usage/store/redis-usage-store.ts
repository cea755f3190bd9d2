import type { Redis } from "ioredis";
import { withRedis } from "../../../platform/storage/redis-connection.ts";
import type { UsageEvent } from "../usage-event.ts";
import { compareBuckets, hourStartMillisOf, matchesQuery, queryHourRange, statusCounter } from "./hourly-buckets.ts";
import { emptyHistogram, latencyBucketIndex } from "./latency-histogram.ts";
import { defineUsageStoreCommands, keyComponent } from "./redis-usage-scripts.ts";
import { resolveUsageStoreOptions, type UsageStoreOptions } from "./usage-store-options.ts";
import type { UsageBucket, UsageQuery, UsageStore } from "./usage-store.ts";

/** How many events one pipeline applies, and how many buckets one pipeline reads. */
const pipelineBatchSize = 500;

/** One script call: the keys and arguments of the `usageApplyEvent` script. */
interface ScriptCall {
  keys: string[];
  args: string[];
}

/**
 * Aggregated usage in Redis, shared by every usage replica: one Lua script per event (see
 * redis-usage-scripts.ts) checks its id and adds it to its hourly bucket atomically; a batch is
 * sent as pipelines of script calls. A batch is not atomic as a whole (a failure may leave part of
 * it applied), which is harmless: the batch is retried and the applied part counts as duplicates.
 */
export class RedisUsageStore implements UsageStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #options: Required<UsageStoreOptions>;

  /** `redis` stays owned by the caller; `keyPrefix` namespaces every key (for example `aigraph:`). */
  constructor(redis: Redis, keyPrefix: string, options: UsageStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    this.#options = resolveUsageStoreOptions(options);
    defineUsageStoreCommands(redis);
  }

  apply(events: readonly UsageEvent[]): Promise<{ applied: number; duplicates: number }> {
    return withRedis(async () => {
      const now = this.#options.now();
      let applied = 0;
      for (let start = 0; start < events.length; start += pipelineBatchSize) {
        const replies = await this.#runScripts(events.slice(start, start + pipelineBatchSize).map((event) => this.#scriptCall(event, now)));
        applied += replies.filter((reply) => reply === 1).length;
      }
      return { applied, duplicates: events.length - applied };
    });
  }

  buckets(query: UsageQuery): Promise<UsageBucket[]> {
    return withRedis(async () => {
      const { fromMillis, toMillis } = queryHourRange(query);
      if (toMillis <= fromMillis) return [];
      const index = query.tenantId === undefined ? this.#allIndexKey() : this.#tenantIndexKey(query.tenantId);
      const keys = await this.#redis.zrangebyscore(index, fromMillis, `(${toMillis}`);
      const buckets: UsageBucket[] = [];
      for (let start = 0; start < keys.length; start += pipelineBatchSize) {
        const pipeline = this.#redis.pipeline();
        for (const key of keys.slice(start, start + pipelineBatchSize)) pipeline.hgetall(key);
        for (const [error, fields] of (await pipeline.exec()) ?? []) {
          if (error !== null) throw error;
          const bucket = parseBucket(fields);
          // A bucket that expired leaves its index entry until the next write trims it.
          if (bucket !== undefined && matchesQuery(query, bucket.tenantId, bucket.modelId, Date.parse(bucket.hourStart))) buckets.push(bucket);
        }
      }
      return buckets.sort(compareBuckets);
    });
  }

  checkHealth(): Promise<void> {
    return withRedis(async () => {
      await this.#redis.ping();
    });
  }

  async close(): Promise<void> {
    // The connection belongs to the caller, who may share it with other stores.
  }

  #scriptCall(event: UsageEvent, now: number): ScriptCall {
    const hourStartMillis = hourStartMillisOf(event);
    const bucketExpiresAtMillis = hourStartMillis + this.#options.bucketRetentionMillis;
    const hourStart = new Date(hourStartMillis).toISOString();
    // `requests` is incremented by the script itself; zero increments are left out.
    const increments: [field: string, amount: number][] = [
      [statusCounter[event.status], 1],
      ["cacheHits", event.cacheHit === true ? 1 : 0],
      ["promptTokens", event.promptTokens],
      ["completionTokens", event.completionTokens],
      ["costMicros", event.costMicros],
      [`l${latencyBucketIndex(event.latencyMillis)}`, 1],
    ];
    const nonZero = increments.filter(([, amount]) => amount !== 0);
    const timeToFirstToken = event.timeToFirstTokenMillis === null ? [] : [`t${latencyBucketIndex(event.timeToFirstTokenMillis)}`, "1"];
    return {
      keys: [
        `${this.#prefix}usage-event:${event.eventId}`,
        `${this.#prefix}usage-bucket:${keyComponent(event.tenantId)}:${keyComponent(event.modelId)}:${hourStart}`,
        this.#tenantIndexKey(event.tenantId),
        this.#allIndexKey(),
      ],
      args: [
        String(this.#options.eventRetentionMillis),
        // Past its retention a bucket would be dropped at once; the event still counts as applied.
        bucketExpiresAtMillis > now ? "1" : "0",
        String(bucketExpiresAtMillis),
        String(hourStartMillis),
        String(now - this.#options.bucketRetentionMillis),
        String(now),
        event.tenantId,
        event.modelId,
        hourStart,
        event.currency,
        ...nonZero.flatMap(([field, amount]) => [field, String(amount)]),
        ...timeToFirstToken,
      ],
    };
  }

  /** Runs script calls in one pipeline (ioredis sends EVALSHA, and the source again after a NOSCRIPT: a restarted or flushed server). */
  async #runScripts(calls: readonly ScriptCall[]): Promise<unknown[]> {
    const pipeline = this.#redis.pipeline();
    for (const call of calls) pipeline.usageApplyEvent(...call.keys, ...call.args);
    const replies = ((await pipeline.exec()) ?? []).map(([error, reply]) => error ?? reply);
    for (const reply of replies) if (reply instanceof Error) throw reply;
    return replies;
  }

  #tenantIndexKey(tenantId: string): string {
    return `${this.#allIndexKey()}:${keyComponent(tenantId)}`;
  }

  #allIndexKey(): string {
    return `${this.#prefix}usage-buckets-by-hour`;
  }
}

/** `l<i>`: latency count of histogram bucket i; `t<i>`: time to first token. */
const histogramField = /^([lt])(\d{1,3})$/;

/** A bucket from its hash; undefined for an empty (expired) one. */
function parseBucket(fields: unknown): UsageBucket | undefined {
  if (typeof fields !== "object" || fields === null) return undefined;
  const hash = fields as Record<string, string | undefined>;
  if (hash.tenantId === undefined || hash.modelId === undefined || hash.hourStart === undefined) return undefined;
  const count = (field: string) => Number(hash[field] ?? 0);
  const latency = emptyHistogram();
  const timeToFirstToken = emptyHistogram();
  for (const [field, value] of Object.entries(hash)) {
    const match = histogramField.exec(field);
    if (match === null) continue;
    const histogram = match[1] === "l" ? latency : timeToFirstToken;
    const index = Number(match[2]);
    if (index < histogram.length) histogram[index] = Number(value);
  }
  return {
    tenantId: hash.tenantId,
    modelId: hash.modelId,
    hourStart: hash.hourStart,
    requests: count("requests"),
    succeeded: count("succeeded"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    cacheHits: count("cacheHits"),
    promptTokens: count("promptTokens"),
    completionTokens: count("completionTokens"),
    costMicros: count("costMicros"),
    currency: hash.currency ?? "",
    latency,
    timeToFirstToken,
  };
}

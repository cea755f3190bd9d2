import type { UsageEvent } from "../usage-event.ts";

/** Latency histogram: counts per bucket of `latencyBucketBoundsMillis` (upper bounds); the last bucket is open-ended. */
export type LatencyHistogram = number[];

/** Totals of one tenant, one model, one UTC hour. */
export interface UsageBucket {
  tenantId: string;
  modelId: string;
  /** ISO 8601 start of the hour, UTC (`2026-11-22T05:00:00.000Z`). */
  hourStart: string;
  requests: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Of `succeeded`: answered from the response cache. */
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  /** Millionths of `currency`. */
  costMicros: number;
  currency: string;
  latency: LatencyHistogram;
  /** Of streamed calls that produced a token. */
  timeToFirstToken: LatencyHistogram;
}

export interface UsageQuery {
  /** Only this tenant; every tenant when undefined (admins). */
  tenantId?: string;
  modelId?: string;
  /** Inclusive, rounded down to the hour. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/**
 * Aggregated usage. Two implementations share one contract suite: a JSON file under the data
 * directory (embedded defaults, one writer process) and Redis (Lua makes each event's
 * "seen before?" check and its increments one atomic step).
 */
export interface UsageStore {
  /**
   * Adds each event to its hourly bucket exactly once, by `eventId`: an event applied before
   * (within `eventRetentionMillis`) changes nothing. Returns how many were new.
   */
  apply(events: readonly UsageEvent[]): Promise<{ applied: number; duplicates: number }>;
  /** Hourly buckets matching the query, ordered by hour, then tenant, then model. */
  buckets(query: UsageQuery): Promise<UsageBucket[]>;
  /** Resolves when the store can serve requests. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

import { z } from "zod";

/** The limits a tenant can be given; null means unlimited. Limits are whole numbers, zero or more. */
export interface TenantQuota {
  tenantId: string;
  /** Prompt plus completion tokens per UTC minute. */
  tokensPerMinute: number | null;
  /** Prompt plus completion tokens per UTC day. */
  tokensPerDay: number | null;
  /** Spend per UTC calendar month, in millionths of the models' currency. */
  costMicrosPerMonth: number | null;
  /** Streams (completionStream subscriptions) running at once. */
  concurrentStreams: number | null;
  /** ISO 8601. */
  updatedAt: string;
}

/** What both stores accept from `setQuota` and hold (the embedded file, the Redis hash), checked again on every read. */
export const tenantQuotaSchema: z.ZodType<TenantQuota> = z.object({
  tenantId: z.string().min(1).max(200),
  tokensPerMinute: quotaAmount().nullable(),
  tokensPerDay: quotaAmount().nullable(),
  costMicrosPerMonth: quotaAmount().nullable(),
  concurrentStreams: quotaAmount().nullable(),
  updatedAt: z.iso.datetime({ offset: true }),
});

/** Every limit, in the order `reserve` checks them. */
export const quotaLimitNames = ["TOKENS_PER_MINUTE", "TOKENS_PER_DAY", "COST_PER_MONTH", "CONCURRENT_STREAMS"] as const satisfies readonly QuotaLimitName[];

export type QuotaLimitName = "TOKENS_PER_MINUTE" | "TOKENS_PER_DAY" | "COST_PER_MONTH" | "CONCURRENT_STREAMS";

export interface ReservationRequest {
  /** Unique; the stream slot is held under it. */
  reservationId: string;
  tenantId: string;
  /** Estimated tokens: the prompt's plus `maxTokens`. A whole number, zero or more. */
  tokens: number;
  /** Estimated cost in millionths: prompt at the input price plus `maxTokens` at the output price. A whole number, zero or more (counters are integers). */
  costMicros: number;
  /** Holds a concurrent-stream slot until settled (or until `streamLeaseMillis` passes without a renewal, if the holder died). */
  stream: boolean;
  /** Epoch milliseconds: decides the minute, day and month windows. */
  nowMillis: number;
}

/** What a granted reservation counted, so `settle` corrects the same windows even after they rolled over. */
export interface Reservation {
  reservationId: string;
  tenantId: string;
  tokens: number;
  costMicros: number;
  stream: boolean;
  /** Window ids the reservation incremented: epoch minute, UTC day (`2026-11-22`), UTC month (`2026-11`). */
  windows: { minute: number; day: string; month: string };
}

export type ReservationOutcome =
  | { admitted: true; reservation: Reservation }
  | {
      admitted: false;
      /** The first limit the request would break (`used + requested > limitValue`), checked in the order of `quotaLimitNames`. */
      limit: QuotaLimitName;
      /** The limit's value (tokens, millionths, or streams). */
      limitValue: number;
      /** Already used or reserved in the window. */
      used: number;
      /** What this request asked for (1 for a stream slot). */
      requested: number;
      /** Epoch milliseconds when the window resets; null for concurrent streams (when one ends). */
      resetsAtMillis: number | null;
    };

/** Counters in the windows of one instant; zeros for a tenant without a quota (nothing is counted for it). */
export interface QuotaUse {
  tokensThisMinute: number;
  tokensToday: number;
  costMicrosThisMonth: number;
  activeStreams: number;
}

/**
 * Quota settings and the counters they are enforced against. Enforcement is reserve-then-settle:
 * `reserve` checks every limit and counts the estimate in one atomic step (a Lua script in Redis,
 * one synchronous step in the embedded store), so however many inference replicas share the store,
 * admitted requests never exceed a limit; `settle` replaces the estimate by what was really used.
 * Two implementations share one contract suite: embedded (settings in a JSON file under the data
 * directory, counters in the memory of the one inference process) and Redis.
 *
 * Counters are only kept for tenants with a quota: a deployment without quotas pays nothing per
 * request, and a quota set mid-window starts from zero use in that window. Unlimited (null) fields
 * of a tenant with a quota are still counted, so `currentUse` is complete and a limit set later
 * applies to the current window at once.
 */
export interface QuotaStore {
  getQuota(tenantId: string): Promise<TenantQuota | undefined>;
  /** Every tenant's quota, ordered by tenant id (byte order, `compareBytes`). */
  listQuotas(): Promise<TenantQuota[]>;
  setQuota(quota: TenantQuota): Promise<void>;
  /** True when the tenant had a quota. */
  deleteQuota(tenantId: string): Promise<boolean>;
  /**
   * All or nothing: either every limit has room and all counters grow, or nothing changes. A tenant
   * without a quota is always admitted (and nothing is counted). Throws when `reservationId` belongs
   * to a reservation not yet settled: counting it twice would leak quota.
   */
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  /**
   * Replaces the reservation's estimate by `actual` (zero releases it; more than the estimate adds
   * the difference) in the windows the reservation counted, even after they rolled over, and frees
   * its stream slot. Idempotent per reservation: a second settle changes nothing, and so does one
   * for a reservation that counted nothing (no quota) or that is older than two days. Counters
   * never go below zero.
   */
  settle(reservation: Reservation, actual: { tokens: number; costMicros: number }): Promise<void>;
  /**
   * Extends the stream slot of an open reservation to `nowMillis` plus the lease: its holder calls
   * it every third of the lease while the stream runs (`StreamSlotHeartbeat`), so a stream of any
   * length keeps its slot and the slot of a holder that died frees within one lease. Holds the slot
   * again if the lease had lapsed. Resolves false, changing nothing, for a reservation that was
   * settled (or forgotten, or that counted nothing: no quota, or not a stream).
   */
  renewStreamLease(reservation: Reservation, nowMillis: number): Promise<boolean>;
  /** How long a stream slot stays held without renewal, in milliseconds. */
  readonly streamLeaseMillis: number;
  /** Use in the windows `nowMillis` falls in; streams whose lease expired are not counted. */
  currentUse(tenantId: string, nowMillis: number): Promise<QuotaUse>;
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

/** Options shared by both stores. */
export interface QuotaStoreOptions {
  /**
   * Milliseconds a stream slot stays held without a renewal or a `settle`: the slot of a holder
   * that died comes back after this long, while a live holder renews it every third of it.
   * STREAM_SLOT_LEASE_SECONDS. Default 30,000 (30 seconds).
   */
  streamLeaseMillis?: number;
}

export const defaultStreamLeaseMillis = 30_000;

/** The lease of `options`, checked: a whole number of milliseconds, at least one. */
export function streamLeaseMillisOf(options: QuotaStoreOptions): number {
  const lease = options.streamLeaseMillis ?? defaultStreamLeaseMillis;
  if (!Number.isSafeInteger(lease) || lease < 1) throw new RangeError(`streamLeaseMillis must be a whole number of milliseconds, at least 1; got ${lease}`);
  return lease;
}

/** Throws unless `value` is a whole number, zero or more, that counters can add exactly. */
export function assertQuotaAmount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, zero or more; got ${value}`);
}

function quotaAmount(): z.ZodNumber {
  return z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
}

import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import type { Redis } from "ioredis";
import { z } from "zod";
import { withRedis } from "../../../platform/storage/redis-connection.ts";
import {
  assertQuotaAmount,
  quotaLimitNames,
  streamLeaseMillisOf,
  tenantQuotaSchema,
  type QuotaLimitName,
  type QuotaStore,
  type QuotaStoreOptions,
  type QuotaUse,
  type Reservation,
  type ReservationOutcome,
  type ReservationRequest,
  type TenantQuota,
} from "./quota-store.ts";
import { defineQuotaCommands } from "./redis-quota-scripts.ts";
import { dayEndMillis, minuteEndMillis, monthEndMillis, windowsAt, type QuotaWindows } from "./quota-windows.ts";

const secondsPerDay = 24 * 60 * 60;
/** Counter lifetimes past their last reservation: one window more than the window itself, so a late settle still finds it. */
const minuteCounterTtlSeconds = 2 * 60;
const dayCounterTtlSeconds = 2 * secondsPerDay;
const monthCounterTtlSeconds = 35 * secondsPerDay;
/** How long a reservation can still be settled (its marker's lifetime). */
const reservationMarkerTtlSeconds = 2 * secondsPerDay;

/** The limit fields of the settings hash: the reserve script reads them by these names. */
const limitFields = ["tokensPerMinute", "tokensPerDay", "costMicrosPerMonth", "concurrentStreams"] as const;

const reserveReplySchema = z.union([
  z.tuple([z.literal("admitted")]),
  z.tuple([z.literal("unlimited")]),
  z.tuple([z.literal("duplicate")]),
  z.tuple([z.literal("denied"), z.enum(quotaLimitNames), z.number(), z.number(), z.number()]),
]);

/**
 * Quotas in Redis, shared by every inference replica (and the usage subgraph, which sets them).
 * Key layout and atomicity: see redis-quota-scripts.ts.
 */
export class RedisQuotaStore implements QuotaStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #streamLeaseMillis: number;

  /** `redis` stays owned by the caller; `keyPrefix` namespaces every key (for example `aigraph:`). */
  constructor(redis: Redis, keyPrefix: string, options: QuotaStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    this.#streamLeaseMillis = streamLeaseMillisOf(options);
    defineQuotaCommands(redis);
  }

  getQuota(tenantId: string): Promise<TenantQuota | undefined> {
    return withRedis(async () => parseQuota(await this.#redis.hgetall(this.#settingsKey(tenantId))));
  }

  listQuotas(): Promise<TenantQuota[]> {
    return withRedis(async () => {
      const tenantIds = (await this.#redis.smembers(this.#tenantsKey())).sort(compareBytes);
      const hashes = await Promise.all(tenantIds.map((tenantId) => this.#redis.hgetall(this.#settingsKey(tenantId))));
      return hashes.map(parseQuota).filter((quota) => quota !== undefined);
    });
  }

  async setQuota(quota: TenantQuota): Promise<void> {
    const checked = tenantQuotaSchema.parse(quota);
    const fields: Record<string, string> = { tenantId: checked.tenantId, updatedAt: checked.updatedAt };
    for (const field of limitFields) fields[field] = limitText(checked[field]);
    await withRedis(async () => {
      // MULTI: the hash and the listing set change together or not at all.
      const results = await this.#redis.multi().hset(this.#settingsKey(checked.tenantId), fields).sadd(this.#tenantsKey(), checked.tenantId).exec();
      throwOnTransactionError(results);
    });
  }

  deleteQuota(tenantId: string): Promise<boolean> {
    return withRedis(async () => {
      const results = await this.#redis.multi().del(this.#settingsKey(tenantId)).srem(this.#tenantsKey(), tenantId).exec();
      throwOnTransactionError(results);
      // Counters are left to expire: settling reservations made before the delete stays harmless.
      return results?.[0]?.[1] === 1;
    });
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    assertQuotaAmount("tokens", request.tokens);
    assertQuotaAmount("costMicros", request.costMicros);
    const windows = windowsAt(request.nowMillis);
    const keys = this.#useKeys(request.tenantId, windows);
    const reply = await withRedis(() =>
      this.#redis.quotaReserve(
        this.#settingsKey(request.tenantId),
        keys.minute,
        keys.day,
        keys.month,
        keys.streams,
        this.#reservationKey(request.reservationId),
        request.reservationId,
        request.nowMillis,
        request.tokens,
        request.costMicros,
        request.stream ? "1" : "0",
        this.#streamLeaseMillis,
        minuteCounterTtlSeconds,
        dayCounterTtlSeconds,
        monthCounterTtlSeconds,
        reservationMarkerTtlSeconds,
      ),
    );
    const parsed = reserveReplySchema.parse(reply);
    switch (parsed[0]) {
      case "admitted":
      case "unlimited": {
        const { reservationId, tenantId, tokens, costMicros, stream } = request;
        return { admitted: true, reservation: { reservationId, tenantId, tokens, costMicros, stream, windows } };
      }
      case "duplicate":
        throw new Error(`reservation ${request.reservationId} is already open; reservation ids must be unique`);
      case "denied": {
        const [, limit, limitValue, used, requested] = parsed;
        return { admitted: false, limit, limitValue, used, requested, resetsAtMillis: resetsAtMillis(limit, windows) };
      }
    }
  }

  async settle(reservation: Reservation, actual: { tokens: number; costMicros: number }): Promise<void> {
    assertQuotaAmount("actual.tokens", actual.tokens);
    assertQuotaAmount("actual.costMicros", actual.costMicros);
    const keys = this.#useKeys(reservation.tenantId, reservation.windows);
    await withRedis(() =>
      this.#redis.quotaSettle(
        this.#reservationKey(reservation.reservationId),
        keys.minute,
        keys.day,
        keys.month,
        keys.streams,
        reservation.reservationId,
        actual.tokens - reservation.tokens,
        actual.costMicros - reservation.costMicros,
      ),
    );
  }

  async renewStreamLease(reservation: Reservation, nowMillis: number): Promise<boolean> {
    if (!reservation.stream) return false;
    const keys = this.#useKeys(reservation.tenantId, reservation.windows);
    const renewed = await withRedis(() => this.#redis.quotaRenewStreamLease(this.#reservationKey(reservation.reservationId), keys.streams, reservation.reservationId, nowMillis, this.#streamLeaseMillis));
    return renewed === 1;
  }

  get streamLeaseMillis(): number {
    return this.#streamLeaseMillis;
  }

  currentUse(tenantId: string, nowMillis: number): Promise<QuotaUse> {
    const windows = windowsAt(nowMillis);
    const keys = this.#useKeys(tenantId, windows);
    return withRedis(async () => {
      // Separate commands rather than MGET, whose keys would have to share a Cluster slot; sent
      // together, they still take one round trip. Expired leases are skipped, not removed: a read
      // at some other time must not free slots that are still held now.
      const [minute, day, month, activeStreams] = await Promise.all([
        this.#redis.get(keys.minute),
        this.#redis.get(keys.day),
        this.#redis.get(keys.month),
        this.#redis.zcount(keys.streams, `(${nowMillis}`, "+inf"),
      ]);
      return { tokensThisMinute: Number(minute ?? 0), tokensToday: Number(day ?? 0), costMicrosThisMonth: Number(month ?? 0), activeStreams };
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

  /** The tenant's counters of the given windows, and its stream leases. */
  #useKeys(tenantId: string, windows: QuotaWindows): { minute: string; day: string; month: string; streams: string } {
    const use = `${this.#prefix}quota-use:${tenantId}`;
    return {
      minute: `${use}:minute:${windows.minute}`,
      day: `${use}:day:${windows.day}`,
      month: `${use}:month:${windows.month}`,
      streams: `${this.#prefix}quota-streams:${tenantId}`,
    };
  }

  #reservationKey(reservationId: string): string {
    return `${this.#prefix}quota-reservation:${reservationId}`;
  }

  #settingsKey(tenantId: string): string {
    return `${this.#prefix}quota:${tenantId}`;
  }

  #tenantsKey(): string {
    return `${this.#prefix}quota-tenants`;
  }
}

function resetsAtMillis(limit: QuotaLimitName, windows: QuotaWindows): number | null {
  switch (limit) {
    case "TOKENS_PER_MINUTE":
      return minuteEndMillis(windows.minute);
    case "TOKENS_PER_DAY":
      return dayEndMillis(windows.day);
    case "COST_PER_MONTH":
      return monthEndMillis(windows.month);
    case "CONCURRENT_STREAMS":
      return null;
  }
}

/** '' stands for unlimited in the hash (the reserve script skips it). */
function limitText(limit: number | null): string {
  return limit === null ? "" : String(limit);
}

function parseQuota(hash: Record<string, string>): TenantQuota | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const limit = (field: (typeof limitFields)[number]): number | null => {
    const text = hash[field];
    return text === undefined || text === "" ? null : Number(text);
  };
  return tenantQuotaSchema.parse({
    tenantId: hash.tenantId,
    tokensPerMinute: limit("tokensPerMinute"),
    tokensPerDay: limit("tokensPerDay"),
    costMicrosPerMonth: limit("costMicrosPerMonth"),
    concurrentStreams: limit("concurrentStreams"),
    updatedAt: hash.updatedAt,
  });
}

function throwOnTransactionError(results: [error: Error | null, result: unknown][] | null): void {
  if (results === null) throw new Error("a Redis transaction was aborted");
  for (const [error] of results) if (error !== null) throw error;
}

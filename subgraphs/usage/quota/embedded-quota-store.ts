import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import { join } from "node:path";
import { z } from "zod";
import { JsonFileDocument } from "../../../platform/storage/json-file-document.ts";
import {
  assertQuotaAmount,
  streamLeaseMillisOf,
  tenantQuotaSchema,
  type QuotaStore,
  type QuotaStoreOptions,
  type QuotaUse,
  type Reservation,
  type ReservationOutcome,
  type ReservationRequest,
  type TenantQuota,
} from "./quota-store.ts";
import { dayEndMillis, minuteEndMillis, monthEndMillis, windowsAt, type QuotaWindows } from "./quota-windows.ts";

const settingsSchema = z.object({ quotas: z.array(tenantQuotaSchema) });
type Settings = z.infer<typeof settingsSchema>;

/** How long an unsettled reservation can still be settled: the lifetime of the Redis store's reservation marker. */
const reservationRetentionMillis = 2 * 24 * 60 * 60 * 1000;

/**
 * Quotas for embedded defaults, needing no server. Settings live in `quotas.json` under the data
 * directory: the usage subgraph process writes them, the inference process reads them, and every
 * read checks the file's identity (inode, size, mtime) so a file replaced by the other process is
 * reloaded at the next `reserve`.
 *
 * Counters live in this object's memory. That is only correct because on embedded defaults there
 * is exactly one inference process, and it is the only caller of `reserve` and `settle`; a restart
 * forgets the current windows' use (start from zero), and several inference replicas need the Redis
 * store. `currentUse` in any other process (the usage subgraph) sees zeros.
 */
export class EmbeddedQuotaStore implements QuotaStore {
  readonly #document: JsonFileDocument<Settings>;
  readonly #streamLeaseMillis: number;
  readonly #countersByTenant = new Map<string, TenantCounters>();
  /** Reservations that counted and were not settled yet: id to `nowMillis` when made, oldest first. */
  readonly #openReservations = new Map<string, number>();

  constructor(dataDirectory: string, options: QuotaStoreOptions = {}) {
    this.#document = new JsonFileDocument(join(dataDirectory, "quotas.json"), settingsSchema, () => ({ quotas: [] }));
    this.#streamLeaseMillis = streamLeaseMillisOf(options);
  }

  async getQuota(tenantId: string): Promise<TenantQuota | undefined> {
    return (await this.#document.read()).quotas.find((quota) => quota.tenantId === tenantId);
  }

  async listQuotas(): Promise<TenantQuota[]> {
    return [...(await this.#document.read()).quotas];
  }

  async setQuota(quota: TenantQuota): Promise<void> {
    const checked = tenantQuotaSchema.parse(quota);
    await this.#document.update((settings) => {
      const others = settings.quotas.filter((existing) => existing.tenantId !== checked.tenantId);
      const quotas = [...others, checked].sort((left, right) => compareBytes(left.tenantId, right.tenantId));
      return { next: { quotas }, result: undefined };
    });
  }

  deleteQuota(tenantId: string): Promise<boolean> {
    return this.#document.update((settings) => {
      const quotas = settings.quotas.filter((quota) => quota.tenantId !== tenantId);
      return { next: { quotas }, result: quotas.length !== settings.quotas.length };
    });
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    assertQuotaAmount("tokens", request.tokens);
    assertQuotaAmount("costMicros", request.costMicros);
    const windows = windowsAt(request.nowMillis);
    const quota = await this.getQuota(request.tenantId);
    // From here to the return everything is synchronous: no other reserve or settle of this process
    // can run between the checks and the increments, which is what makes them one atomic step.
    const reservation: Reservation = {
      reservationId: request.reservationId,
      tenantId: request.tenantId,
      tokens: request.tokens,
      costMicros: request.costMicros,
      stream: request.stream,
      windows,
    };
    if (quota === undefined) return { admitted: true, reservation };
    if (this.#openReservations.has(request.reservationId)) throw new Error(`reservation ${request.reservationId} is already open; reservation ids must be unique`);
    this.#forgetOldReservations(request.nowMillis);
    const counters = this.#countersOf(request.tenantId);
    counters.expireLeases(request.nowMillis);
    const denial = firstDenial(quota, counters, request, windows);
    if (denial !== undefined) return denial;
    counters.tokensPerMinute.add(windows.minute, request.tokens);
    counters.tokensPerDay.add(windows.day, request.tokens);
    counters.costPerMonth.add(windows.month, request.costMicros);
    if (request.stream) counters.streamLeases.set(request.reservationId, request.nowMillis + this.#streamLeaseMillis);
    this.#openReservations.set(request.reservationId, request.nowMillis);
    return { admitted: true, reservation };
  }

  async settle(reservation: Reservation, actual: { tokens: number; costMicros: number }): Promise<void> {
    assertQuotaAmount("actual.tokens", actual.tokens);
    assertQuotaAmount("actual.costMicros", actual.costMicros);
    // Deleting the open entry first makes a second settle find nothing to do.
    if (!this.#openReservations.delete(reservation.reservationId)) return;
    const counters = this.#countersByTenant.get(reservation.tenantId);
    if (counters === undefined) return;
    const tokensDifference = actual.tokens - reservation.tokens;
    counters.tokensPerMinute.adjust(reservation.windows.minute, tokensDifference);
    counters.tokensPerDay.adjust(reservation.windows.day, tokensDifference);
    counters.costPerMonth.adjust(reservation.windows.month, actual.costMicros - reservation.costMicros);
    counters.streamLeases.delete(reservation.reservationId);
  }

  async renewStreamLease(reservation: Reservation, nowMillis: number): Promise<boolean> {
    // Settled (or forgotten) reservations hold nothing: a renewal racing the settle changes nothing.
    if (!reservation.stream || !this.#openReservations.has(reservation.reservationId)) return false;
    const counters = this.#countersByTenant.get(reservation.tenantId);
    if (counters === undefined) return false;
    counters.streamLeases.set(reservation.reservationId, nowMillis + this.#streamLeaseMillis);
    return true;
  }

  get streamLeaseMillis(): number {
    return this.#streamLeaseMillis;
  }

  async currentUse(tenantId: string, nowMillis: number): Promise<QuotaUse> {
    const windows = windowsAt(nowMillis);
    const counters = this.#countersByTenant.get(tenantId);
    if (counters === undefined) return { tokensThisMinute: 0, tokensToday: 0, costMicrosThisMonth: 0, activeStreams: 0 };
    return {
      tokensThisMinute: counters.tokensPerMinute.get(windows.minute),
      tokensToday: counters.tokensPerDay.get(windows.day),
      costMicrosThisMonth: counters.costPerMonth.get(windows.month),
      activeStreams: counters.activeStreams(nowMillis),
    };
  }

  async checkHealth(): Promise<void> {
    await this.#document.read();
  }

  async close(): Promise<void> {
    // Settings are on disk before each write resolves; counters are meant to die with the process.
  }

  #countersOf(tenantId: string): TenantCounters {
    let counters = this.#countersByTenant.get(tenantId);
    if (counters === undefined) {
      counters = new TenantCounters();
      this.#countersByTenant.set(tenantId, counters);
    }
    return counters;
  }

  /** Drops reservations too old to settle, so a caller that never settles cannot grow memory without bound. */
  #forgetOldReservations(nowMillis: number): void {
    // A Map iterates in insertion order, which is (near enough) the order of `nowMillis`: stop at the first young one.
    for (const [reservationId, madeAtMillis] of this.#openReservations) {
      if (madeAtMillis > nowMillis - reservationRetentionMillis) return;
      this.#openReservations.delete(reservationId);
    }
  }
}

/** The first limit `request` would break, in the order of `quotaLimitNames`. */
function firstDenial(quota: TenantQuota, counters: TenantCounters, request: ReservationRequest, windows: QuotaWindows): ReservationOutcome | undefined {
  const checks = [
    {
      limit: "TOKENS_PER_MINUTE",
      limitValue: quota.tokensPerMinute,
      used: counters.tokensPerMinute.get(windows.minute),
      requested: request.tokens,
      resetsAtMillis: minuteEndMillis(windows.minute),
    },
    {
      limit: "TOKENS_PER_DAY",
      limitValue: quota.tokensPerDay,
      used: counters.tokensPerDay.get(windows.day),
      requested: request.tokens,
      resetsAtMillis: dayEndMillis(windows.day),
    },
    {
      limit: "COST_PER_MONTH",
      limitValue: quota.costMicrosPerMonth,
      used: counters.costPerMonth.get(windows.month),
      requested: request.costMicros,
      resetsAtMillis: monthEndMillis(windows.month),
    },
    // Only a stream asks for a slot; `streamLeases` was just cleared of expired leases.
    { limit: "CONCURRENT_STREAMS", limitValue: request.stream ? quota.concurrentStreams : null, used: counters.streamLeases.size, requested: 1, resetsAtMillis: null },
  ] as const;
  for (const check of checks) {
    const { limit, limitValue, used, requested, resetsAtMillis } = check;
    if (limitValue !== null && used + requested > limitValue) return { admitted: false, limit, limitValue, used, requested, resetsAtMillis };
  }
  return undefined;
}

/** One tenant's counters. */
class TenantCounters {
  readonly tokensPerMinute = new RecentWindows<number>();
  readonly tokensPerDay = new RecentWindows<string>();
  readonly costPerMonth = new RecentWindows<string>();
  /** Stream slots held: reservation id to lease expiry, epoch milliseconds. */
  readonly streamLeases = new Map<string, number>();

  /** Frees the slots of holders that neither settled nor ended within their lease. */
  expireLeases(nowMillis: number): void {
    for (const [reservationId, expiresAtMillis] of this.streamLeases) {
      if (expiresAtMillis <= nowMillis) this.streamLeases.delete(reservationId);
    }
  }

  /** Counts without expiring: a read at some other time must not free slots that are still held now. */
  activeStreams(nowMillis: number): number {
    let active = 0;
    for (const expiresAtMillis of this.streamLeases.values()) if (expiresAtMillis > nowMillis) active += 1;
    return active;
  }
}

/**
 * The counters of the two most recent windows of one kind: the current one, and the one before it
 * so a reservation made just before the rollover can still be settled. Older windows are dropped,
 * as their Redis keys expire.
 */
class RecentWindows<WindowId extends number | string> {
  readonly #counts = new Map<WindowId, number>();

  get(windowId: WindowId): number {
    return this.#counts.get(windowId) ?? 0;
  }

  add(windowId: WindowId, amount: number): void {
    this.#counts.set(windowId, this.get(windowId) + amount);
    if (this.#counts.size <= 2) return;
    // Window ids sort like time: epoch minutes as numbers, `YYYY-MM-DD` and `YYYY-MM` as text.
    const oldest = [...this.#counts.keys()].reduce((left, right) => (right < left ? right : left));
    this.#counts.delete(oldest);
  }

  /** Corrects a window still kept (never below zero); one already dropped is gone, like an expired Redis key. */
  adjust(windowId: WindowId, difference: number): void {
    const current = this.#counts.get(windowId);
    if (current !== undefined) this.#counts.set(windowId, Math.max(0, current + difference));
  }
}

import {
  assertAcquireRequest,
  assertPositiveWholeNumber,
  concurrencyRetryAfterMillis,
  gcraToleranceMillis,
  type AcquireOutcome,
  type AcquireRequest,
  type RateLimitStore,
  type RuleOutcome,
} from "./rate-limit-store.ts";

export interface InMemoryRateLimitStoreOptions {
  /** The time, in epoch milliseconds. Default `Date.now` (tests pass a controllable clock). */
  clock?: () => number;
  /** How often state that no longer limits anyone is dropped, in milliseconds. Default 10,000. */
  sweepIntervalMillis?: number;
}

/**
 * Rate limits in this process's memory: the embedded default, where one gateway process serves
 * everything. Several gateway replicas each counting alone would allow `limit × replicas`: they
 * need the Redis store.
 *
 * Memory stays bounded by recent activity: a partition's TAT in the past limits nothing, and an
 * expired lease holds no slot, so both are dropped at the next sweep (run from `acquire`, at most
 * once per `sweepIntervalMillis`; no timer keeps the process alive).
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  readonly #clock: () => number;
  readonly #sweepIntervalMillis: number;
  /** GCRA theoretical arrival time per rate partition, in epoch milliseconds. */
  readonly #arrivalTimes = new Map<string, number>();
  /** Lease expiry (epoch milliseconds) by lease id, per concurrency partition. */
  readonly #leases = new Map<string, Map<string, number>>();
  #lastSweepMillis: number;

  constructor(options: InMemoryRateLimitStoreOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#sweepIntervalMillis = options.sweepIntervalMillis ?? 10_000;
    assertPositiveWholeNumber("sweepIntervalMillis", this.#sweepIntervalMillis);
    this.#lastSweepMillis = this.#clock();
  }

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    assertAcquireRequest(request);
    const now = this.#clock();
    this.#sweepIfDue(now);
    // Everything below is synchronous: no other acquire can run between the checks and the counts.
    const plannedArrivalTimes: (number | undefined)[] = [];
    const rules: RuleOutcome[] = request.rules.map((rule, index) => {
      if (rule.kind === "rate") {
        const interval = rule.windowMillis / rule.limit;
        const arrivalTime = Math.max(this.#arrivalTimes.get(rule.partition) ?? now, now);
        const nextArrivalTime = arrivalTime + interval;
        if (nextArrivalTime - now <= rule.windowMillis + gcraToleranceMillis) {
          plannedArrivalTimes[index] = nextArrivalTime;
          return {
            allowed: true,
            remaining: Math.max(0, Math.floor((rule.windowMillis - (nextArrivalTime - now)) / interval + gcraToleranceMillis)),
            resetMillis: Math.ceil(nextArrivalTime - now),
            retryAfterMillis: 0,
          };
        }
        return { allowed: false, remaining: 0, resetMillis: Math.ceil(arrivalTime - now), retryAfterMillis: Math.ceil(nextArrivalTime - rule.windowMillis - now) };
      }
      const leases = this.#liveLeases(rule.partition, now);
      if (leases.size < rule.limit) return { allowed: true, remaining: rule.limit - leases.size - 1, resetMillis: null, retryAfterMillis: 0 };
      return { allowed: false, remaining: 0, resetMillis: null, retryAfterMillis: concurrencyRetryAfterMillis };
    });
    const admitted = rules.every((rule) => rule.allowed);
    if (admitted) {
      request.rules.forEach((rule, index) => {
        if (rule.kind === "rate") this.#arrivalTimes.set(rule.partition, plannedArrivalTimes[index] ?? now);
        else this.#liveLeases(rule.partition, now).set(request.leaseId, now + request.leaseMillis);
      });
    }
    return { admitted, rules };
  }

  async renew(partitions: readonly string[], leaseId: string, leaseMillis: number): Promise<void> {
    assertPositiveWholeNumber("leaseMillis", leaseMillis);
    const now = this.#clock();
    // A lease that expired is held again: the request it stands for is still running.
    for (const partition of partitions) this.#liveLeases(partition, now).set(leaseId, now + leaseMillis);
  }

  async release(partitions: readonly string[], leaseId: string): Promise<void> {
    for (const partition of partitions) {
      const leases = this.#leases.get(partition);
      leases?.delete(leaseId);
      if (leases?.size === 0) this.#leases.delete(partition);
    }
  }

  async close(): Promise<void> {
    this.#arrivalTimes.clear();
    this.#leases.clear();
  }

  /** The partition's leases, without those expired at `now` (created when missing). */
  #liveLeases(partition: string, now: number): Map<string, number> {
    let leases = this.#leases.get(partition);
    if (leases === undefined) {
      leases = new Map();
      this.#leases.set(partition, leases);
    }
    for (const [leaseId, expiresAt] of leases) if (expiresAt <= now) leases.delete(leaseId);
    return leases;
  }

  #sweepIfDue(now: number): void {
    if (now - this.#lastSweepMillis < this.#sweepIntervalMillis) return;
    this.#lastSweepMillis = now;
    for (const [partition, arrivalTime] of this.#arrivalTimes) if (arrivalTime <= now) this.#arrivalTimes.delete(partition);
    for (const [partition, leases] of this.#leases) {
      for (const [leaseId, expiresAt] of leases) if (expiresAt <= now) leases.delete(leaseId);
      if (leases.size === 0) this.#leases.delete(partition);
    }
  }
}

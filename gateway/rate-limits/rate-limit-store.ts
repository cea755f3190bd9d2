/**
 * Where rate-limit state lives: request rates (GCRA) and concurrent requests (expiring leases), for
 * any partition (an API key, a tenant, a client address). Two implementations share one contract
 * suite: in memory (one gateway process, the embedded default) and Redis (every gateway replica).
 *
 * ## Algorithm: GCRA for rates, leases for concurrency
 *
 * A rate rule "`limit` requests per `windowMillis`" is enforced with the generic cell rate algorithm
 * (GCRA, the virtual-scheduling form of a token bucket): each partition stores one number, its
 * theoretical arrival time (TAT). A request arriving at `now` is admitted when
 * `max(TAT, now) + interval - now <= windowMillis`, with `interval = windowMillis / limit`, and then
 * moves TAT to `max(TAT, now) + interval`. So a partition at rest may send `limit` requests at once,
 * then one per `interval`; the exact moment the next request would pass is known, so
 * `Retry-After` is exact rather than "at the end of the window".
 *
 * Why not the others: a fixed window needs one counter too, but lets a client send `limit` requests
 * at the end of one window and `limit` more at the start of the next, and makes a client that spent
 * its window early wait for the whole of it; a sliding log is exact over every window but keeps one
 * entry per admitted request (600 per key per minute at the default), where GCRA keeps one number.
 * GCRA's bound over any span of `windowMillis` is `2 × limit − 1` (a full burst, then the refill),
 * the same as a fixed window's, while its long-run rate is exactly `limit / windowMillis`.
 *
 * A concurrency rule "`limit` requests in flight" holds one lease per request, which expires after
 * `leaseMillis` unless renewed: a gateway replica that crashes mid-request never returns its slots,
 * and they come back when its leases expire. The holder renews well before that.
 *
 * ## Atomicity
 *
 * `acquire` checks every rule and, only when all have room, counts the request against all of them,
 * in one atomic step: one Lua script in Redis (so replicas never interleave: exact however many of
 * them share the store), one synchronous step in memory. A request refused by its tenant's limit
 * therefore costs nothing against its key's.
 */
export interface RateLimitStore {
  /** All or nothing: every rule has room and counts the request, or nothing changes. */
  acquire(request: AcquireRequest): Promise<AcquireOutcome>;
  /** Extends the leases `leaseId` holds in `partitions` (concurrency rules) to `leaseMillis` from now. */
  renew(partitions: readonly string[], leaseId: string, leaseMillis: number): Promise<void>;
  /** Returns the leases `leaseId` holds in `partitions`. Releasing a lease that is gone changes nothing. */
  release(partitions: readonly string[], leaseId: string): Promise<void>;
  close(): Promise<void>;
}

/** At most `limit` requests per `windowMillis` in `partition` (GCRA). */
export interface RequestRateRule {
  kind: "rate";
  /** What is limited, for example `api-key:key_0123`; rate and concurrency partitions never collide. */
  partition: string;
  /** Requests per window: a whole number, at least 1. */
  limit: number;
  /** The window, in milliseconds: a whole number, at least 1. */
  windowMillis: number;
}

/** At most `limit` requests of `partition` in flight at once. */
export interface ConcurrencyRule {
  kind: "concurrency";
  /** What is limited, for example `tenant:acme`. */
  partition: string;
  /** Requests in flight: a whole number, at least 1. */
  limit: number;
}

export type RateLimitRule = RequestRateRule | ConcurrencyRule;

export interface AcquireRequest {
  /** Checked and counted together; an empty list admits at once. */
  rules: readonly RateLimitRule[];
  /** Unique per request: the lease it holds in each concurrency rule's partition. */
  leaseId: string;
  /** How long a lease lasts unless renewed, in milliseconds (a whole number, at least 1). */
  leaseMillis: number;
}

/** How one rule stood for the request, for the response's rate-limit headers. */
export interface RuleOutcome {
  /** Whether this rule had room (the request is admitted only when every rule had). */
  allowed: boolean;
  /** Requests this rule still allows after this one (rate: right now; concurrency: in flight). 0 when refused. */
  remaining: number;
  /** Milliseconds until the rule's whole quota is back (rate rules); null for concurrency rules. */
  resetMillis: number | null;
  /** When refused: milliseconds until a retry could pass this rule (for concurrency, a hint: `concurrencyRetryAfterMillis`). 0 when allowed. */
  retryAfterMillis: number;
}

export interface AcquireOutcome {
  admitted: boolean;
  /** One per rule, in the order of `AcquireRequest.rules`. */
  rules: RuleOutcome[];
}

/** What a refused concurrency rule suggests as the wait: a slot frees when any request ends, which no one can foresee. */
export const concurrencyRetryAfterMillis = 1_000;

/**
 * Slack, in milliseconds, when comparing GCRA times: both stores compute in floating-point
 * milliseconds (about 0.25 µs of precision at today's epoch), so a request is never refused for a
 * rounding error. One microsecond.
 */
export const gcraToleranceMillis = 0.001;

/** Throws unless the request's rules and lease are whole numbers in range, before any store sees them. */
export function assertAcquireRequest(request: AcquireRequest): void {
  assertPositiveWholeNumber("leaseMillis", request.leaseMillis);
  for (const rule of request.rules) {
    if (rule.partition === "") throw new RangeError("a rate-limit rule needs a partition");
    assertPositiveWholeNumber(`limit of ${rule.partition}`, rule.limit);
    if (rule.kind === "rate") assertPositiveWholeNumber(`windowMillis of ${rule.partition}`, rule.windowMillis);
  }
}

export function assertPositiveWholeNumber(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number, at least 1; got ${value}`);
}

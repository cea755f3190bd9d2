/**
 * The time one query or mutation may take across all its subgraph fetches (OPERATION_DEADLINE_MILLIS),
 * fixed when its request arrives. A query plan can run fetches one after another (a Sequence), each
 * allowed SUBGRAPH_TIMEOUT_MILLIS; the deadline bounds their sum. Measured on the monotonic clock
 * (`performance.now()`), so a wall-clock change does not move it. Subscriptions have none: they run
 * as long as the client listens.
 */
export class OperationDeadline {
  /** The whole allowance, in milliseconds: what errors report as `extensions.deadlineMillis`. */
  readonly millis: number;
  readonly #expiresAt: number;

  /** `startedAt` is a `performance.now()` reading, in milliseconds; default now. */
  constructor(millis: number, startedAt: number = performance.now()) {
    this.millis = millis;
    this.#expiresAt = startedAt + millis;
  }

  /** Milliseconds left before the deadline; 0 once it has passed. */
  remainingMillis(now: number = performance.now()): number {
    return Math.max(0, this.#expiresAt - now);
  }
}

/** A deadline `millis` milliseconds from now; none when `millis` is 0 (no deadline). */
export function startOperationDeadline(millis: number): OperationDeadline | undefined {
  return millis > 0 ? new OperationDeadline(millis) : undefined;
}

/** How long one subgraph fetch may take, and whether the operation's deadline set that limit. */
export interface FetchBudget {
  /** In milliseconds; undefined: no limit. 0: the deadline has passed, send nothing. */
  timeoutMillis: number | undefined;
  /** True when the time left before the deadline is shorter than the per-subgraph timeout: a timeout of the fetch is the deadline's. */
  boundByDeadline: boolean;
}

/** The smaller of the per-subgraph timeout (`timeoutMillis`, undefined: none) and the time left before `deadline`. */
export function fetchBudget(timeoutMillis: number | undefined, deadline: OperationDeadline | undefined, now: number = performance.now()): FetchBudget {
  if (deadline === undefined) return { timeoutMillis, boundByDeadline: false };
  // Whole milliseconds, rounded up: AbortSignal.timeout takes an integer, and a fraction left is not yet 0.
  const remaining = Math.ceil(deadline.remainingMillis(now));
  if (timeoutMillis !== undefined && timeoutMillis <= remaining) return { timeoutMillis, boundByDeadline: false };
  return { timeoutMillis: remaining, boundByDeadline: true };
}

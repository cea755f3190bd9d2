/**
 * The health of one deployment as its callers see it: CLOSED (serving), OPEN (skipped after
 * `failureThreshold` retryable failures in a row, for `openMillis`), then HALF_OPEN (one probe call
 * at a time: its success closes the circuit, its failure opens it again for another `openMillis`).
 * Failures that say nothing about the deployment's health (a prompt too long, a cancelled call) are
 * not reported here.
 */

export type CircuitState = "CLOSED" | "OPEN" | "HALF_OPEN";

export interface CircuitBreakerOptions {
  /** Retryable failures in a row that open the circuit. Default 3. */
  failureThreshold?: number;
  /** How long an open circuit skips the deployment before a probe, in milliseconds. Default 30,000. */
  openMillis?: number;
  /** The clock, in milliseconds (tests pass their own). Default `Date.now`. */
  now?: () => number;
}

export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #openMillis: number;
  readonly #now: () => number;
  #failuresInARow = 0;
  #openedAt: number | undefined;
  #probeRunning = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#failureThreshold = options.failureThreshold ?? 3;
    this.#openMillis = options.openMillis ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.#openedAt === undefined) return "CLOSED";
    return this.#now() - this.#openedAt >= this.#openMillis ? "HALF_OPEN" : "OPEN";
  }

  /** Whether a call may go to the deployment now; a true answer in HALF_OPEN takes the one probe slot. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "CLOSED") return true;
    if (state === "OPEN" || this.#probeRunning) return false;
    this.#probeRunning = true;
    return true;
  }

  /** Whether `tryAcquire` would let a call through now, without taking the probe slot. */
  get available(): boolean {
    const state = this.state;
    return state === "CLOSED" || (state === "HALF_OPEN" && !this.#probeRunning);
  }

  recordSuccess(): void {
    this.#failuresInARow = 0;
    this.#openedAt = undefined;
    this.#probeRunning = false;
  }

  recordFailure(): void {
    this.#failuresInARow += 1;
    const probeFailed = this.#probeRunning;
    this.#probeRunning = false;
    if (probeFailed || this.#failuresInARow >= this.#failureThreshold) this.#openedAt = this.#now();
  }

  /** A call that ended without saying anything about health (cancelled, bad input): frees a probe slot it held. */
  recordNeutral(): void {
    this.#probeRunning = false;
  }
}

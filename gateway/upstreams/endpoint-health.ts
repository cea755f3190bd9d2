/** What the gateway knows of one endpoint: `unknown` until its first check answers. */
export type EndpointState = "unknown" | "healthy" | "unhealthy";

export interface EndpointHealthOptions {
  /** How often each endpoint's `/readyz` is asked, in milliseconds; 0: never (every endpoint stays `unknown`, all used). Default 2,000. */
  intervalMillis?: number;
  /** How long one check may take before it counts as failed, in milliseconds. Default: the interval, at most 1,000. */
  timeoutMillis?: number;
  /** Hears every change of an endpoint's state. */
  onChange?: (endpoint: string, state: EndpointState) => void;
}

/**
 * Polls `/readyz` (on the endpoint's origin) of each endpoint it is given. A failed check (not 200:
 * a replica starting, draining before a restart, gone) takes the endpoint out; the next passing one
 * brings it back. A failure the gateway saw itself (`reportFailure`: connection refused or lost)
 * takes it out at once, until a check passes again.
 */
export class EndpointHealth {
  readonly #intervalMillis: number;
  readonly #timeoutMillis: number;
  readonly #onChange: ((endpoint: string, state: EndpointState) => void) | undefined;
  readonly #states = new Map<string, EndpointState>();
  readonly #checking = new Set<string>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: EndpointHealthOptions = {}) {
    this.#intervalMillis = options.intervalMillis ?? 2_000;
    this.#timeoutMillis = options.timeoutMillis ?? Math.max(1, Math.min(this.#intervalMillis, 1_000));
    this.#onChange = options.onChange;
    if (this.#intervalMillis > 0) {
      this.#timer = setInterval(() => this.checkAll(), this.#intervalMillis);
      this.#timer.unref();
    }
  }

  /** Follows exactly these endpoints from now on; new ones are checked at once. */
  track(endpoints: readonly string[]): void {
    const wanted = new Set(endpoints);
    for (const endpoint of this.#states.keys()) if (!wanted.has(endpoint)) this.#states.delete(endpoint);
    for (const endpoint of wanted) {
      if (this.#states.has(endpoint)) continue;
      this.#states.set(endpoint, "unknown");
      if (this.#intervalMillis > 0) void this.#check(endpoint);
    }
  }

  state(endpoint: string): EndpointState {
    return this.#states.get(endpoint) ?? "unknown";
  }

  /** The gateway could not reach `endpoint` (refused, reset, lost): out until a check passes. */
  reportFailure(endpoint: string): void {
    if (this.#states.has(endpoint) && this.#intervalMillis > 0) this.#set(endpoint, "unhealthy");
  }

  /** Checks every endpoint now (those whose check is still running are skipped). */
  checkAll(): void {
    for (const endpoint of this.#states.keys()) void this.#check(endpoint);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#states.clear();
  }

  async #check(endpoint: string): Promise<void> {
    if (this.#checking.has(endpoint)) return;
    this.#checking.add(endpoint);
    try {
      const ready = await fetch(new URL("/readyz", endpoint), { signal: AbortSignal.timeout(this.#timeoutMillis) }).then(
        async (response) => {
          await response.body?.cancel();
          return response.status === 200;
        },
        () => false,
      );
      if (this.#states.has(endpoint)) this.#set(endpoint, ready ? "healthy" : "unhealthy");
    } finally {
      this.#checking.delete(endpoint);
    }
  }

  #set(endpoint: string, state: EndpointState): void {
    if (this.#states.get(endpoint) === state) return;
    this.#states.set(endpoint, state);
    this.#onChange?.(endpoint, state);
  }
}

import { UpstreamPool, type UpstreamPoolSettings } from "./upstream-pool.ts";

/**
 * The gateway's pools of subgraph replicas, one per (subgraph, configured URL), made on first use
 * and shared by its HTTP data sources and its subscriptions, so both count the same endpoints.
 */
export class UpstreamPools {
  readonly #settings: UpstreamPoolSettings;
  readonly #pools = new Map<string, UpstreamPool>();
  #closed = false;

  constructor(settings: UpstreamPoolSettings) {
    this.#settings = settings;
  }

  /** The pool of `serviceName` at `baseUrl` (its URL in the gateway's configuration or the supergraph). */
  pool(serviceName: string, baseUrl: string): UpstreamPool {
    const key = `${serviceName} ${baseUrl}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new UpstreamPool(serviceName, baseUrl, this.#settings);
      this.#pools.set(key, pool);
      // Asked for while the gateway stops (a late schema reload): the configured URL alone, nothing polled.
      if (this.#closed) pool.close();
    }
    return pool;
  }

  /** Every pool made so far. */
  all(): UpstreamPool[] {
    return [...this.#pools.values()];
  }

  /** Stops resolving and checking (gateway shutdown). */
  close(): void {
    this.#closed = true;
    for (const pool of this.#pools.values()) pool.close();
  }
}

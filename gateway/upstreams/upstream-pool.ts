import type { Logger } from "../../platform/logging/logger.ts";
import { EndpointDiscovery, type EndpointResolver } from "./endpoint-discovery.ts";
import { EndpointHealth, type EndpointState } from "./endpoint-health.ts";

/** How the gateway finds and checks a subgraph's replicas; every field but `resolve` has a default. */
export interface UpstreamPoolSettings {
  /** Where the endpoints come from (a configured list, DNS; see `defaultEndpointResolver`). */
  resolve: EndpointResolver;
  /** How often endpoints are resolved again, in milliseconds (UPSTREAM_DNS_REFRESH_MILLIS); 0: once. Default 5,000. */
  discoveryRefreshMillis?: number;
  /** How often each endpoint's `/readyz` is polled, in milliseconds (UPSTREAM_HEALTH_CHECK_MILLIS); 0: never, all endpoints used. Default 2,000. */
  healthCheckIntervalMillis?: number;
  /**
   * Longest an HTTP keep-alive connection to one endpoint is reused, in milliseconds
   * (UPSTREAM_CONNECTION_MAX_AGE_MILLIS): then as many requests as it had in flight at most go with
   * `connection: close`, so a load balancer in front of replicas (a ClusterIP Service) places the
   * new connections, a new replica's included. 0: no maximum. Default 10,000.
   */
  connectionMaxAgeMillis?: number;
  logger: Logger;
}

/** One endpoint as the pool counts it (for metrics and tests). */
export interface EndpointLoad {
  url: string;
  state: EndpointState;
  /** Gateway subscriptions running on it now. */
  activeSubscriptions: number;
  /** HTTP requests sent to it and not answered yet. */
  inFlightRequests: number;
}

/** An endpoint lent to one subscription or request; `release` once it has ended (idempotent). */
export interface EndpointLease {
  url: string;
  release(): void;
}

export interface RequestLease extends EndpointLease {
  /** Send this request with `connection: close`: the endpoint's connections reached their maximum age. */
  closeConnection: boolean;
}

interface Endpoint {
  url: string;
  activeSubscriptions: number;
  inFlightRequests: number;
  /** Most requests in flight since the connections were last renewed: about as many sockets as are open. */
  peakInFlightRequests: number;
  renewedAt: number;
  closesOwed: number;
}

/**
 * The replicas of one subgraph and the load the gateway put on each: endpoints from discovery,
 * health from `/readyz`, new subscriptions on the endpoint with the fewest running, HTTP requests on
 * the one with the fewest in flight (ties taken in turn). Only healthy endpoints are chosen; while
 * none is known healthy, those not yet checked, and when every one failed, all of them (the
 * request then fails as it would have, `SERVICE_UNAVAILABLE`).
 */
export class UpstreamPool {
  readonly serviceName: string;
  readonly baseUrl: string;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #discovery: EndpointDiscovery;
  readonly #health: EndpointHealth;
  readonly #connectionMaxAgeMillis: number;
  #turn = 0;

  constructor(serviceName: string, baseUrl: string, settings: UpstreamPoolSettings) {
    this.serviceName = serviceName;
    this.baseUrl = baseUrl;
    this.#connectionMaxAgeMillis = settings.connectionMaxAgeMillis ?? 10_000;
    this.#endpoints.set(baseUrl, newEndpoint(baseUrl));
    this.#health = new EndpointHealth({
      intervalMillis: settings.healthCheckIntervalMillis ?? 2_000,
      onChange: (endpoint, state) => settings.logger.info("subgraph endpoint health changed", { serviceName, endpoint, state }),
    });
    this.#discovery = new EndpointDiscovery({
      serviceName,
      baseUrl,
      resolve: settings.resolve,
      refreshMillis: settings.discoveryRefreshMillis ?? 5_000,
      onEndpoints: (urls) => this.#setEndpoints(urls),
    });
  }

  /** Every endpoint known now, with its state and load. */
  endpoints(): EndpointLoad[] {
    return [...this.#endpoints.values()].map(({ url, activeSubscriptions, inFlightRequests }) => ({ url, state: this.#health.state(url), activeSubscriptions, inFlightRequests }));
  }

  /** The endpoint for a new subscription: the fewest running subscriptions. */
  acquireSubscription(): EndpointLease {
    const endpoint = this.#pick((candidate) => candidate.activeSubscriptions);
    endpoint.activeSubscriptions += 1;
    return { url: endpoint.url, release: once(() => (endpoint.activeSubscriptions -= 1)) };
  }

  /** The endpoint for an HTTP request: the fewest requests in flight. */
  acquireRequest(): RequestLease {
    const endpoint = this.#pick((candidate) => candidate.inFlightRequests);
    endpoint.inFlightRequests += 1;
    endpoint.peakInFlightRequests = Math.max(endpoint.peakInFlightRequests, endpoint.inFlightRequests);
    const now = performance.now();
    if (this.#connectionMaxAgeMillis > 0 && now - endpoint.renewedAt >= this.#connectionMaxAgeMillis) {
      endpoint.closesOwed = endpoint.peakInFlightRequests;
      endpoint.peakInFlightRequests = endpoint.inFlightRequests;
      endpoint.renewedAt = now;
    }
    const closeConnection = endpoint.closesOwed > 0;
    if (closeConnection) endpoint.closesOwed -= 1;
    return { url: endpoint.url, closeConnection, release: once(() => (endpoint.inFlightRequests -= 1)) };
  }

  /** The gateway could not reach `url`: no new work goes there until its `/readyz` passes again. */
  reportFailure(url: string): void {
    this.#health.reportFailure(url);
  }

  /** Resolves and checks every endpoint now, rather than at the next interval. */
  async refresh(): Promise<void> {
    await this.#discovery.refresh();
    this.#health.checkAll();
  }

  close(): void {
    this.#discovery.close();
    this.#health.close();
  }

  #setEndpoints(urls: readonly string[]): void {
    const wanted = new Set(urls);
    // Endpoints gone from discovery leave; their running subscriptions end on their own.
    for (const url of this.#endpoints.keys()) if (!wanted.has(url)) this.#endpoints.delete(url);
    for (const url of wanted) if (!this.#endpoints.has(url)) this.#endpoints.set(url, newEndpoint(url));
    this.#health.track([...wanted]);
  }

  #pick(load: (endpoint: Endpoint) => number): Endpoint {
    const all = [...this.#endpoints.values()];
    const inState = (state: EndpointState) => all.filter((endpoint) => this.#health.state(endpoint.url) === state);
    const healthy = inState("healthy");
    const unchecked = inState("unknown");
    const candidates = healthy.length > 0 ? healthy : unchecked.length > 0 ? unchecked : all;
    // In turn from a rotating start, so equal loads spread evenly.
    this.#turn = (this.#turn + 1) % Number.MAX_SAFE_INTEGER;
    let best: Endpoint | undefined;
    for (let index = 0; index < candidates.length; index += 1) {
      const candidate = candidates[(this.#turn + index) % candidates.length] as Endpoint;
      if (best === undefined || load(candidate) < load(best)) best = candidate;
    }
    // Never empty: the configured URL stands until discovery answers.
    return best ?? newEndpoint(this.baseUrl);
  }
}

function newEndpoint(url: string): Endpoint {
  return { url, activeSubscriptions: 0, inFlightRequests: 0, peakInFlightRequests: 0, renewedAt: performance.now(), closesOwed: 0 };
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}

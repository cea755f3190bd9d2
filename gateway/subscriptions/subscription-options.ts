/** Limits and timeouts of the gateway's federated subscriptions. Every field is optional. */
export interface SubscriptionOptions {
  /**
   * Most upstream events one subscription may hold while its client has not taken them yet (the
   * client reads slowly, or resolving events through other subgraphs is slow). When one more
   * arrives, the subscription ends with `SUBSCRIPTION_BUFFER_OVERFLOW` and its upstream is
   * cancelled. Events, not bytes. Default 256.
   */
  maxBufferedEvents?: number;
  /** Most (document, operation name) plans kept, least recently used dropped first; emptied when the supergraph changes. Entries. Default 500. */
  planCacheSize?: number;
  /**
   * How long connecting to the owning subgraph may take, from opening its socket to its
   * `connection_ack`, before the subscription ends with `SERVICE_UNAVAILABLE`. Milliseconds. Default 5,000.
   */
  upstreamConnectTimeoutMillis?: number;
  /**
   * How long a subgraph socket may stay silent (no message, no WebSocket ping) before it is taken
   * for dead: its subscription ends with `SERVICE_UNAVAILABLE`. Catches subgraphs that vanish
   * without closing their connections (a partition, a frozen process). Subgraphs served with
   * `platform/websocket/` ping every 12 s. Milliseconds; 0 turns the check off. Default 30,000.
   */
  upstreamIdleTimeoutMillis?: number;
  /**
   * Subscriptions to one subgraph share one connection; this is how long that connection stays
   * open once its last subscription has ended, so the next one starts without a new handshake.
   * Milliseconds. Default 60,000.
   */
  upstreamKeepOpenMillis?: number;
  /** How long a client socket may take to send `connection_init`, in milliseconds. Default 3,000. */
  connectionInitTimeoutMillis?: number;
  /**
   * Most operations (subscriptions, queries, mutations) in flight on one client socket, or on one
   * GraphQL over SSE stream in single connection mode; more are refused with `TOO_MANY_OPERATIONS`.
   * Operations. Default 100.
   */
  maxOperationsPerConnection?: number;
  /**
   * How often a multipart HTTP subscription (Apollo's protocol) sends its heartbeat part `{}`
   * while no event comes, so proxies and clients see the response alive. Milliseconds. Default
   * 5,000 (as Apollo Router).
   */
  multipartHeartbeatMillis?: number;
  /**
   * How long a GraphQL over SSE reservation (single connection mode, `PUT`) waits for its event
   * stream to be opened before it is dropped with the operations already posted to it. Milliseconds. Default 30,000.
   */
  sseReservationTimeoutMillis?: number;
}

export type ResolvedSubscriptionOptions = Required<SubscriptionOptions>;

/** Defaults of {@link SubscriptionOptions}. */
export const subscriptionDefaults: ResolvedSubscriptionOptions = {
  maxBufferedEvents: 256,
  planCacheSize: 500,
  upstreamConnectTimeoutMillis: 5_000,
  upstreamIdleTimeoutMillis: 30_000,
  upstreamKeepOpenMillis: 60_000,
  connectionInitTimeoutMillis: 3_000,
  maxOperationsPerConnection: 100,
  multipartHeartbeatMillis: 5_000,
  sseReservationTimeoutMillis: 30_000,
};

/** `options` with defaults filled in; throws on a value out of range (a programming error, not user input). */
export function resolveSubscriptionOptions(options: SubscriptionOptions = {}): ResolvedSubscriptionOptions {
  const resolved: ResolvedSubscriptionOptions = { ...subscriptionDefaults };
  for (const [key, value] of Object.entries(options) as [keyof SubscriptionOptions, number | undefined][]) {
    if (value === undefined) continue;
    const minimum = key === "upstreamIdleTimeoutMillis" || key === "upstreamKeepOpenMillis" ? 0 : 1;
    if (!Number.isInteger(value) || value < minimum) throw new RangeError(`subscription option ${key} must be an integer >= ${minimum}, got ${value}`);
    resolved[key] = value;
  }
  return resolved;
}

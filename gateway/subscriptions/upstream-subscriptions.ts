import { randomUUID } from "node:crypto";
import type { SubscribePayload } from "graphql-ws";
import type { FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from "graphql";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { internalContextHeader, type InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { fromUpstreamErrors, upstreamUnavailable } from "./subscription-errors.ts";
import { UpstreamConnection } from "./upstream-connection.ts";
import { serverRestartingReason } from "../../platform/lifecycle/drain-streams.ts";
import type { UpstreamPools } from "../upstreams/upstream-pools.ts";

/** Where one upstream subscription's outcome goes. After `error` or `complete`, nothing more is called. */
export interface UpstreamHandlers {
  next(event: FormattedExecutionResult): void;
  /** The subgraph refused the operation (its errors, codes kept) or could not be reached (`SERVICE_UNAVAILABLE`). */
  error(errors: GraphQLError[]): void;
  complete(): void;
}

export interface UpstreamSubscriptionRequest {
  serviceName: string;
  /** The subgraph's HTTP GraphQL URL; the WebSocket one is derived (`http` → `ws`, `https` → `wss`). */
  url: string;
  payload: SubscribePayload;
  /** Signed into the subscription's `extensions`: the subgraph sees the caller as over HTTP. */
  caller: RequestContext;
}

export interface UpstreamSubscriptionsSettings {
  signer: InternalContextSigner;
  /** From opening the socket to the subgraph's `connection_ack`, in milliseconds. */
  connectTimeoutMillis: number;
  /** A socket silent for this long (no message, no ping) is dropped as dead, in milliseconds; 0 for never. */
  idleTimeoutMillis: number;
  /** How long a subgraph connection with no subscription left stays open for the next one, in milliseconds. */
  keepOpenMillis: number;
  /** The subgraphs' replicas: each subscription goes to the one running fewest (gateway/upstreams/); absent: to the subgraph's URL itself. */
  pools?: UpstreamPools;
  logger: Logger;
}

/**
 * Opens subscriptions on subgraphs over graphql-ws, many on one connection per subgraph endpoint
 * (see `UpstreamConnection`); with `pools`, each new subscription goes to the healthy replica
 * running the fewest, so a new replica takes new streams as soon as its `/readyz` passes. The caller's signed context (its request id included) travels in each
 * subscription's `extensions`, so the subgraph attributes each stream to its own request. Never
 * resubscribes: a lost connection ends its subscriptions with `SERVICE_UNAVAILABLE` (a silent
 * resubscribe would restart work such as a generation), and the next subscription opens a new one.
 */
export class UpstreamSubscriptions {
  readonly #settings: UpstreamSubscriptionsSettings;
  readonly #open = new Set<() => void>();
  readonly #webSocketImpl: unknown;
  /** Open sockets and when each last heard from its subgraph (`performance.now()`). */
  readonly #sockets = new Map<WebSocket, number>();
  /** The live connection to each subgraph, by WebSocket URL. */
  readonly #connections = new Map<string, UpstreamConnection>();
  readonly #idleSweep: NodeJS.Timeout | undefined;

  constructor(settings: UpstreamSubscriptionsSettings) {
    this.#settings = settings;
    const handshakeTimeout = settings.connectTimeoutMillis;
    const sockets = this.#sockets;
    this.#webSocketImpl = class UpstreamWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        // No compression: it would cost zlib state per socket for small messages.
        super(address, protocols, { handshakeTimeout, perMessageDeflate: false });
        // graphql-ws detaches its `onerror` when it gives up on a connecting socket, and `ws` then
        // emits "closed before the connection was established": unheard, that would crash the
        // gateway. Failures reach us through the client's `closed` event instead.
        this.on("error", () => undefined);
        sockets.set(this, performance.now());
        const heard = () => sockets.set(this, performance.now());
        this.on("ping", heard);
        this.on("message", heard);
        this.on("close", () => sockets.delete(this));
      }
    };
    if (settings.idleTimeoutMillis > 0) {
      // One sweep for all sockets rather than a timer each.
      this.#idleSweep = setInterval(() => this.#dropSilentSockets(), Math.max(10, Math.floor(settings.idleTimeoutMillis / 4)));
      this.#idleSweep.unref();
    }
  }

  #dropSilentSockets(): void {
    const silentSince = performance.now() - this.#settings.idleTimeoutMillis;
    for (const [socket, lastHeard] of this.#sockets) {
      // A socket still connecting is the connect timeout's business.
      if (lastHeard < silentSince && socket.readyState === WebSocket.OPEN) {
        this.#settings.logger.warn("upstream socket silent too long; dropping it", { idleTimeoutMillis: this.#settings.idleTimeoutMillis });
        socket.terminate();
      }
    }
  }

  /** Upstream subscriptions open now. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Connections to subgraph endpoints open or opening now (one per endpoint in use). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts one subscription; returns the function that cancels it at once (sends `complete` upstream; the connection stays for others). */
  open(request: UpstreamSubscriptionRequest, handlers: UpstreamHandlers): () => void {
    const { serviceName, caller } = request;
    const { signer, logger } = this.#settings;
    let finished = false;
    let unsubscribe: () => void = () => undefined;
    const pool = this.#settings.pools?.pool(serviceName, request.url);
    const endpoint = pool?.acquireSubscription() ?? { url: request.url, release: () => undefined };
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      this.#open.delete(cancel);
      endpoint.release();
      unsubscribe();
      outcome();
    };
    const cancel = () => finish(() => undefined);
    this.#open.add(cancel);
    const payload: SubscribePayload = {
      ...request.payload,
      extensions: { ...request.payload.extensions, [internalContextHeader]: signer.sign(caller) },
    };
    unsubscribe = this.#connectionTo(serviceName, endpoint.url).subscribe(payload, {
      next: (value) => {
        if (!finished) handlers.next(value);
      },
      error: (errors) => {
        // A draining replica (rolling restart) takes no new subscriptions: out until `/readyz` passes again.
        if (Array.isArray(errors) && errors.some((item: GraphQLFormattedError) => item.extensions?.reason === serverRestartingReason)) pool?.reportFailure(endpoint.url);
        finish(() => handlers.error(fromUpstreamErrors(errors as GraphQLFormattedError[], serviceName)));
      },
      complete: () => finish(() => handlers.complete()),
      lost: (end) =>
        finish(() => {
          // Out of the pool until its `/readyz` passes again: the next subscriptions go elsewhere.
          pool?.reportFailure(endpoint.url);
          // The connection logged the loss once for all of its subscriptions.
          logger.debug("upstream subscription lost", { serviceName, reason: end.reason, requestId: caller.requestId });
          handlers.error([upstreamUnavailable(serviceName, end.reason)]);
        }),
    });
    return cancel;
  }

  /** Cancels every open upstream subscription, closes the connections and stops the idle checks (gateway shutdown). */
  closeAll(): void {
    clearInterval(this.#idleSweep);
    for (const cancel of [...this.#open]) cancel();
    for (const connection of [...this.#connections.values()]) connection.close();
  }

  #connectionTo(serviceName: string, url: string): UpstreamConnection {
    const webSocketUrl = toWebSocketUrl(url);
    const existing = this.#connections.get(webSocketUrl);
    if (existing?.usable === true) return existing;
    const { signer, logger, connectTimeoutMillis, keepOpenMillis } = this.#settings;
    const connection: UpstreamConnection = new UpstreamConnection(
      {
        serviceName,
        webSocketUrl,
        webSocketImpl: this.#webSocketImpl,
        // The connection is the gateway's; each subscription carries its own caller in `extensions`.
        connectionParams: () => ({ [internalContextHeader]: signer.sign(gatewayConnectionCaller()) }),
        connectTimeoutMillis,
        keepOpenMillis,
        logger,
      },
      () => {
        if (this.#connections.get(webSocketUrl) === connection) this.#connections.delete(webSocketUrl);
      },
    );
    this.#connections.set(webSocketUrl, connection);
    return connection;
  }
}

/** The caller a gateway connection opens as: no tenant's, no role. */
function gatewayConnectionCaller(): RequestContext {
  return { requestId: `gateway-connection-${randomUUID()}`, tenantId: "gateway", apiKeyId: "gateway", roles: [] };
}

/** `http://host:port/graphql` → `ws://host:port/graphql`; `https` → `wss`. */
export function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  return url.toString();
}

import type { FormattedExecutionResult } from "graphql";
import { randomUUID } from "node:crypto";
import { createClient, type Client, type Sink, type SubscribePayload } from "graphql-ws";
import type { Logger } from "../../platform/logging/logger.ts";
import { serverRestartingReason } from "../../platform/lifecycle/drain-streams.ts";
import { WebSocketCloseCode } from "../../platform/websocket/close-codes.ts";

export interface UpstreamConnectionSettings {
  serviceName: string;
  /** The subgraph's graphql-ws URL. */
  webSocketUrl: string;
  /** Sent in `connection_init`; proves the connection comes from the gateway. */
  connectionParams: () => Record<string, unknown>;
  /** The `ws` class the client opens its socket with (carries the gateway's socket options). */
  webSocketImpl: unknown;
  /** From starting to connect to the subgraph's `connection_ack`, in milliseconds. */
  connectTimeoutMillis: number;
  /** How long the socket stays open with no subscription on it, in milliseconds. */
  keepOpenMillis: number;
  logger: Logger;
}

/** Why a connection ended, as the subscriptions on it report it (see `describeClose`). */
export interface ConnectionEnd {
  /** The client-safe reason: "could not connect", "connection lost"... */
  reason: string;
}

/** What one subscription on a connection hears from it. */
export interface ConnectionSubscriber extends Sink<FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>> {
  /** The connection ended under the subscription; nothing else is called afterwards. */
  lost(end: ConnectionEnd): void;
}

/**
 * One graphql-ws connection from the gateway to a subgraph, shared by every subscription the
 * gateway forwards there. Opening a socket per subscription put a TCP connect, a WebSocket upgrade
 * and the `connection_init`/`connection_ack` round trip in front of every stream's first event;
 * multiplexing them is what graphql-ws is for. Each subscription carries its caller's signed
 * context in its own `extensions` (see `platform/websocket/subgraph-websocket.ts`).
 *
 * A connection lives once: when its socket closes, every subscription on it is told (`lost`) and the
 * connection is over; the pool opens a new one for the next subscription. It never reconnects a
 * subscription: resubscribing would restart work such as a generation.
 */
export class UpstreamConnection {
  readonly #settings: UpstreamConnectionSettings;
  readonly #client: Client;
  /** Subscriptions on the connection, each with what stops it hearing anything more. */
  readonly #subscribers = new Map<ConnectionSubscriber, () => void>();
  readonly #connectTimer: NodeJS.Timeout;
  #idleTimer: NodeJS.Timeout | undefined;
  #connected = false;
  #ended = false;
  /** Set when the gateway gave up on connecting, so the close says why. */
  #timedOut = false;
  /** Closing because it was idle for `keepOpenMillis`. */
  #retiring = false;
  readonly #onEnded: () => void;

  /** @param onEnded called when the connection takes no more subscriptions (to leave the pool); may be called twice. */
  constructor(settings: UpstreamConnectionSettings, onEnded: () => void) {
    this.#settings = settings;
    this.#onEnded = onEnded;
    this.#client = createClient({
      url: settings.webSocketUrl,
      webSocketImpl: settings.webSocketImpl,
      // Connects at once and stays open until `#end`; the keep-open timer below closes it when idle.
      lazy: false,
      onNonLazyError: () => undefined,
      retryAttempts: 0,
      shouldRetry: () => false,
      // Ids from crypto: on a connection shared by thousands of subscriptions, a clash would close it (4409).
      generateID: () => randomUUID(),
      connectionParams: settings.connectionParams,
      on: {
        connected: () => {
          this.#connected = true;
          clearTimeout(this.#connectTimer);
        },
        // Every way the socket ends passes here first, before the client's own handling.
        closed: (event) => this.#end(event),
        error: (error) => settings.logger.debug("upstream socket error", { serviceName: settings.serviceName, error }),
      },
    });
    this.#connectTimer = setTimeout(() => {
      this.#timedOut = true;
      this.#terminate();
    }, settings.connectTimeoutMillis);
  }

  /** False once the socket has closed or is closing: the connection takes no more subscriptions. */
  get usable(): boolean {
    return !this.#ended && !this.#retiring;
  }

  /** Starts `payload` on the subgraph; the returned function stops it (sends `complete`, the socket stays). */
  subscribe(payload: SubscribePayload, subscriber: ConnectionSubscriber): () => void {
    if (!this.usable) throw new Error("subscribe on an ended upstream connection");
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    let active = true;
    this.#subscribers.set(subscriber, () => {
      active = false;
    });
    const leave = () => {
      active = false;
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0 && !this.#ended) this.#closeWhenIdle();
    };
    const unsubscribe = this.#client.subscribe<Record<string, unknown>, Record<string, unknown>>(payload, {
      next: (value) => {
        if (active) subscriber.next(value);
      },
      error: (error) => {
        // Close events reach `lost` through `#end`; only the subgraph's GraphQL errors get here.
        if (!active || !Array.isArray(error)) return;
        // The subgraph is draining (a rolling restart): this socket finishes what runs on it, new
        // subscriptions go to another replica (the upstream pool's, gateway/upstreams/) or a new connection.
        if (error.some((item: { extensions?: { reason?: unknown } }) => item.extensions?.reason === serverRestartingReason)) this.#retire();
        leave();
        subscriber.error(error);
      },
      complete: () => {
        if (!active) return;
        leave();
        subscriber.complete();
      },
    });
    return () => {
      if (!active) return;
      leave();
      unsubscribe();
    };
  }

  /** Ends the connection now (gateway shutdown); subscriptions still on it are told `lost`. */
  close(): void {
    this.#terminate();
  }

  /** Out of the pool: takes no new subscriptions; closes once the running ones have ended. */
  #retire(): void {
    if (this.#retiring || this.#ended) return;
    this.#retiring = true;
    this.#onEnded();
  }

  #closeWhenIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#subscribers.size > 0) return;
      // Out of the pool first: a subscription arriving while the socket closes gets a new connection.
      this.#retiring = true;
      this.#onEnded();
      // Closing normally (1000) reaches `#end` through the client's `closed` event.
      void Promise.resolve(this.#client.dispose()).catch(() => this.#terminate());
    }, this.#settings.keepOpenMillis);
    // An idle connection must not keep a stopping gateway alive.
    this.#idleTimer.unref();
  }

  #terminate(): void {
    if (this.#ended) return;
    this.#client.terminate();
    // `terminate` reports nothing while no socket was started; the connection ends all the same.
    this.#end({ code: 4499 });
  }

  #end(event: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#idleTimer);
    const code = closeCode(event);
    if (code === WebSocketCloseCode.Unauthorized || code === WebSocketCloseCode.Forbidden) {
      this.#settings.logger.error("a subgraph refused the gateway's signed context: are INTERNAL_SIGNING_SECRETs the same?", { serviceName: this.#settings.serviceName, code });
    }
    const end: ConnectionEnd = {
      reason: this.#timedOut && !this.#connected ? `no connection within ${this.#settings.connectTimeoutMillis} ms` : describeClose(code, this.#connected),
    };
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    // Silenced first: the disposed client still completes its sinks afterwards.
    for (const [, silence] of subscribers) silence();
    if (subscribers.length > 0) {
      this.#settings.logger.warn("upstream connection ended under its subscriptions", { serviceName: this.#settings.serviceName, subscriptions: subscribers.length, reason: end.reason, code, closeReason: closeReasonOf(event) });
    }
    // Disposed, the client cannot resubscribe what was running on the socket. Disposing a client
    // whose connecting failed rejects with that failure, which `lost` reports already.
    Promise.resolve(this.#client.dispose()).catch(() => undefined);
    this.#onEnded();
    for (const [subscriber] of subscribers) subscriber.lost(end);
  }
}

function closeCode(event: unknown): number | undefined {
  const code = typeof event === "object" && event !== null ? (event as { code?: unknown }).code : undefined;
  return typeof code === "number" ? code : undefined;
}

function closeReasonOf(event: unknown): string | undefined {
  const reason = typeof event === "object" && event !== null ? (event as { reason?: unknown }).reason : undefined;
  return typeof reason === "string" && reason !== "" ? reason : undefined;
}

/** A reason safe to show clients: no addresses, no internal messages. */
function describeClose(code: number | undefined, wasConnected: boolean): string {
  if (!wasConnected) return "could not connect";
  if (code === WebSocketCloseCode.GoingAway) return "it is restarting";
  if (code === WebSocketCloseCode.ServerRestarting) return "it restarted before the stream finished";
  if (code === 1006 || code === 4499) return "connection lost";
  return `connection closed with code ${code ?? "unknown"}`;
}

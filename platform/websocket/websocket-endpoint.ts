import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerOptions } from "graphql-ws";
import { useServer, type Extra } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { serverRestartingReason, type DrainableStreams } from "../lifecycle/drain-streams.ts";
import type { Logger } from "../logging/logger.ts";
import { closeReason, WebSocketCloseCode } from "./close-codes.ts";

/**
 * A graphql-ws server that shares a service's HTTP port: the service's HTTP server hands it the
 * `upgrade` requests of its GraphQL path (see `webSocket` in `platform/http/service-server.ts`).
 *
 * Stopping is a drain (`DrainableStreams`, run by `drainStreams`): `stopAccepting` refuses new
 * upgrades (503) and new operations on open sockets (`SERVICE_UNAVAILABLE`, retryable, with
 * `extensions.reason: "SERVER_RESTARTING"`) and closes every socket without a running operation
 * with 1001 (Going Away); a socket whose operations end later is closed the same way then.
 * `close` ends the sockets still running operations with 4503 (`ServerRestarting`, retryable) and
 * resolves when every socket is closed.
 */
export interface WebSocketEndpoint extends DrainableStreams {
  /** Takes over an HTTP upgrade request (the caller has already checked the path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open sockets. */
  readonly connectionCount: number;
  /** Operations running on all sockets (subscriptions, queries and mutations). */
  readonly operationCount: number;
  /**
   * Stops accepting (if not done yet), closes sockets still running operations with 4503 and the
   * rest with 1001 (their operations end, which cancels whatever they were streaming), and resolves
   * when all are closed. Sockets that do not finish the close handshake within `closeTimeoutMillis`
   * are dropped. Idempotent.
   */
  close(): Promise<void>;
}

export interface WebSocketEndpointSettings {
  /** Largest message a client may send, in bytes. Default 1 MiB (1,048,576). */
  maxPayloadBytes?: number;
  /** Interval of the server's WebSocket pings, in milliseconds; a socket that misses a pong for as long is dropped. Default 12,000. */
  keepAliveMillis?: number;
  /** How long `close` waits for clients to answer the close frame before dropping them, in milliseconds. Default 3,000. */
  closeTimeoutMillis?: number;
  logger: Logger;
}

/** Defaults of {@link WebSocketEndpointSettings}. */
export const webSocketEndpointDefaults = {
  maxPayloadBytes: 1_048_576,
  keepAliveMillis: 12_000,
  closeTimeoutMillis: 3_000,
} as const;

/**
 * Serves `serverOptions` (graphql-ws server options: `onConnect`, `context`, `schema`...) on a
 * `ws` server with no listening socket of its own. Server errors are never sent to clients
 * (`isProd`): close reasons and messages come from the options' own callbacks.
 */
export function createWebSocketEndpoint<P extends Record<string, unknown>, E extends Record<PropertyKey, unknown>>(
  serverOptions: ServerOptions<P, Extra & Partial<E>>,
  settings: WebSocketEndpointSettings,
): WebSocketEndpoint {
  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxPayloadBytes ?? webSocketEndpointDefaults.maxPayloadBytes,
    // Compression costs ~300 KB of zlib state per socket; GraphQL events are small.
    perMessageDeflate: false,
    clientTracking: true,
  });
  let closing: Promise<void> | undefined;
  let accepting = true;
  /** The graphql-ws context of each socket that ever started an operation (its `subscriptions` are the running ones). */
  const contexts = new WeakMap<WebSocket, { subscriptions: Record<string, unknown> }>();
  const idleWaiters: (() => void)[] = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  const running = (socket: WebSocket) => Object.keys(contexts.get(socket)?.subscriptions ?? {}).length;
  const operationCount = () => [...webSocketServer.clients].reduce((total, socket) => total + running(socket), 0);
  /** While draining: closes sockets whose operations have all ended, and wakes `whenIdle` once none runs. */
  const sweep = () => {
    if (accepting) return;
    for (const socket of webSocketServer.clients) {
      if (socket.readyState === WebSocket.OPEN && running(socket) === 0) socket.close(WebSocketCloseCode.GoingAway, "The server is restarting: reconnect.");
    }
    if (operationCount() > 0) return;
    clearInterval(sweepTimer);
    for (const wake of idleWaiters.splice(0)) wake();
  };
  const refusal = () => [
    new ServiceError(ErrorCode.ServiceUnavailable, "The server is restarting and takes no new operations: reconnect (another replica takes them).", {
      details: { reason: serverRestartingReason },
    }),
  ];
  const server = useServer<P, E>(
    {
      ...serverOptions,
      isProd: true,
      onSubscribe: async (ctx, id, payload) => {
        if (!accepting) return refusal();
        contexts.set(ctx.extra.socket, ctx);
        return serverOptions.onSubscribe?.(ctx, id, payload);
      },
      onComplete: async (ctx, id, payload) => {
        await serverOptions.onComplete?.(ctx, id, payload);
        // graphql-ws forgets the operation right after this callback.
        if (!accepting) setImmediate(sweep);
      },
    },
    webSocketServer,
    settings.keepAliveMillis ?? webSocketEndpointDefaults.keepAliveMillis,
  );
  webSocketServer.on("wsClientError", (error) => settings.logger.debug("websocket handshake refused", { error }));
  const stopAccepting = () => {
    if (!accepting) return;
    accepting = false;
    // Operations end through graphql-ws callbacks and socket closes; a sweep now and then catches every way.
    sweepTimer = setInterval(sweep, 100);
    sweep();
  };

  return {
    handleUpgrade(request, socket, head) {
      if (!accepting) {
        rejectUpgrade(socket, 503, "The service is stopping.");
        return;
      }
      webSocketServer.handleUpgrade(request, socket, head, (webSocket) => webSocketServer.emit("connection", webSocket, request));
    },
    get connectionCount() {
      return webSocketServer.clients.size;
    },
    get operationCount() {
      return operationCount();
    },
    stopAccepting,
    whenIdle() {
      if (!accepting && operationCount() === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closing ??= (async () => {
        stopAccepting();
        clearInterval(sweepTimer);
        const clients = [...webSocketServer.clients];
        for (const socket of clients) {
          if (socket.readyState !== WebSocket.OPEN) continue;
          if (running(socket) > 0) socket.close(WebSocketCloseCode.ServerRestarting, closeReason("Server restarting: the operation outlived the grace period; reconnect and retry."));
          else socket.close(WebSocketCloseCode.GoingAway, "The server is restarting: reconnect.");
        }
        const timer = setTimeout(() => {
          for (const client of clients) client.terminate();
        }, settings.closeTimeoutMillis ?? webSocketEndpointDefaults.closeTimeoutMillis);
        try {
          // Every socket is closing already (graphql-ws's own 1001 is a no-op on them); waits until every one is gone.
          await server.dispose();
        } finally {
          clearTimeout(timer);
          for (const wake of idleWaiters.splice(0)) wake();
        }
      })();
      return closing;
    },
  };
}

const statusTexts: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable" };

/** Answers an upgrade request with a plain HTTP error (plus `headers`, such as `Retry-After`) and closes the connection. */
export function rejectUpgrade(socket: Duplex, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = JSON.stringify({ error: message });
  const extraHeaders = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.end(
    `HTTP/1.1 ${status} ${statusTexts[status] ?? "Error"}\r\nConnection: close\r\n${extraHeaders}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerOptions } from "graphql-ws";
import { useServer, type Extra } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Logger } from "../logging/logger.ts";

/**
 * A graphql-ws server that shares a service's HTTP port: the service's HTTP server hands it the
 * `upgrade` requests of its GraphQL path (see `webSocket` in `platform/http/service-server.ts`).
 */
export interface WebSocketEndpoint {
  /** Takes over an HTTP upgrade request (the caller has already checked the path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open sockets. */
  readonly connectionCount: number;
  /**
   * Refuses new upgrades, closes every socket with 1001 (Going Away; their operations end, which
   * cancels whatever they were streaming) and resolves when all are closed. Sockets that do not
   * finish the close handshake within `closeTimeoutMillis` are dropped. Idempotent.
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
  const server = useServer<P, E>({ ...serverOptions, isProd: true }, webSocketServer, settings.keepAliveMillis ?? webSocketEndpointDefaults.keepAliveMillis);
  webSocketServer.on("wsClientError", (error) => settings.logger.debug("websocket handshake refused", { error }));
  let closing: Promise<void> | undefined;

  return {
    handleUpgrade(request, socket, head) {
      if (closing !== undefined) {
        rejectUpgrade(socket, 503, "The service is stopping.");
        return;
      }
      webSocketServer.handleUpgrade(request, socket, head, (webSocket) => webSocketServer.emit("connection", webSocket, request));
    },
    get connectionCount() {
      return webSocketServer.clients.size;
    },
    close() {
      closing ??= (async () => {
        const clients = [...webSocketServer.clients];
        const timer = setTimeout(() => {
          for (const client of clients) client.terminate();
        }, settings.closeTimeoutMillis ?? webSocketEndpointDefaults.closeTimeoutMillis);
        try {
          // Closes each socket with 1001 "Going away", then waits until every one is gone.
          await server.dispose();
        } finally {
          clearTimeout(timer);
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

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * How long a client may take to send a request, and to keep an idle connection. These bound slow
 * *requests* only: once a request has arrived, its response may take as long as the work needs (a
 * non-streamed generation runs for minutes).
 */
export interface HttpTimeouts {
  /** Time to receive a request's headers, from its first byte (or the connection), in milliseconds; then 408 and close. Default 10,000. */
  headersTimeoutMillis: number;
  /** Time to receive a whole request, headers and body, in milliseconds; then 408 and close. At least `headersTimeoutMillis`. Default 30,000. */
  requestTimeoutMillis: number;
  /** How long a connection may wait idle for its next request after a response, in milliseconds. Default 5,000. */
  keepAliveTimeoutMillis: number;
  /** Longest silence while a request is being received (headers or body), in milliseconds; then the socket is closed. Default 10,000. */
  socketIdleTimeoutMillis: number;
  /**
   * How often node checks the header and request timeouts, in milliseconds: a slow request is
   * closed up to this long after its timeout (node's default, 30,000, let slowloris sockets live
   * 95 s against a 60 s timeout). Default 1,000.
   */
  timeoutCheckIntervalMillis: number;
}

export const defaultHttpTimeouts: HttpTimeouts = {
  headersTimeoutMillis: 10_000,
  requestTimeoutMillis: 30_000,
  keepAliveTimeoutMillis: 5_000,
  socketIdleTimeoutMillis: 10_000,
  timeoutCheckIntervalMillis: 1_000,
};

/**
 * An HTTP server that closes slow clients: node's header and request timeouts (checked every
 * `timeoutCheckIntervalMillis`), its keep-alive timeout, and a socket idle timeout that spares
 * connections whose request has fully arrived and is waiting for our answer.
 */
export function createTimedHttpServer(timeouts: HttpTimeouts): Server {
  const server = createServer({
    headersTimeout: timeouts.headersTimeoutMillis,
    requestTimeout: timeouts.requestTimeoutMillis,
    connectionsCheckingInterval: timeouts.timeoutCheckIntervalMillis,
  });
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMillis;
  // Arms the idle timer of every new connection (node's `timeout` event below).
  server.timeout = timeouts.socketIdleTimeoutMillis;
  const current = new WeakMap<Socket, { request: IncomingMessage; response: ServerResponse }>();
  const track = (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    current.set(socket, { request, response });
    // Node disarms the timer while a kept-alive connection waits for its next request: arm it again.
    socket.setTimeout(timeouts.socketIdleTimeoutMillis);
    const forget = () => {
      if (current.get(socket)?.response === response) current.delete(socket);
    };
    response.once("finish", forget).once("close", forget);
  };
  server.on("request", track);
  server.on("checkContinue", track);
  // With a listener here node leaves the socket to us. A silent socket is closed unless its request
  // has fully arrived and its response is still being produced: that silence is ours, not the client's.
  server.on("timeout", (socket: Socket) => {
    const exchange = current.get(socket);
    if (exchange !== undefined && exchange.request.complete && !exchange.response.writableEnded) return;
    socket.destroy();
  });
  return server;
}

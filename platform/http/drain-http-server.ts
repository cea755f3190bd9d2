import type { Server } from "node:http";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";

/**
 * Drains the HTTP server when Apollo Server stops: stops listening and closes idle keep-alive
 * connections at once, lets in-flight requests finish for up to `stopGracePeriodMillis`
 * (milliseconds), then closes every HTTP connection left. Requests that arrive meanwhile on open
 * keep-alive connections are answered with `Connection: close` (see `startServiceServer`).
 *
 * Unlike `ApolloServerPluginDrainHttpServer`, which ends every socket without a pending request at
 * once (upgraded WebSocket sockets among them, cutting their streams), this uses Node's own
 * connection tracking (`closeIdleConnections`, `closeAllConnections`), which leaves upgraded
 * sockets to their WebSocket server's drain.
 */
export function drainHttpServerPlugin<Context extends BaseContext>(httpServer: Server, stopGracePeriodMillis: number): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          httpServer.closeIdleConnections();
          // Connections that finish their request close then; keep-alive sockets that become idle are swept.
          const sweep = setInterval(() => httpServer.closeIdleConnections(), 250);
          let timer: NodeJS.Timeout | undefined;
          const graceOver = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, stopGracePeriodMillis);
          });
          try {
            await Promise.race([closed, graceOver]);
          } finally {
            clearInterval(sweep);
            clearTimeout(timer);
          }
          httpServer.closeAllConnections();
          await closed;
        },
      };
    },
  };
}

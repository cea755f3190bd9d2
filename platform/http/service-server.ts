import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { ApolloServer, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ErrorCode } from "../errors/error-code.ts";
import { drainStreams } from "../lifecycle/drain-streams.ts";
import { createRequestLog, requestLogPlugin } from "../logging/access-log.ts";
import type { Logger } from "../logging/logger.ts";
import { operationRecorder } from "../metrics/operation-metrics.ts";
import type { ServiceMetrics } from "../metrics/service-metrics.ts";
import { reportDependencies } from "../metrics/store-metrics.ts";
import { requestLogBindings } from "../logging/request-scope.ts";
import { graphqlOperationSpanPlugin } from "../tracing/graphql-operation-span.ts";
import { traceHttpRequest } from "../tracing/server-span.ts";
import { tracingEnabled } from "../tracing/tracing-state.ts";
import { rejectUpgrade, type WebSocketEndpoint } from "../websocket/websocket-endpoint.ts";
import { applyCors, type CorsSettings } from "./cors.ts";
import { drainHttpServerPlugin } from "./drain-http-server.ts";
import { createGraphQLHttpHandler, writeJson, type GraphQLHttpHandlerOptions } from "./graphql-http-handler.ts";
import { createTimedHttpServer, defaultHttpTimeouts, type HttpTimeouts } from "./http-timeouts.ts";
import type { AdmitRequest, AdmitUpgrade } from "./request-admission.ts";

/**
 * How long streams cut at the end of the grace period have to receive their last event (a close
 * frame, a final error) before the HTTP drain closes every connection, in milliseconds.
 */
export const streamEndMillis = 1_000;

/** A named check behind `/readyz`; resolves when the dependency is usable, rejects otherwise. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ServiceServerOptions<Context extends BaseContext, Admitted = undefined> {
  /** Service name, for logs. */
  name: string;
  /** Interface to listen on. */
  host: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Path of the GraphQL endpoint. Default `/graphql`. */
  graphqlPath?: string;
  /** Largest accepted request body, in bytes. */
  maximumBodyBytes: number;
  /** Most operations in one batched HTTP request; see `GraphQLHttpHandlerOptions.maximumBatchOperations`. Default 1. */
  maximumBatchOperations?: number;
  /** How long clients may take to send requests and keep idle connections. Default `defaultHttpTimeouts` (each field documents its own). */
  httpTimeouts?: HttpTimeouts;
  /**
   * How long stopping lets in-flight requests and streams (graphql-ws operations, SSE and multipart
   * subscriptions) finish, in milliseconds; then streams end with a retryable signal (see
   * `drainStreams`) and, `streamEndMillis` later, remaining connections are closed.
   */
  stopGracePeriodMillis: number;
  /** Builds the Apollo Server; `plugins` must be added to its plugins (they drain the HTTP server on stop). */
  createApolloServer: (plugins: ApolloServerPlugin<Context>[]) => ApolloServer<Context>;
  /**
   * Checks a GraphQL request on its headers before its body is read (authentication, rate limits);
   * what it establishes goes to `context`, a refusal is answered at once. Default: admit all.
   */
  admitRequest?: AdmitRequest<Admitted>;
  /** The same for WebSocket upgrades of the GraphQL path, before the handshake. Default: admit all. */
  admitUpgrade?: AdmitUpgrade;
  /** Builds the context of one operation; `signal` aborts when the client goes away, `admitted` is what `admitRequest` established. */
  context: (request: IncomingMessage, signal: AbortSignal, admitted: Admitted | undefined) => Promise<Context>;
  /** Rewrites each operation before Apollo sees it; see `GraphQLHttpHandlerOptions.prepareOperation`. */
  prepareOperation?: GraphQLHttpHandlerOptions<Context, Admitted>["prepareOperation"];
  /** Other protocols on the GraphQL URL (SSE, multipart subscriptions); see `GraphQLHttpHandlerOptions.streamingTransport`. */
  streamingTransport?: GraphQLHttpHandlerOptions<Context, Admitted>["streamingTransport"];
  /**
   * Which web pages may call the service from a browser: CORS headers on every response of an
   * allowed origin, preflights answered before routing (see `applyCors`). Default: no CORS (the
   * subgraphs, which browsers never call).
   */
  cors?: CorsSettings;
  /** Dependencies `/readyz` checks. */
  readinessChecks?: ReadinessCheck[];
  /** More routes by exact path (the gateway's playground page and its assets); GET and HEAD only. */
  routes?: Readonly<Record<string, (request: IncomingMessage, response: ServerResponse) => void | Promise<void>>>;
  /**
   * The service's Prometheus registry (platform/metrics/), served at `/metrics` in the text format,
   * with RED series of every GraphQL request and `service_dependency_up` of each readiness check added;
   * no route when absent (METRICS_ENABLED=false).
   */
  metrics?: ServiceMetrics;
  /** Run after the HTTP server has drained: close stores, flush buffers. */
  onStopped?: () => Promise<void>;
  /** Lets a caller add routes (WebSocket upgrades, internal endpoints) to the HTTP server. */
  configureHttpServer?: (httpServer: Server) => void;
  /**
   * Serves graphql-ws on the GraphQL path of the same port (see `platform/websocket/`); upgrades
   * of other paths get 404. On stop it drains alongside the HTTP server: no new sockets or
   * operations, running ones get `stopGracePeriodMillis`, then 4503 (see `WebSocketEndpoint`).
   */
  webSocket?: WebSocketEndpoint;
  logger: Logger;
}

export interface RunningService {
  /** Base URL, for example `http://127.0.0.1:4001`. */
  url: string;
  /** URL of the GraphQL endpoint. */
  graphqlUrl: string;
  port: number;
  httpServer: Server;
  /** Stops accepting requests, lets in-flight ones finish (up to the grace period), then runs `onStopped`. Idempotent. */
  stop: () => Promise<void>;
}

/**
 * Starts one service: GraphQL at `graphqlPath`, liveness at `/healthz`, readiness at `/readyz`
 * (503 while a dependency is down or the service is stopping, so load balancers drain it first).
 */
export async function startServiceServer<Context extends BaseContext, Admitted = undefined>(
  options: ServiceServerOptions<Context, Admitted>,
): Promise<RunningService> {
  const graphqlPath = options.graphqlPath ?? "/graphql";
  const httpServer = createTimedHttpServer(options.httpTimeouts ?? defaultHttpTimeouts);
  const apollo = options.createApolloServer([
    // Streams cut at the end of the grace period get `streamEndMillis` to receive their last event before connections close.
    drainHttpServerPlugin<Context>(httpServer, options.stopGracePeriodMillis + streamEndMillis),
    requestLogPlugin<Context>(),
    // Names the request span after its operation; only when traces are exported (started before the service).
    ...(tracingEnabled() ? [graphqlOperationSpanPlugin<Context>()] : []),
  ]);
  if (options.metrics !== undefined) reportDependencies(options.metrics, options.readinessChecks ?? []);
  await apollo.start();
  const handleGraphQL = createGraphQLHttpHandler(apollo, {
    maximumBodyBytes: options.maximumBodyBytes,
    ...(options.maximumBatchOperations === undefined ? {} : { maximumBatchOperations: options.maximumBatchOperations }),
    ...(options.admitRequest === undefined ? {} : { admitRequest: options.admitRequest }),
    ...(options.prepareOperation === undefined ? {} : { prepareOperation: options.prepareOperation }),
    ...(options.streamingTransport === undefined ? {} : { streamingTransport: options.streamingTransport }),
    context: options.context,
  });
  let stopping = false;

  const handle = async (request: IncomingMessage, response: ServerResponse, url: URL | undefined) => {
    if (options.cors !== undefined && applyCors(options.cors, request, response)) return;
    if (url === undefined) {
      writeJson(response, 400, { errors: [{ message: invalidTargetMessage, extensions: { code: ErrorCode.BadRequest, retryable: false } }] });
      return;
    }
    const path = url.pathname;
    if (path === "/healthz") {
      writeJson(response, 200, { status: "ok" });
    } else if (path === "/readyz") {
      const report = stopping ? { ready: false, checks: { shutdown: "stopping" } } : await runChecks(options.readinessChecks ?? []);
      writeJson(response, report.ready ? 200 : 503, { status: report.ready ? "ready" : "unavailable", checks: report.checks });
    } else if (path === "/metrics" && options.metrics !== undefined) {
      const exposition = await options.metrics.exposition(url.searchParams.getAll("name[]"));
      response.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(exposition);
    } else if (path === graphqlPath) {
      await handleGraphQL(request, response, url);
    } else if (options.routes !== undefined && Object.hasOwn(options.routes, path) && (request.method === "GET" || request.method === "HEAD")) {
      await options.routes[path]?.(request, response);
    } else {
      writeJson(response, 404, { error: `Not found. GraphQL is served at ${graphqlPath}.` });
    }
  };
  // One access line per GraphQL request (platform/logging/access-log.ts); lines logged meanwhile carry its request id.
  // The same requests feed the RED series (platform/metrics/operation-metrics.ts), refusals before Apollo included.
  const operations = options.metrics === undefined ? undefined : operationRecorder(options.metrics);
  const requestLog = createRequestLog(options.logger, { graphqlPath, ...(operations === undefined ? {} : { onRequestEnd: operations.ended }) });
  const serve = (request: IncomingMessage, response: ServerResponse, url: URL | undefined) => {
    // Stopping: answer, then close the connection (the drain waits for it).
    if (stopping) response.shouldKeepAlive = false;
    requestLog.run(request, response, url?.pathname, () => {
      handle(request, response, url).catch((error: unknown) => {
        options.logger.error("request failed", { error, url: request.url, ...requestLogBindings() });
        if (!response.headersSent) writeJson(response, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
        else response.destroy();
      });
    });
  };
  // GraphQL requests get a span continuing the caller's `traceparent` (platform/tracing/); probes and scrapes do not.
  // The target is parsed once, here; one that is no URL path (`GET http://[`) gets a 400, never a throw.
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const url = requestUrl(request);
    if (tracingEnabled() && request.method !== "OPTIONS" && url?.pathname === graphqlPath) traceHttpRequest(request, response, graphqlPath, () => serve(request, response, url));
    else serve(request, response, url);
  };
  httpServer.on("request", onRequest);
  // `Expect: 100-continue` requests come here instead of "request"; the GraphQL handler invites the
  // body only once the request is admitted (a refused client never sends it), other routes ignore it.
  httpServer.on("checkContinue", onRequest);
  const webSocket = options.webSocket;
  if (webSocket !== undefined) {
    httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = requestUrl(request)?.pathname;
      if (path === undefined) rejectUpgrade(socket, 400, invalidTargetMessage);
      else if (path !== graphqlPath) rejectUpgrade(socket, 404, `Not found. GraphQL over WebSocket is served at ${graphqlPath}.`);
      else if (stopping) rejectUpgrade(socket, 503, "The service is stopping.");
      else if (options.admitUpgrade === undefined) webSocket.handleUpgrade(request, socket, head);
      else {
        options.admitUpgrade(request).then(
          (refusal) => {
            if (socket.destroyed) return;
            if (refusal === undefined) webSocket.handleUpgrade(request, socket, head);
            else rejectUpgrade(socket, refusal.status, refusal.error.message, refusal.headers);
          },
          (error: unknown) => {
            options.logger.error("upgrade check failed", { error, url: request.url });
            rejectUpgrade(socket, 503, "The service cannot take the connection now; try again shortly.");
          },
        );
      }
    });
  }
  options.configureHttpServer?.(httpServer);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const displayHost = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const url = `http://${displayHost}:${port}`;
  options.logger.info("listening", { url: `${url}${graphqlPath}` });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      // Upgraded sockets keep the HTTP server from closing: they drain alongside it (Apollo's drain
      // stops listening at once and lets requests finish; SSE and multipart streams drain through
      // their transport's plugin).
      const drained = webSocket === undefined ? undefined : drainStreams([webSocket], options.stopGracePeriodMillis);
      await Promise.all([apollo.stop(), drained]);
      await options.onStopped?.();
      options.logger.info("stopped");
    })();
    return stopped;
  };
  return { url, graphqlUrl: `${url}${graphqlPath}`, port, httpServer, stop };
}

async function runChecks(checks: ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await check();
        return [name, "ok"] as const;
      } catch (error) {
        return [name, (error as Error).message] as const;
      }
    }),
  );
  return { ready: results.every(([, result]) => result === "ok"), checks: Object.fromEntries(results) };
}

/** What a request whose target is no URL (`GET http://[`) is told, with a 400. */
const invalidTargetMessage = "The request target is not a valid URL path.";

/** The request's target as a URL (origin-form or absolute-form), or undefined when it is not one. */
function requestUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}

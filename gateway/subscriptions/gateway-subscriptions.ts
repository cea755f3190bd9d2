import type { ApolloGateway, GraphQLDataSource } from "@apollo/gateway";
import type { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { StreamingTransport } from "../../platform/http/graphql-http-handler.ts";
import type { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import { emptyMeteredUsage } from "../../platform/metering/metered-usage.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { defineSubscriptionMetrics, type SubscriptionMetrics } from "../../platform/metrics/subscription-metrics.ts";
import type { WebSocketEndpoint } from "../../platform/websocket/websocket-endpoint.ts";
import type { ApiKeyStore } from "../../platform/api-keys/api-key-store.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { startOperationDeadline } from "../operation-deadline.ts";
import { createGatewayWebSocketEndpoint, type OperationExecutor } from "./gateway-websocket.ts";
import { MultipartTransport } from "./multipart-transport.ts";
import { isSseRequest, SseTransport } from "./sse-transport.ts";
import { resolveSubscriptionOptions, type ResolvedSubscriptionOptions, type SubscriptionOptions } from "./subscription-options.ts";
import { SubscriptionPlanner } from "./subscription-planner.ts";
import { SubscriptionStarter, type OperationPayload, type SubscriptionGuard } from "./subscription-starter.ts";
import { drainStreams } from "../../platform/lifecycle/drain-streams.ts";
import { UpstreamSubscriptions } from "./upstream-subscriptions.ts";
import type { UpstreamPools } from "../upstreams/upstream-pools.ts";

export interface GatewaySubscriptionsOptions {
  gateway: ApolloGateway;
  apiKeys: ApiKeyStore;
  signer: InternalContextSigner;
  /** The gateway's own data-source factory (`buildService`), for the entity fetches of events. */
  buildDataSource: (subgraph: { name: string; url: string }) => GraphQLDataSource<GatewayContext>;
  /** The URL of a subgraph, given its name and the URL the supergraph records (the gateway's overrides). */
  subgraphUrl: (name: string, recordedUrl: string) => string;
  logger: Logger;
  options?: SubscriptionOptions;
  /** Where subscriptions open, started and events sent are counted; nowhere when absent. */
  metrics?: ServiceMetrics;
  /** The subgraphs' replicas, shared with the HTTP data sources: subscriptions spread over them by least load. */
  pools?: UpstreamPools;
}

/** The HTTP half of the gateway's subscriptions: to serve on the GraphQL URL, and to stop with Apollo Server. */
export interface HttpSubscriptionTransports {
  /** GraphQL over SSE and multipart subscriptions (`streamingTransport` of the service server). */
  transport: StreamingTransport<RequestContext>;
  /**
   * Drains the streams as Apollo Server starts stopping: no new ones, running ones get
   * `stopGracePeriodMillis`, then end with a retryable `SERVICE_UNAVAILABLE` (`drainStreams`).
   */
  plugin: ApolloServerPlugin<GatewayContext>;
  sse: SseTransport;
  multipart: MultipartTransport;
}

/**
 * Federated subscriptions for the gateway: plans with a `QueryPlanner` that follows the gateway's
 * supergraph (hot reloads included), forwards each subscription to the subgraph owning its root
 * field over graphql-ws and resolves its events through the federated executor. Create it before
 * the gateway loads (it listens to `onSchemaLoadOrUpdate`).
 *
 * Clients subscribe over three transports on the one GraphQL URL, all through one
 * `SubscriptionStarter` (same limits, cost analysis, buffers and error codes): graphql-ws
 * (`createEndpoint`), and GraphQL over SSE and Apollo's multipart HTTP (`createHttpTransports`).
 */
export class GatewaySubscriptions {
  readonly options: ResolvedSubscriptionOptions;
  readonly planner: SubscriptionPlanner;
  readonly #upstream: UpstreamSubscriptions;
  readonly #settings: GatewaySubscriptionsOptions;
  readonly #stopListening: () => void;
  readonly #httpTransports: { sse: SseTransport; multipart: MultipartTransport }[] = [];
  #active = 0;
  readonly #metrics: SubscriptionMetrics | undefined;

  constructor(settings: GatewaySubscriptionsOptions) {
    this.#settings = settings;
    this.#metrics = settings.metrics?.concern(defineSubscriptionMetrics);
    this.options = resolveSubscriptionOptions(settings.options);
    this.planner = new SubscriptionPlanner({
      subgraphUrl: settings.subgraphUrl,
      buildDataSource: settings.buildDataSource,
      planCacheSize: this.options.planCacheSize,
      logger: settings.logger,
    });
    this.#upstream = new UpstreamSubscriptions({
      signer: settings.signer,
      connectTimeoutMillis: this.options.upstreamConnectTimeoutMillis,
      idleTimeoutMillis: this.options.upstreamIdleTimeoutMillis,
      keepOpenMillis: this.options.upstreamKeepOpenMillis,
      ...(settings.pools === undefined ? {} : { pools: settings.pools }),
      logger: settings.logger,
    });
    this.#stopListening = settings.gateway.onSchemaLoadOrUpdate((schema) => this.planner.update(schema));
  }

  /** Client subscriptions running now. */
  get activeSubscriptions(): number {
    return this.#active;
  }

  /** Subscriptions open on subgraphs now. */
  get upstreamSubscriptions(): number {
    return this.#upstream.openCount;
  }

  /** GraphQL over SSE reservations (single connection mode) held now, their streams opened or not. */
  get sseReservations(): number {
    return this.#httpTransports.reduce((sum, { sse }) => sum + sse.reservationCount, 0);
  }

  /** Connections to subgraphs open now (subscriptions to one subgraph endpoint share one). */
  get upstreamConnections(): number {
    return this.#upstream.connectionCount;
  }

  /** The graphql-ws endpoint to serve on the gateway's GraphQL path (`webSocket` of `startServiceServer`). */
  createEndpoint(settings: { executeOperation: OperationExecutor; maxPayloadBytes: number; closeTimeoutMillis: number; guard?: SubscriptionGuard; resolvePersistedDocument?: (payload: OperationPayload) => Promise<OperationPayload> }): WebSocketEndpoint {
    return createGatewayWebSocketEndpoint({
      ...(settings.resolvePersistedDocument === undefined ? {} : { resolvePersistedDocument: settings.resolvePersistedDocument }),
      apiKeys: this.#settings.apiKeys,
      starter: this.#starter(settings.guard),
      executeOperation: settings.executeOperation,
      maxPayloadBytes: settings.maxPayloadBytes,
      closeTimeoutMillis: settings.closeTimeoutMillis,
      options: this.options,
      logger: this.#settings.logger,
    });
  }

  /**
   * GraphQL over SSE (graphql-sse's protocol, both modes) and Apollo's multipart HTTP
   * subscriptions, for the gateway's HTTP handler: requests arrive authenticated and rate limited
   * by its admission (`Authorization` header; 401/429 as for any request).
   */
  createHttpTransports(settings: {
    executeOperation: OperationExecutor;
    guard?: SubscriptionGuard;
    /** How long running streams may go on once the gateway stops, in milliseconds (`SHUTDOWN_GRACE_PERIOD_MILLIS`). Default 0: ended at once. */
    stopGracePeriodMillis?: number;
  }): HttpSubscriptionTransports {
    const starter = this.#starter(settings.guard);
    const { logger } = this.#settings;
    const sse = new SseTransport({ starter, executeOperation: settings.executeOperation, options: this.options, logger });
    const multipart = new MultipartTransport({ starter, options: this.options, logger });
    this.#httpTransports.push({ sse, multipart });
    return {
      sse,
      multipart,
      transport: {
        claims: isSseRequest,
        serve: (exchange) => sse.serve(exchange),
        serveOperation: (exchange) => multipart.serveOperation(exchange),
      },
      plugin: {
        async serverWillStart() {
          return {
            async drainServer() {
              const { cutTargets } = await drainStreams([multipart, sse], settings.stopGracePeriodMillis ?? 0);
              if (cutTargets > 0) logger.warn("HTTP subscriptions outlived the shutdown grace period and were ended (SERVER_RESTARTING)");
            },
          };
        },
      },
    };
  }

  #starter(guard: SubscriptionGuard | undefined): SubscriptionStarter {
    return new SubscriptionStarter({
      planner: this.planner,
      upstream: this.#upstream,
      options: this.options,
      ...(guard === undefined ? {} : { guard }),
      logger: this.#settings.logger,
      onSubscriptionCountChange: (delta) => {
        this.#active += delta;
        this.#metrics?.open.inc(delta);
        if (delta > 0) this.#metrics?.started.inc();
      },
      ...(this.#metrics === undefined ? {} : { onEventSent: () => this.#metrics?.eventsSent.inc() }),
    });
  }

  /** Stops following the supergraph and cancels what is still open upstream (the endpoint closes client sockets itself). */
  close(): void {
    this.#stopListening();
    for (const { sse, multipart } of this.#httpTransports) {
      multipart.close();
      void sse.close();
    }
    this.#upstream.closeAll();
  }
}

/**
 * Queries and mutations sent over the WebSocket run through Apollo Server, exactly as over HTTP,
 * under the same deadline: `operationDeadlineMillis` (0: none) from the message's arrival.
 */
export function apolloOperationExecutor(server: () => ApolloServer<GatewayContext>, operationDeadlineMillis: number): OperationExecutor {
  return async (payload, caller) => {
    const contextValue: GatewayContext = { ...caller, deadline: startOperationDeadline(operationDeadlineMillis), metered: emptyMeteredUsage() };
    const response = await server().executeOperation(
      {
        query: payload.query,
        ...(payload.operationName === undefined || payload.operationName === null ? {} : { operationName: payload.operationName }),
        ...(payload.variables === undefined || payload.variables === null ? {} : { variables: payload.variables }),
        ...(payload.extensions === undefined || payload.extensions === null ? {} : { extensions: payload.extensions }),
      },
      { contextValue },
    );
    if (response.body.kind === "single") return response.body.singleResult;
    return { errors: [{ message: "Incremental delivery (@defer, @stream) is not supported over WebSocket.", extensions: { code: ErrorCode.BadUserInput, retryable: false } }] };
  };
}

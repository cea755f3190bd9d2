import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import type { SharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";
import { apolloServerDefaults, serverSettings } from "../platform/http/service-defaults.ts";
import { startServiceServer, type RunningService } from "../platform/http/service-server.ts";
import type { RequestContext } from "../platform/context/request-context.ts";
import type { Logger } from "../platform/logging/logger.ts";
import { createServiceMetrics } from "../platform/metrics/service-metrics.ts";
import { countRedisErrors } from "../platform/metrics/store-metrics.ts";
import { emptyMeteredUsage } from "../platform/metering/metered-usage.ts";
import type { ApiKeyStore } from "../platform/api-keys/api-key-store.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { createAuditLog } from "../platform/audit/create-audit-log.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { createRateLimitStore } from "./rate-limits/create-rate-limit-store.ts";
import { createGatewayAdmission } from "./rate-limits/gateway-admission.ts";
import { withJwtVerifier } from "./authentication.ts";
import { JwtVerifier } from "./jwt/jwt-verifier.ts";
import { withCsrfPrevention } from "../platform/http/csrf-prevention.ts";
import { startOperationDeadline } from "./operation-deadline.ts";
import { SignedContextDataSource } from "./signed-context-data-source.ts";
import { apolloOperationExecutor, GatewaySubscriptions } from "./subscriptions/gateway-subscriptions.ts";
import type { SubscriptionOptions } from "./subscriptions/subscription-options.ts";
import { buildPlaygroundAssets, playgroundRoutes } from "./playground/playground-page.ts";
import { createPersistedDocumentStore } from "./persisted-documents/create-persisted-documents.ts";
import { RedisApqCache } from "./persisted-documents/redis-apq-cache.ts";
import { createPersistedDocumentResolver, createPersistedOperationResolver } from "./persisted-documents/resolve-persisted-document.ts";
import { auditDenialsPlugin } from "./plugins/audit-denials-plugin.ts";
import { costAnalysisPlugin } from "./plugins/cost-analysis-plugin.ts";
import { CostAnalyzer } from "./cost/cost-analyzer.ts";
import { subscriptionGuard } from "./subscriptions/subscription-guard.ts";
import { relabelOperationLimitError } from "./limits/operation-limit-error.ts";
import { operationLimitRules } from "./limits/operation-limit-rules.ts";
import { malformedOperationPlugin } from "./plugins/malformed-operation-plugin.ts";
import { subscriptionOverHttpPlugin } from "./subscriptions/subscription-over-http-plugin.ts";
import { FileSupergraphManager } from "./supergraph/file-supergraph-manager.ts";
import { defaultEndpointResolver, type EndpointResolver } from "./upstreams/endpoint-discovery.ts";
import { UpstreamPools } from "./upstreams/upstream-pools.ts";

/** The running gateway, with its federated subscriptions (for counts and tests). */
export interface RunningGateway extends RunningService {
  subscriptions: GatewaySubscriptions;
  /** The subgraphs' replicas as the gateway sees them (endpoints, health, load). */
  upstreams: UpstreamPools;
}

export interface GatewayOptions {
  /** Limits of federated subscriptions; every field has a default (see `SubscriptionOptions`). */
  subscriptions?: SubscriptionOptions;
  /** Where subgraph replicas come from; default: `<NAME>_URLS`, else DNS (`defaultEndpointResolver`). Tests stand in for DNS with it. */
  resolveEndpoints?: EndpointResolver;
}

/**
 * Starts the gateway: authenticates every request and plans it across the subgraphs of the
 * supergraph. Subscriptions are served over graphql-ws on the same URL (`gateway/subscriptions/`).
 */
export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
  const infrastructure = await connectSharedInfrastructure(config, logger, { owner: "gateway" });
  // Prometheus series at /metrics (platform/metrics/); undefined with METRICS_ENABLED=false.
  const metrics = createServiceMetrics("gateway", config.metrics);
  if (metrics !== undefined && infrastructure.redis !== undefined) countRedisErrors(metrics, infrastructure.redis);
  const apiKeys = createApiKeyStore(config, infrastructure);
  // API keys and, with JWT_JWKS_URL, bearer JWTs (gateway/jwt/): one store for HTTP and WebSocket alike.
  const credentials = withJwtVerifier(apiKeys, config.jwt === undefined ? undefined : new JwtVerifier(config.jwt));
  const rateLimits = createRateLimitStore(config, infrastructure);
  const audit = createAuditLog({ redis: infrastructure.redis, dataDirectory: config.dataDirectory, keyPrefix: config.redisKeyPrefix, logger });
  // Authentication and rate limits run on the headers, before a body is read (gateway/rate-limits/).
  const admission = createGatewayAdmission({ apiKeys: credentials, store: rateLimits, settings: config.rateLimits, logger });
  const signer = new InternalContextSigner(await resolveSigningSecret(config));
  const subgraphUrl = (name: string, recordedUrl: string | undefined) => config.subgraphUrls[name] ?? recordedUrl ?? "";
  // Each subgraph's replicas (gateway/upstreams/): found by DNS or listed, health-checked, shared by HTTP and subscriptions.
  const upstreams = new UpstreamPools({ ...config.upstreams, resolve: options.resolveEndpoints ?? defaultEndpointResolver(config.subgraphEndpoints), logger });
  const buildDataSource = ({ name, url }: { name: string; url?: string }) =>
    new SignedContextDataSource(subgraphUrl(name, url), signer, {
      serviceName: name,
      logger,
      timeoutMillis: config.subgraphTimeoutMillis,
      pool: upstreams.pool(name, subgraphUrl(name, url)),
      ...(metrics === undefined ? {} : { metrics }),
    });
  // @apollo/gateway otherwise exports usage telemetry to Apollo (and probes cloud metadata
  // endpoints) from every process; nothing of ours leaves the deployment unless an operator opts in.
  process.env.APOLLO_TELEMETRY_DISABLED ??= "true";
  const gateway = new ApolloGateway({
    supergraphSdl: new FileSupergraphManager({ path: config.supergraphPath, watch: config.watchSupergraph, logger }),
    buildService: buildDataSource,
  });
  let schemaLoaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    schemaLoaded = true;
  });
  // Listens to the gateway's schema loads, so it must exist before Apollo Server starts the gateway.
  const subscriptions = new GatewaySubscriptions({
    gateway,
    apiKeys: credentials,
    signer,
    buildDataSource,
    subgraphUrl,
    logger,
    pools: upstreams,
    ...(options.subscriptions === undefined ? {} : { options: options.subscriptions }),
    ...(metrics === undefined ? {} : { metrics }),
  });
  let apollo: ApolloServer<GatewayContext> | undefined;
  const defaults = apolloServerDefaults(config, logger);
  const costAnalyzer = new CostAnalyzer({
    limits: config.costLimits,
    logger,
    costInputsMaxAgeMillis: config.costInputsMaxAgeMillis,
    runQuery: async (query, variables, caller) => {
      if (apollo === undefined) throw new Error("Apollo Server is not created yet");
      const response = await apollo.executeOperation({ query, variables }, { contextValue: { request: caller, internal: true } });
      return response.body.kind === "single" ? response.body.singleResult : {};
    },
  });
  // Trusted operations: the manifest's documents by id (gateway/persisted-documents/); APQ shared through Redis.
  const persistedDocuments = createPersistedDocumentStore({ redis: infrastructure.redis, keyPrefix: config.redisKeyPrefix, dataDirectory: config.dataDirectory, manifestPath: config.persistedDocuments.manifestPath });
  // GraphQL over SSE and Apollo's multipart subscriptions on the GraphQL URL, beside graphql-ws (gateway/subscriptions/).
  const httpSubscriptions = subscriptions.createHttpTransports({
    executeOperation: apolloOperationExecutor(() => {
      if (apollo === undefined) throw new Error("Apollo Server is not created yet");
      return apollo;
    }, config.operationDeadlineMillis),
    guard: subscriptionGuard(config.operationLimits, costAnalyzer),
    stopGracePeriodMillis: config.shutdownGracePeriodMillis,
  });
  const service = await startServiceServer<GatewayContext, RequestContext>({
    name: "gateway",
    ...serverSettings(config),
    ...(metrics === undefined ? {} : { metrics }),
    logger,
    prepareOperation: createPersistedDocumentResolver(persistedDocuments, config.persistedDocuments.mode),
    ...(config.playgroundEnabled ? { routes: playgroundRoutes(await buildPlaygroundAssets()) } : {}),
    createApolloServer: (plugins) =>
      (apollo = new ApolloServer<GatewayContext>({
        gateway,
        plugins: [
          ...plugins,
          httpSubscriptions.plugin,
          subscriptionOverHttpPlugin<GatewayContext>(),
          costAnalysisPlugin(costAnalyzer),
          auditDenialsPlugin(audit, logger),
          malformedOperationPlugin<GatewayContext>(),
          {
            // Echo the request id so clients can quote it when reporting a problem.
            async requestDidStart() {
              return {
                async willSendResponse({ contextValue, response }) {
                  if (contextValue.request !== undefined) response.http.headers.set("x-request-id", contextValue.request.requestId);
                },
              };
            },
          },
        ],
        ...defaults,
        ...(infrastructure.redis === undefined ? {} : { persistedQueries: { cache: new RedisApqCache(infrastructure.redis, config.redisKeyPrefix) } }),
        // Shape limits: the parser stops at MAX_DOCUMENT_TOKENS; the rest are validation rules,
        // run once per distinct document (Apollo Server caches validated documents).
        parseOptions: { maxTokens: config.operationLimits.maximumDocumentTokens },
        allowBatchedHttpRequests: config.maximumBatchOperations > 1,
        // Replaced by `withCsrfPrevention` at admission (platform/http/csrf-prevention.ts): Apollo's rule,
        // checked before the body is read, plus bearer-authenticated GETs (what urql sends by default).
        csrfPrevention: false,
        validationRules: operationLimitRules(config.operationLimits),
        formatError: (formatted, error) => defaults.formatError(relabelOperationLimitError(formatted), error),
      })),
    maximumBatchOperations: config.maximumBatchOperations,
    streamingTransport: httpSubscriptions.transport,
    admitRequest: withCsrfPrevention(admission.admitRequest),
    // Browsers: CORS_ORIGINS (platform/http/cors.ts); preflights are answered before routing.
    cors: config.cors,
    admitUpgrade: admission.admitUpgrade,
    context: async (_request, signal, caller) => {
      if (caller === undefined) throw new Error("the gateway's admitRequest did not run");
      return { request: caller, signal, deadline: startOperationDeadline(config.operationDeadlineMillis), metered: emptyMeteredUsage() };
    },
    webSocket: subscriptions.createEndpoint({
      executeOperation: apolloOperationExecutor(() => {
        if (apollo === undefined) throw new Error("Apollo Server is not created yet");
        return apollo;
      }, config.operationDeadlineMillis),
      maxPayloadBytes: config.maximumRequestBodyBytes,
      guard: subscriptionGuard(config.operationLimits, costAnalyzer),
      closeTimeoutMillis: Math.min(config.shutdownGracePeriodMillis, 5_000),
      // The same persisted documents rules as HTTP (PERSISTED_DOCUMENTS_MODE) for each subscribe message.
      resolvePersistedDocument: createPersistedOperationResolver(persistedDocuments, config.persistedDocuments.mode),
    }),
    readinessChecks: [
      {
        name: "supergraph",
        check: async () => {
          if (!schemaLoaded) throw new Error("not loaded");
        },
      },
      { name: "api-key-store", check: () => apiKeys.checkHealth() },
    ],
    onStopped: async () => {
      subscriptions.close();
      upstreams.close();
      await apiKeys.close();
      await rateLimits.close();
      await audit.close();
      await infrastructure.close();
    },
  });
  return { ...service, subscriptions, upstreams };
}

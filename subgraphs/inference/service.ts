import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { ModelEngines } from "../../engines/model-engines.ts";
import { createOperationSignal } from "../../engines/scheduler/operation-signal.ts";
import { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import { readRequestContext } from "../../platform/context/read-request-context.ts";
import { resolveSigningSecret } from "../../platform/context/signing-secret.ts";
import { apolloServerDefaults, serverSettings } from "../../platform/http/service-defaults.ts";
import { startServiceServer, type RunningService } from "../../platform/http/service-server.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { createServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { countRedisErrors } from "../../platform/metrics/store-metrics.ts";
import { loadSubgraphTypeDefs } from "../../platform/schema-file.ts";
import { createErrorFormatter } from "../../platform/errors/format-error.ts";
import { createSubgraphWebSocketEndpoint } from "../../platform/websocket/subgraph-websocket.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { createModelStore } from "../model-registry/service.ts";
import { CompletionService } from "./completion-service.ts";
import { CallMeter } from "./metering/call-meter.ts";
import { startUsageMetering } from "./metering/usage-metering.ts";
import { createQuotaStore } from "../usage/usage-backends.ts";
import { RetrievalGroundingRetriever } from "./grounding/retrieval-grounding-retriever.ts";
import { InternalGraphqlClient } from "../../platform/http/internal-graphql-client.ts";
import { emptyMeteredUsage } from "../../platform/metering/metered-usage.ts";
import { meteredUsagePlugin } from "../../platform/metering/metered-usage-plugin.ts";
import type { InferenceConfig } from "./config.ts";
import type { InferenceContext } from "./context.ts";
import { resolvers } from "./resolvers.ts";
import { ModelWarmUp } from "./warm-up/model-warm-up.ts";
import { InMemoryCompletionStore } from "./store/in-memory-completion-store.ts";
import { RedisCompletionStore } from "./store/redis-completion-store.ts";
import { createResponseCache, createSemanticCache } from "./cache/create-response-cache.ts";

/**
 * Starts the inference subgraph: completions, streamed completions and embeddings on the engines
 * the registry's models name. It reads models from the registry's store (the same data directory
 * or Redis), so a change made through the registry applies to the next request.
 */
export async function startInference(config: InferenceConfig, logger: Logger): Promise<RunningService> {
  const infrastructure = await connectSharedInfrastructure(config, logger, { owner: "inference" });
  // Prometheus series at /metrics (platform/metrics/); undefined with METRICS_ENABLED=false.
  const metrics = createServiceMetrics("inference", config.metrics);
  if (metrics !== undefined && infrastructure.redis !== undefined) countRedisErrors(metrics, infrastructure.redis);
  const models = createModelStore(config, infrastructure);
  const engines = await ModelEngines.create({ models, config: config.engines, modelsDirectory: config.modelsDirectory, pubsub: infrastructure.pubsub, logger, ...(metrics === undefined ? {} : { metrics }) });
  const store =
    infrastructure.redis === undefined
      ? new InMemoryCompletionStore({ retentionMillis: config.completionRetentionMillis })
      : new RedisCompletionStore(infrastructure.redis, config.redisKeyPrefix, config.completionRetentionMillis);
  const signer = new InternalContextSigner(await resolveSigningSecret(config));
  const retriever = new RetrievalGroundingRetriever(new InternalGraphqlClient({ serviceName: "retrieval", url: config.retrievalUrl, signer }));
  const quotas = createQuotaStore(config, infrastructure, { streamLeaseMillis: config.streamSlotLeaseMillis });
  const usage = startUsageMetering(config, infrastructure, logger, metrics);
  const meter = new CallMeter(usage.sink, quotas, { failOpen: config.quotaFailOpen, billFailedCalls: config.billFailedCalls, logger, ...(metrics === undefined ? {} : { metrics }) });
  const responseCache = createResponseCache(config, infrastructure.redis, { logger, ...(metrics === undefined ? {} : { metrics }) });
  const semanticCache = createSemanticCache(config, infrastructure.redis, { engines, logger });
  const completions = new CompletionService({ engines, store, limits: config.limits, meter, retriever, responseCache, ...(semanticCache === undefined ? {} : { semanticCache }) });
  // Readiness means ready: the warm-up models load before /readyz turns 200 (none by default).
  const warmUp = config.warmUp.models === "active" || config.warmUp.models.length > 0 ? new ModelWarmUp({ engines, models, settings: config.warmUp, logger }) : undefined;
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs("inference"),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  // Streams arrive from the gateway over graphql-ws on the same port and path as HTTP. The socket's
  // close (client gone) makes graphql-ws call the stream's return(), which stops the engine.
  const webSocket = createSubgraphWebSocketEndpoint<InferenceContext>({
    schema,
    signer,
    formatError: createErrorFormatter(logger),
    // One operation signal per subscription: the stream's return() stops it when the client leaves.
    context: (request) => ({ request, signal: createOperationSignal(), arrivedAt: performance.now(), completions, quotas }),
    logger,
  });
  const running = await startServiceServer<InferenceContext>({
    name: "inference",
    webSocket,
    ...serverSettings(config),
    logger,
    createApolloServer: (plugins) =>
      new ApolloServer<InferenceContext>({
        schema,
        plugins: [...plugins, ApolloServerPluginInlineTraceDisabled(), meteredUsagePlugin<InferenceContext>()],
        ...apolloServerDefaults(config, logger),
      }),
    // An operation signal: aborted when the client goes away, or when the scheduler refuses any call of
    // the operation as overloaded, so the work its other fields queued is dropped, not run.
    context: async (request, signal) => ({ request: readRequestContext(request, signer), signal: createOperationSignal(signal), arrivedAt: performance.now(), completions, quotas, metered: emptyMeteredUsage() }),
    ...(metrics === undefined ? {} : { metrics }),
    readinessChecks: [
      { name: "model-store", check: () => models.checkHealth() },
      { name: "completion-store", check: () => store.checkHealth() },
      { name: "quota-store", check: () => quotas.checkHealth() },
      ...(warmUp === undefined ? [] : [warmUp.readinessCheck()]),
    ],
    onStopped: async () => {
      warmUp?.stop();
      await engines.close();
      await usage.close();
      await quotas.close();
      await store.close();
      await responseCache.close();
      await infrastructure.close();
    },
  });
  // Loading starts once the server listens, so /healthz answers (liveness) while models load.
  warmUp?.start();
  return running;
}

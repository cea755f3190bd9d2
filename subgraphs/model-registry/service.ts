import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import { readRequestContext } from "../../platform/context/read-request-context.ts";
import { resolveSigningSecret } from "../../platform/context/signing-secret.ts";
import { apolloServerDefaults, serverSettings } from "../../platform/http/service-defaults.ts";
import { startServiceServer, type RunningService } from "../../platform/http/service-server.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { createServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { countRedisErrors } from "../../platform/metrics/store-metrics.ts";
import { EgressGuard } from "../../platform/network/egress-policy.ts";
import { loadSubgraphTypeDefs } from "../../platform/schema-file.ts";
import { connectSharedInfrastructure, type SharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import type { CommonConfig } from "../../platform/config/common-config.ts";
import type { ModelRegistryConfig } from "./config.ts";
import { createAuditLog } from "../../platform/audit/create-audit-log.ts";
import { ModelAccess } from "./model-access.ts";
import { createModelRegistryContext, type ModelRegistryContext } from "./context.ts";
import { ModelCatalog } from "./model-catalog.ts";
import { resolvers } from "./resolvers.ts";
import { EmbeddedModelStore } from "./store/embedded-model-store.ts";
import type { ModelStore } from "./store/model-store.ts";
import { RedisModelStore } from "./store/redis-model-store.ts";

export function createModelStore(config: CommonConfig, infrastructure: SharedInfrastructure): ModelStore {
  return infrastructure.redis === undefined
    ? new EmbeddedModelStore(config.dataDirectory)
    : new RedisModelStore(infrastructure.redis, config.redisKeyPrefix);
}

/** Starts the model-registry subgraph: the catalogue of models, which engine serves each, pricing and status. */
export async function startModelRegistry(config: ModelRegistryConfig, logger: Logger): Promise<RunningService> {
  const infrastructure = await connectSharedInfrastructure(config, logger, { owner: "model-registry" });
  // Prometheus series at /metrics (platform/metrics/); undefined with METRICS_ENABLED=false.
  const metrics = createServiceMetrics("model-registry", config.metrics);
  if (metrics !== undefined && infrastructure.redis !== undefined) countRedisErrors(metrics, infrastructure.redis);
  const store = createModelStore(config, infrastructure);
  const catalog = new ModelCatalog(store, infrastructure.pubsub, logger, undefined, new EgressGuard(config.engineNetwork));
  const audit = createAuditLog({ redis: infrastructure.redis, dataDirectory: config.dataDirectory, keyPrefix: config.redisKeyPrefix, logger });
  const models = new ModelAccess(catalog, audit);
  const signer = new InternalContextSigner(await resolveSigningSecret(config));
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs("model-registry"),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return startServiceServer<ModelRegistryContext>({
    name: "model-registry",
    ...serverSettings(config),
    ...(metrics === undefined ? {} : { metrics }),
    logger,
    createApolloServer: (plugins) =>
      new ApolloServer<ModelRegistryContext>({
        schema,
        // Inline traces feed Apollo Studio, which this project does not use.
        plugins: [...plugins, ApolloServerPluginInlineTraceDisabled()],
        ...apolloServerDefaults(config, logger),
      }),
    context: async (request) => createModelRegistryContext(readRequestContext(request, signer), models, store),
    readinessChecks: [{ name: "model-store", check: () => store.checkHealth() }],
    onStopped: async () => {
      await audit.close();
      await store.close();
      await infrastructure.close();
    },
  });
}

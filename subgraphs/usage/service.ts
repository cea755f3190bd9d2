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
import { recordUsageAggregated } from "../../platform/metrics/quota-metrics.ts";
import { createServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { countRedisErrors } from "../../platform/metrics/store-metrics.ts";
import { lagsOf } from "../inference/metering/usage-metering.ts";
import { loadSubgraphTypeDefs } from "../../platform/schema-file.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { createAuditLog } from "../../platform/audit/create-audit-log.ts";
import { ApiKeyAdministration } from "./administration/api-key-administration.ts";
import type { UsageConfig } from "./config.ts";
import type { UsageContext } from "./context.ts";
import { RedisStreamUsageConsumer } from "./events/redis-stream-usage-consumer.ts";
import { resolvers } from "./resolvers.ts";
import { createQuotaStore, createUsageStore } from "./usage-backends.ts";
import { checkRedisMemoryBudget } from "../../platform/storage/redis-memory-budget.ts";
import { retainedKeyFamilies } from "./redis-retained-keys.ts";

/**
 * Starts the usage subgraph: usage reports, quotas, and (with Redis) the consumer that aggregates
 * the usage events every inference replica writes to the stream. On embedded defaults the one
 * inference process aggregates its own events into the file this subgraph reads.
 */
export async function startUsage(config: UsageConfig, logger: Logger): Promise<RunningService> {
  const infrastructure = await connectSharedInfrastructure(config, logger, { owner: "usage" });
  // Prometheus series at /metrics (platform/metrics/); undefined with METRICS_ENABLED=false.
  const metrics = createServiceMetrics("usage", config.metrics);
  if (metrics !== undefined && infrastructure.redis !== undefined) countRedisErrors(metrics, infrastructure.redis);
  const usage = createUsageStore(config, infrastructure, config.usageEventRetentionSeconds * 1_000);
  const quotas = createQuotaStore(config, infrastructure);
  const audit = createAuditLog({ redis: infrastructure.redis, dataDirectory: config.dataDirectory, keyPrefix: config.redisKeyPrefix, logger });
  const apiKeyStore = createApiKeyStore(config, infrastructure);
  const apiKeys = new ApiKeyAdministration(apiKeyStore, audit);
  const signer = new InternalContextSigner(await resolveSigningSecret(config));
  // The consumer duplicates the connection: XREADGROUP blocks the one it waits on.
  const consumer =
    infrastructure.redis === undefined
      ? undefined
      : new RedisStreamUsageConsumer(infrastructure.redis, config.redisKeyPrefix, { consumerName: config.consumerName, claimIdleMillis: config.claimIdleMillis, logger });
  if (infrastructure.redis !== undefined) {
    // Start-up warning when maxmemory cannot hold the retention at EXPECTED_CALLS_PER_SECOND (docs/OPERATIONS.md); never delays or fails the start.
    checkRedisMemoryBudget({ redis: infrastructure.redis, families: retainedKeyFamilies(config), expectedCallsPerSecond: config.expectedCallsPerSecond, logger }).catch((error: unknown) =>
      logger.warn("Redis memory budget not checked", { error }),
    );
  }
  consumer?.start(async (events) => {
    await usage.apply(events);
    if (metrics !== undefined) recordUsageAggregated(metrics, lagsOf(events));
  });
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs("usage"),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return startServiceServer<UsageContext>({
    name: "usage",
    ...serverSettings(config),
    ...(metrics === undefined ? {} : { metrics }),
    logger,
    createApolloServer: (plugins) =>
      new ApolloServer<UsageContext>({
        schema,
        plugins: [...plugins, ApolloServerPluginInlineTraceDisabled()],
        ...apolloServerDefaults(config, logger),
      }),
    context: async (request) => ({ request: readRequestContext(request, signer), usage, quotas, apiKeys, audit }),
    readinessChecks: [
      { name: "usage-store", check: () => usage.checkHealth() },
      { name: "quota-store", check: () => quotas.checkHealth() },
    ],
    onStopped: async () => {
      await audit.close();
      await apiKeyStore.close();
      await consumer?.stop();
      await usage.close();
      await quotas.close();
      await infrastructure.close();
    },
  });
}

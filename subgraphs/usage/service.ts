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

/**
 * Starts the usage subgraph: usage reports, quotas, and (with Redis) the consumer that aggregates
 * the usage events every inference replica writes to the stream. On embedded defaults the one
 * inference process aggregates its own events into the file this subgraph reads.
 */
export async function startUsage(config: UsageConfig, logger: Logger): Promise<RunningService> {
  const infrastructure = await connectSharedInfrastructure(config, logger);
  const usage = createUsageStore(config, infrastructure);
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
  consumer?.start(async (events) => {
    await usage.apply(events);
  });
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs("usage"),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return startServiceServer<UsageContext>({
    name: "usage",
    ...serverSettings(config),
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

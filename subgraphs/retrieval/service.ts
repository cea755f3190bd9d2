import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import { readRequestContext } from "../../platform/context/read-request-context.ts";
import { resolveSigningSecret } from "../../platform/context/signing-secret.ts";
import { InternalGraphqlClient } from "../../platform/http/internal-graphql-client.ts";
import { apolloServerDefaults, serverSettings } from "../../platform/http/service-defaults.ts";
import { startServiceServer, type RunningService } from "../../platform/http/service-server.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { createServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { countRedisErrors } from "../../platform/metrics/store-metrics.ts";
import { loadSubgraphTypeDefs } from "../../platform/schema-file.ts";
import { connectSharedInfrastructure, type SharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { createModelStore } from "../model-registry/service.ts";
import type { ChunkStore } from "./chunk-store/chunk-store.ts";
import { LanceDbChunkStore } from "./chunk-store/lancedb-chunk-store.ts";
import { MilvusChunkStore } from "./chunk-store/milvus-chunk-store.ts";
import { EmbeddedRetrievalCatalog } from "./catalog/embedded-retrieval-catalog.ts";
import { RedisRetrievalCatalog } from "./catalog/redis-retrieval-catalog.ts";
import type { RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import type { RetrievalConfig, VectorStoreConfig } from "./config.ts";
import type { RetrievalContext } from "./context.ts";
import { InferenceEmbedder } from "./inference-embedder.ts";
import { InferenceReranker } from "./inference-reranker.ts";
import { resolvers } from "./resolvers.ts";
import { defaultRetrievalLimits } from "./retrieval-limits.ts";
import { RetrievalService } from "./retrieval-service.ts";

export function createChunkStore(config: VectorStoreConfig): ChunkStore {
  return config.kind === "milvus"
    ? new MilvusChunkStore({
        address: config.address,
        collectionPrefix: config.collectionPrefix,
        ...(config.token === undefined ? {} : { token: config.token }),
        ...(config.database === undefined ? {} : { database: config.database }),
      })
    : new LanceDbChunkStore({ directory: config.directory, indexMinRows: config.indexMinRows });
}

export function createRetrievalCatalog(config: RetrievalConfig, infrastructure: SharedInfrastructure): RetrievalCatalog {
  return infrastructure.redis === undefined
    ? new EmbeddedRetrievalCatalog(config.dataDirectory)
    : new RedisRetrievalCatalog(infrastructure.redis, config.redisKeyPrefix);
}

/**
 * Starts the retrieval subgraph: collections of documents, split into chunks, embedded through the
 * inference subgraph, searched by vector, keyword or both.
 */
export async function startRetrieval(config: RetrievalConfig, logger: Logger): Promise<RunningService> {
  const infrastructure = await connectSharedInfrastructure(config, logger, { owner: "retrieval" });
  // Prometheus series at /metrics (platform/metrics/); undefined with METRICS_ENABLED=false.
  const metrics = createServiceMetrics("retrieval", config.metrics);
  if (metrics !== undefined && infrastructure.redis !== undefined) countRedisErrors(metrics, infrastructure.redis);
  const models = createModelStore(config, infrastructure);
  const catalog = createRetrievalCatalog(config, infrastructure);
  const chunks = createChunkStore(config.vectorStore);
  const signer = new InternalContextSigner(await resolveSigningSecret(config));
  const inference = new InternalGraphqlClient({ serviceName: "inference", url: config.inferenceUrl, signer, timeoutMillis: 120_000 });
  const embedder = new InferenceEmbedder(inference);
  const reranker = new InferenceReranker(inference);
  const retrieval = new RetrievalService({
    catalog,
    chunks,
    models,
    embedder,
    reranker,
    limits: { ...defaultRetrievalLimits, maximumDocumentBytes: config.maximumDocumentBytes, embeddingBatchSize: config.embeddingBatchSize, ingestionTimeoutMillis: config.ingestionTimeoutMillis },
    logger,
    ...(metrics === undefined ? {} : { metrics }),
  });
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs("retrieval"),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return startServiceServer<RetrievalContext>({
    name: "retrieval",
    ...serverSettings(config),
    ...(metrics === undefined ? {} : { metrics }),
    logger,
    createApolloServer: (plugins) =>
      new ApolloServer<RetrievalContext>({
        schema,
        plugins: [...plugins, ApolloServerPluginInlineTraceDisabled()],
        ...apolloServerDefaults(config, logger),
      }),
    context: async (request, signal) => {
      const requestContext = readRequestContext(request, signer);
      return { request: requestContext, signal, retrieval, loaders: retrieval.createLoaders(requestContext) };
    },
    readinessChecks: [
      { name: "retrieval-catalog", check: () => catalog.checkHealth() },
      { name: "chunk-store", check: () => chunks.checkHealth() },
    ],
    onStopped: async () => {
      await retrieval.close();
      await chunks.close();
      await catalog.close();
      await models.close();
      await infrastructure.close();
    },
  });
}

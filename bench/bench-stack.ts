/** The whole stack in the benchmark's process, each service on a free port, with an admin key. */
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { startGateway } from "../gateway/service.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import type { RunningService } from "../platform/http/service-server.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { loadInferenceConfig } from "../subgraphs/inference/config.ts";
import { startInference } from "../subgraphs/inference/service.ts";
import { loadModelRegistryConfig } from "../subgraphs/model-registry/config.ts";
import { startModelRegistry } from "../subgraphs/model-registry/service.ts";
import { loadRetrievalConfig } from "../subgraphs/retrieval/config.ts";
import { startRetrieval } from "../subgraphs/retrieval/service.ts";
import { loadUsageConfig } from "../subgraphs/usage/config.ts";
import { startUsage } from "../subgraphs/usage/service.ts";
import { findFreePort } from "../test/harness/redis-server.ts";
import { testRateLimits } from "../test/harness/test-rate-limits.ts";

export interface BenchStack {
  registry: RunningService;
  inference: RunningService;
  retrieval: RunningService;
  usage: RunningService;
  gateway: RunningService;
  /** An admin API key of tenant `bench`. */
  key: string;
  stop(): Promise<void>;
}

/** Starts registry, inference, retrieval, usage and gateway with `environment` (DATA_DIR and the rest) plus quiet logs. */
export async function startBenchStack(environment: NodeJS.ProcessEnv): Promise<BenchStack> {
  // Rate limits no load test reaches (one key, one address), unless the benchmark sets its own.
  // The benchmarks' OpenAI-compatible servers listen on loopback, which engines refuse by default.
  const base = { LOG_LEVEL: "error", SUPERGRAPH_WATCH: "false", ENGINE_ALLOWED_HOSTS: "127.0.0.0/8,::1", ...testRateLimits, ...environment };
  const logger = createLogger("bench", "error");
  const registry = await startModelRegistry(loadModelRegistryConfig({ ...base, MODEL_REGISTRY_PORT: "0" }), logger);
  // Inference and retrieval call each other, so each must know the other's port before either starts.
  const peers = { ...base, INFERENCE_PORT: String(await findFreePort()), RETRIEVAL_PORT: String(await findFreePort()) };
  const inference = await startInference(loadInferenceConfig(peers), logger);
  const retrieval = await startRetrieval(loadRetrievalConfig(peers), logger);
  const usage = await startUsage(loadUsageConfig({ ...base, USAGE_PORT: "0" }), logger);
  const gatewayConfig = loadGatewayConfig({
    ...base,
    GATEWAY_PORT: "0",
    MODEL_REGISTRY_URL: registry.graphqlUrl,
    INFERENCE_URL: inference.graphqlUrl,
    RETRIEVAL_URL: retrieval.graphqlUrl,
    USAGE_URL: usage.graphqlUrl,
  });
  const gateway = await startGateway(gatewayConfig, logger);
  const infrastructure = await connectSharedInfrastructure(gatewayConfig, logger);
  const { key } = await issueApiKey(createApiKeyStore(gatewayConfig, infrastructure), "bench", ["platform-admin", "tenant-admin"], "benchmark");
  await infrastructure.close();
  return {
    registry,
    inference,
    retrieval,
    usage,
    gateway,
    key,
    stop: async () => {
      await gateway.stop();
      await usage.stop();
      await retrieval.stop();
      await inference.stop();
      await registry.stop();
    },
  };
}

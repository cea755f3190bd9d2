import type { IssuedApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { startGateway } from "../../gateway/service.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import type { RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { loadInferenceConfig } from "../../subgraphs/inference/config.ts";
import { startInference } from "../../subgraphs/inference/service.ts";
import { loadModelRegistryConfig } from "../../subgraphs/model-registry/config.ts";
import { startModelRegistry } from "../../subgraphs/model-registry/service.ts";
import { loadRetrievalConfig } from "../../subgraphs/retrieval/config.ts";
import { startRetrieval } from "../../subgraphs/retrieval/service.ts";
import { loadUsageConfig } from "../../subgraphs/usage/config.ts";
import { startUsage } from "../../subgraphs/usage/service.ts";
import { findFreePort } from "./redis-server.ts";
import { testRateLimits } from "./test-rate-limits.ts";

/** The gateway and every subgraph, in this process, each on its own free port, with two API keys. */
export interface TestStack {
  gateway: RunningService;
  modelRegistry: RunningService;
  inference: RunningService;
  retrieval: RunningService;
  usage: RunningService;
  adminKey: IssuedApiKey;
  memberKey: IssuedApiKey;
  /** A member of `tenant-b`, which must never see tenant-a's data. */
  otherTenantKey: IssuedApiKey;
  environment: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Starts the stack with `environment` (DATA_DIR, STORE_BACKEND, REDIS_URL...). Keys are issued in
 * tenant `tenant-a` (and one in `tenant-b`); pass `keys` to reuse those of an earlier start on the same data. The caller stops it.
 */
/** ENGINE_ALLOWED_HOSTS of test stacks: loopback only, where the tests' engine servers listen. */
export const testEngineAllowedHosts = "127.0.0.0/8,::1";

export async function startTestStack(environment: NodeJS.ProcessEnv, options: { keys?: { adminKey: IssuedApiKey; memberKey: IssuedApiKey; otherTenantKey: IssuedApiKey } } = {}): Promise<TestStack> {
  // One llama.cpp thread: test files run two at a time on two cores, and spinning ggml workers
  // that lose their core stall every token.
  // Fake and real OpenAI-compatible servers in tests listen on loopback, which engines refuse by default.
  const base = { LOG_LEVEL: "error", SUPERGRAPH_WATCH: "false", SHUTDOWN_GRACE_PERIOD_MILLIS: "2000", LLAMA_CPP_THREADS: "1", ENGINE_ALLOWED_HOSTS: testEngineAllowedHosts, ...testRateLimits, ...environment };
  const modelRegistry = await startModelRegistry(loadModelRegistryConfig({ ...base, MODEL_REGISTRY_PORT: "0" }), createLogger("model-registry", "error"));
  // Inference and retrieval call each other (grounding, embeddings), so each must know the other's
  // port before either starts.
  const peers = { ...base, INFERENCE_PORT: String(await findFreePort()), RETRIEVAL_PORT: String(await findFreePort()) };
  const inference = await startInference(loadInferenceConfig(peers), createLogger("inference", "error"));
  const retrieval = await startRetrieval(loadRetrievalConfig(peers), createLogger("retrieval", "error"));
  const usage = await startUsage(loadUsageConfig({ ...base, USAGE_PORT: "0" }), createLogger("usage", "error"));
  const gatewayConfig = loadGatewayConfig({
    ...base,
    GATEWAY_PORT: "0",
    MODEL_REGISTRY_URL: modelRegistry.graphqlUrl,
    INFERENCE_URL: inference.graphqlUrl,
    RETRIEVAL_URL: retrieval.graphqlUrl,
    USAGE_URL: usage.graphqlUrl,
  });
  const gateway = await startGateway(gatewayConfig, createLogger("gateway", "error"));
  let keys = options.keys;
  if (keys === undefined) {
    const infrastructure = await connectSharedInfrastructure(gatewayConfig, createLogger("test", "error"));
    const store = createApiKeyStore(gatewayConfig, infrastructure);
    keys = {
      adminKey: await issueApiKey(store, "tenant-a", ["platform-admin", "tenant-admin"], "test admin"),
      memberKey: await issueApiKey(store, "tenant-a", ["member"], "test member"),
      otherTenantKey: await issueApiKey(store, "tenant-b", ["member"], "other tenant member"),
    };
    await infrastructure.close();
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gateway.stop();
    await usage.stop();
    await retrieval.stop();
    await inference.stop();
    await modelRegistry.stop();
  };
  return { gateway, modelRegistry, inference, retrieval, usage, ...keys, environment, stop };
}

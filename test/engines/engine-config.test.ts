import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadEngineConfig, schedulerOptionsFor } from "../../engines/engine-config.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";

describe("engine configuration", () => {
  it("has working defaults and reads every variable", () => {
    const defaults = loadEngineConfig({});
    assert.equal(defaults.llamaCpp.gpu, "cpu");
    assert.equal(defaults.scheduler.maxBatchSize, 32);
    const configured = loadEngineConfig({ LLAMA_CPP_GPU: "cuda", LLAMA_CPP_SEQUENCES: "16", BATCH_WINDOW_MILLIS: "5", UPSTREAM_MAX_RETRIES: "0" });
    assert.equal(configured.llamaCpp.gpu, "cuda");
    assert.equal(configured.llamaCpp.sequences, 16);
    assert.equal(configured.scheduler.batchWindowMillis, 5);
    assert.equal(configured.openAiCompatible.maxRetries, 0);
  });

  it("refuses private engine addresses unless ENGINE_ALLOWED_HOSTS lists them", () => {
    assert.deepEqual(loadEngineConfig({}).openAiCompatible.network, { allowedHosts: [], allowPublicNetworks: true });
    const configured = loadEngineConfig({ ENGINE_ALLOWED_HOSTS: "10.0.0.0/8,vllm.internal", ENGINE_ALLOW_PUBLIC_NETWORKS: "false" });
    assert.deepEqual(configured.openAiCompatible.network, { allowedHosts: ["10.0.0.0/8", "vllm.internal"], allowPublicNetworks: false });
    assert.throws(() => loadEngineConfig({ ENGINE_ALLOWED_HOSTS: "not a host" }), (error: ConfigurationError) => error.problems[0]?.variable === "ENGINE_ALLOWED_HOSTS");
  });

  it("names each bad variable", () => {
    assert.throws(
      () => loadEngineConfig({ LLAMA_CPP_GPU: "tpu", MAX_BATCH_SIZE: "0" }),
      (error: ConfigurationError) => error.problems.map((problem) => problem.variable).sort().join() === "LLAMA_CPP_GPU,MAX_BATCH_SIZE",
    );
  });

  it("sizes the scheduler to the engine", () => {
    const config = loadEngineConfig({ LLAMA_CPP_SEQUENCES: "6", UPSTREAM_MAX_CONCURRENT_STREAMS: "100" });
    assert.deepEqual(
      { ...schedulerOptionsFor("LLAMA_CPP", config) },
      { batchWindowMillis: 2, maxBatchSize: 32, maxQueueDepth: 256, maxConcurrentBatches: 1, maxConcurrentStreams: 6 },
    );
    assert.equal(schedulerOptionsFor("OPENAI_COMPATIBLE", config).maxConcurrentStreams, 100);
  });
});

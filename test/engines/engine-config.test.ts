import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadEngineConfig, schedulerOptionsFor } from "../../engines/engine-config.ts";
import { ModelScheduler } from "../../engines/scheduler/model-scheduler.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { RecordingEngine } from "./scheduler/recording-engine.ts";

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
      { batchWindowMillis: 2, maxBatchSize: 32, maxQueueDepth: 1024, maxQueueDepthPerTenant: 256, tenantWeights: {}, maxConcurrentBatches: 1, maxConcurrentStreams: 6 },
    );
    assert.equal(schedulerOptionsFor("OPENAI_COMPATIBLE", config).maxConcurrentStreams, 100);
    // No TENANT_MAX_RUNNING_STREAMS: the cap is left to the scheduler, which follows each engine's capacity.
    assert.equal(new ModelScheduler(new RecordingEngine(), schedulerOptionsFor("LLAMA_CPP", config)).options.maxRunningStreamsPerTenant, 5);
    assert.equal(new ModelScheduler(new RecordingEngine(), schedulerOptionsFor("OPENAI_COMPATIBLE", config)).options.maxRunningStreamsPerTenant, 99);
  });

  it("reads per-tenant scheduling: weights, queue bound and running-stream cap", () => {
    const config = loadEngineConfig({ TENANT_SCHEDULING_WEIGHTS: " acme=2, globex=0.5 ,", TENANT_MAX_QUEUE_DEPTH: "64", TENANT_MAX_RUNNING_STREAMS: "3", MAX_QUEUE_DEPTH: "512" });
    assert.deepEqual(config.scheduler, { batchWindowMillis: 2, maxBatchSize: 32, maxQueueDepth: 512, maxQueueDepthPerTenant: 64, maxRunningStreamsPerTenant: 3, tenantWeights: { acme: 2, globex: 0.5 } });
    for (const kind of ["LLAMA_CPP", "OPENAI_COMPATIBLE"] as const) {
      const options = schedulerOptionsFor(kind, config);
      assert.equal(options.maxRunningStreamsPerTenant, 3);
      assert.deepEqual(options.tenantWeights, { acme: 2, globex: 0.5 });
    }
  });

  it("refuses malformed tenant weights and caps, naming the variable", () => {
    const problemsOf = (environment: Record<string, string>) => {
      try {
        loadEngineConfig(environment);
      } catch (error) {
        assert.ok(error instanceof ConfigurationError);
        return error.problems.map((problem) => `${problem.variable}: ${problem.message}`);
      }
      return [];
    };
    const invalidWeights = ["acme", "acme=", "acme=0", "acme=-1", "acme=two", "acme=1e3", "acme=1001", "Acme=1", "acme=1,acme=2", "acme=1=2"];
    for (const weights of invalidWeights) {
      const [problem] = problemsOf({ TENANT_SCHEDULING_WEIGHTS: weights });
      assert.match(problem ?? "", /^TENANT_SCHEDULING_WEIGHTS: /, `refuses ${JSON.stringify(weights)}`);
    }
    assert.match(problemsOf({ TENANT_SCHEDULING_WEIGHTS: "acme=2,acme=3" })[0] ?? "", /acme is given twice/);
    assert.match(problemsOf({ TENANT_MAX_RUNNING_STREAMS: "0" })[0] ?? "", /^TENANT_MAX_RUNNING_STREAMS: /);
    assert.match(problemsOf({ TENANT_MAX_QUEUE_DEPTH: "lots" })[0] ?? "", /^TENANT_MAX_QUEUE_DEPTH: /);
  });
});

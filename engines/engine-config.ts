import { z } from "zod";
import { tenantIdPattern } from "../platform/api-keys/api-key.ts";
import { integerVariable, parseEnvironment } from "../platform/config/parse-environment.ts";
import { egressEnvironment, toEgressPolicy } from "../platform/network/egress-environment.ts";
import type { EgressPolicy } from "../platform/network/egress-policy.ts";
import { availableCpus } from "./llama-cpp/cpu-budget.ts";
import type { LlamaGpuMode } from "./llama-cpp/llama-cpp-options.ts";
import type { SchedulerOptions } from "./scheduler/scheduler-options.ts";

/** How engines are opened and scheduled in this process, validated once at start-up. */
export interface EngineConfig {
  llamaCpp: {
    /** `cpu` (default), `cuda` (fail unless an NVIDIA GPU and the CUDA build are present) or `auto`. */
    gpu: LlamaGpuMode;
    /** Parallel sequences per model: streams decoded together. Default 8. */
    sequences: number;
    /**
     * CPU threads per context. Default: the CPUs this process may use minus one (at least 1): the
     * machine's cores capped by the container's CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`),
     * leaving a core to the Node.js event loop that serves GraphQL in the same process: measured on
     * 2 cores, one ggml thread streamed 84 tok/s where two streamed 18-55, their spinning workers
     * starving the event loop (docs/BENCHMARKS.md).
     */
    threads: number;
    /** Embedding contexts per embedding model. Default 1. */
    embeddingContexts: number;
    /** Cap on each sequence's context when the model is trained for more, in tokens. Default 8192. */
    maxContextLength: number;
  };
  /**
   * The circuit breaker of each deployment of a model served by several (engines/routing/):
   * DEPLOYMENT_FAILURE_THRESHOLD retryable failures in a row (default 3) open it for
   * DEPLOYMENT_OPEN_MILLIS (default 30,000), then one probe call decides. Absent: those defaults.
   */
  routing?: { failureThreshold: number; openMillis: number };
  openAiCompatible: {
    /** Time one upstream attempt may take, in milliseconds. Default 60000. */
    requestTimeoutMillis: number;
    /** Retries of retryable upstream failures. Default 2. */
    maxRetries: number;
    /** Streams sent upstream at once per model; the server batches them itself. Default 64. */
    maxConcurrentStreams: number;
    /** Batched calls upstream at once per model. Default 4. */
    maxConcurrentBatches: number;
    /**
     * Where engines may connect (ENGINE_ALLOWED_HOSTS, ENGINE_ALLOW_PUBLIC_NETWORKS). Default: public
     * addresses only; private, loopback, link-local and metadata addresses are refused.
     */
    network: EgressPolicy;
  };
  scheduler: {
    /** How long a batch waits for more requests, in milliseconds. Default 2. */
    batchWindowMillis: number;
    /** Most requests in one batched engine call. Default 32. */
    maxBatchSize: number;
    /** Most requests waiting per model and kind, all tenants together, before `OVERLOADED`. Default 1024. */
    maxQueueDepth: number;
    /** Most requests of one tenant waiting per model and kind before that tenant gets `OVERLOADED`. Default 256. */
    maxQueueDepthPerTenant: number;
    /**
     * Most streams one tenant runs at once per model. Default (undefined): the engine's stream capacity
     * minus one (at least 1), so a slot stays free for another tenant (see `SchedulerOptions`).
     */
    maxRunningStreamsPerTenant: number | undefined;
    /** Scheduling weight by tenant id; tenants not named weigh 1. Default: none named. */
    tenantWeights: Readonly<Record<string, number>>;
  };
}

/**
 * Threads per llama.cpp context unless `LLAMA_CPP_THREADS` says otherwise: every CPU this process may
 * use (cores capped by the cgroup CPU quota, see cpu-budget.ts) but one, which is left to the Node.js
 * event loop.
 */
export function defaultLlamaCppThreads(): number {
  return Math.max(1, availableCpus() - 1);
}

/** Largest weight accepted: more would let one tenant take practically every slot, which a cap says more clearly. */
const maximumTenantWeight = 1000;

/**
 * Weights as `tenant=weight` pairs separated by commas (`acme=2,globex=0.5`), validated pair by pair
 * at start-up: tenant ids as API keys have them, weights positive numbers up to 1000, no tenant twice.
 */
function tenantWeightsVariable() {
  return z
    .string()
    .default("")
    .transform((text, context) => {
      const weights: Record<string, number> = {};
      for (const pair of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
        const [tenantId = "", weightText = "", ...rest] = pair.split("=").map((part) => part.trim());
        const weight = Number(weightText);
        let problem: string | undefined;
        if (rest.length > 0 || weightText === "") problem = `expected tenant=weight, got "${pair}"`;
        else if (!tenantIdPattern.test(tenantId)) problem = `"${tenantId}" is not a tenant id (1 to 63 lower-case letters, digits or dashes)`;
        else if (!/^\d+(\.\d+)?$/.test(weightText) || weight <= 0 || weight > maximumTenantWeight) problem = `the weight of ${tenantId} must be a number > 0 and <= ${maximumTenantWeight}, got "${weightText}"`;
        else if (Object.hasOwn(weights, tenantId)) problem = `${tenantId} is given twice`;
        if (problem !== undefined) {
          context.addIssue({ code: "custom", message: problem });
          return z.NEVER;
        }
        weights[tenantId] = weight;
      }
      return weights;
    });
}

export const engineEnvironment = {
  LLAMA_CPP_GPU: z.enum(["cpu", "cuda", "auto"]).default("cpu"),
  LLAMA_CPP_SEQUENCES: integerVariable(8, 1, 256),
  LLAMA_CPP_THREADS: integerVariable(defaultLlamaCppThreads(), 1, 1024),
  LLAMA_CPP_EMBEDDING_CONTEXTS: integerVariable(1, 1, 64),
  LLAMA_CPP_MAX_CONTEXT_LENGTH: integerVariable(8192, 16, 1_048_576),
  UPSTREAM_REQUEST_TIMEOUT_MILLIS: integerVariable(60_000, 100, 3_600_000),
  UPSTREAM_MAX_RETRIES: integerVariable(2, 0, 10),
  UPSTREAM_MAX_CONCURRENT_STREAMS: integerVariable(64, 1, 10_000),
  UPSTREAM_MAX_CONCURRENT_BATCHES: integerVariable(4, 1, 1_000),
  BATCH_WINDOW_MILLIS: integerVariable(2, 0, 1_000),
  DEPLOYMENT_FAILURE_THRESHOLD: integerVariable(3, 1, 1_000),
  DEPLOYMENT_OPEN_MILLIS: integerVariable(30_000, 100, 3_600_000),
  MAX_BATCH_SIZE: integerVariable(32, 1, 4_096),
  MAX_QUEUE_DEPTH: integerVariable(1024, 1, 1_000_000),
  TENANT_MAX_QUEUE_DEPTH: integerVariable(256, 1, 1_000_000),
  TENANT_MAX_RUNNING_STREAMS: z.coerce.number().int().min(1).max(100_000).optional(),
  TENANT_SCHEDULING_WEIGHTS: tenantWeightsVariable(),
  ...egressEnvironment,
};

export function toEngineConfig(values: z.infer<z.ZodObject<typeof engineEnvironment>>): EngineConfig {
  return {
    llamaCpp: {
      gpu: values.LLAMA_CPP_GPU,
      sequences: values.LLAMA_CPP_SEQUENCES,
      threads: values.LLAMA_CPP_THREADS,
      embeddingContexts: values.LLAMA_CPP_EMBEDDING_CONTEXTS,
      maxContextLength: values.LLAMA_CPP_MAX_CONTEXT_LENGTH,
    },
    routing: { failureThreshold: values.DEPLOYMENT_FAILURE_THRESHOLD, openMillis: values.DEPLOYMENT_OPEN_MILLIS },
    openAiCompatible: {
      requestTimeoutMillis: values.UPSTREAM_REQUEST_TIMEOUT_MILLIS,
      maxRetries: values.UPSTREAM_MAX_RETRIES,
      maxConcurrentStreams: values.UPSTREAM_MAX_CONCURRENT_STREAMS,
      maxConcurrentBatches: values.UPSTREAM_MAX_CONCURRENT_BATCHES,
      network: toEgressPolicy(values),
    },
    scheduler: {
      batchWindowMillis: values.BATCH_WINDOW_MILLIS,
      maxBatchSize: values.MAX_BATCH_SIZE,
      maxQueueDepth: values.MAX_QUEUE_DEPTH,
      maxQueueDepthPerTenant: values.TENANT_MAX_QUEUE_DEPTH,
      maxRunningStreamsPerTenant: values.TENANT_MAX_RUNNING_STREAMS,
      tenantWeights: values.TENANT_SCHEDULING_WEIGHTS,
    },
  };
}

export function loadEngineConfig(environment: NodeJS.ProcessEnv = process.env): EngineConfig {
  return toEngineConfig(parseEnvironment(engineEnvironment, environment));
}

/**
 * Scheduler settings for an engine kind: in-process engines run one batch at a time and as many streams
 * as sequences. Without TENANT_MAX_RUNNING_STREAMS the per-tenant cap follows the engine's capacity
 * (the scheduler's default, capacity − 1).
 */
export function schedulerOptionsFor(kind: "LLAMA_CPP" | "OPENAI_COMPATIBLE", config: EngineConfig): SchedulerOptions {
  const { maxRunningStreamsPerTenant, ...scheduler } = config.scheduler;
  const common: SchedulerOptions = { ...scheduler, ...(maxRunningStreamsPerTenant === undefined ? {} : { maxRunningStreamsPerTenant }) };
  return kind === "LLAMA_CPP"
    ? { ...common, maxConcurrentBatches: 1, maxConcurrentStreams: config.llamaCpp.sequences }
    : { ...common, maxConcurrentBatches: config.openAiCompatible.maxConcurrentBatches, maxConcurrentStreams: config.openAiCompatible.maxConcurrentStreams };
}

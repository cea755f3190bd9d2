import { Counter, Histogram } from "prom-client";
import { latencyBucketsSeconds, withTenantLabel, type ServiceMetrics } from "./service-metrics.ts";

/** One finished model call as the inference subgraph meters it (its usage event). */
export interface MeteredCallRecord {
  /** The registry's model id (the `model` label). */
  modelId: string;
  /**
   * The call in the GenAI conventions' words, as its engine-call span has them (engines/traced-engine.ts):
   * `gen_ai.operation.name` (`chat`, `text_completion`, `embeddings`; `rerank`, which the
   * conventions do not name yet), `gen_ai.provider.name`
   * (`llama.cpp`, `openai`, `openai_compatible`) and `gen_ai.request.model`.
   */
  genAi: { operation: string; provider: string; model: string };
  operation: "COMPLETION" | "STREAM" | "EMBEDDING" | "RERANKING";
  status: "SUCCEEDED" | "FAILED" | "CANCELLED";
  tenantId: string;
  promptTokens: number;
  completionTokens: number;
  /** From arrival to the end of the call, in milliseconds. */
  durationMillis: number;
  /** Streams: from arrival to the first token, in milliseconds; null otherwise. */
  timeToFirstTokenMillis: number | null;
}

/**
 * Model-call series of the inference subgraph: tokens in and out, call duration, time to first
 * token and per output token, plus the OpenTelemetry GenAI metrics under their Prometheus names
 * (`gen_ai.client.token.usage` → `gen_ai_client_token_usage`, `gen_ai.server.time_to_first_token` →
 * `gen_ai_server_time_to_first_token_seconds`, `gen_ai.server.time_per_output_token` →
 * `gen_ai_server_time_per_output_token_seconds`) with the semantic conventions' attributes and buckets.
 */
export interface GenerationMetrics {
  tokens: Counter<string>;
  calls: Counter<string>;
  durationSeconds: Histogram<"model" | "operation" | "status">;
  tokenUsage: Histogram<"gen_ai_operation_name" | "gen_ai_provider_name" | "gen_ai_request_model" | "gen_ai_token_type">;
  timeToFirstTokenSeconds: Histogram<"gen_ai_operation_name" | "gen_ai_provider_name" | "gen_ai_request_model">;
  timePerOutputTokenSeconds: Histogram<"gen_ai_operation_name" | "gen_ai_provider_name" | "gen_ai_request_model">;
}

const genAiAttributes = ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model"] as const;

export function defineGenerationMetrics(metrics: ServiceMetrics): GenerationMetrics {
  const registers = [metrics.registry];
  return {
    tokens: new Counter({
      name: "inference_tokens_total",
      help: "Tokens of metered model calls, by model, operation and direction (input: prompt, output: completion).",
      labelNames: withTenantLabel(metrics, ["model", "operation", "direction"]),
      registers,
    }),
    calls: new Counter({
      name: "inference_calls_total",
      help: "Metered model calls (completions, streams, embeddings; refused ones too), by model, operation and status.",
      labelNames: withTenantLabel(metrics, ["model", "operation", "status"]),
      registers,
    }),
    durationSeconds: new Histogram({
      name: "inference_call_duration_seconds",
      help: "Model call duration from arrival to the last token (generation duration), in seconds.",
      labelNames: ["model", "operation", "status"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    tokenUsage: new Histogram({
      name: "gen_ai_client_token_usage",
      help: "OpenTelemetry gen_ai.client.token.usage: tokens per model call, by gen_ai.token.type (input, output).",
      labelNames: [...genAiAttributes, "gen_ai_token_type"],
      buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
      registers,
    }),
    timeToFirstTokenSeconds: new Histogram({
      name: "gen_ai_server_time_to_first_token_seconds",
      help: "OpenTelemetry gen_ai.server.time_to_first_token: time from the request's arrival to its first output token (streams), in seconds.",
      labelNames: [...genAiAttributes],
      buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers,
    }),
    timePerOutputTokenSeconds: new Histogram({
      name: "gen_ai_server_time_per_output_token_seconds",
      help: "OpenTelemetry gen_ai.server.time_per_output_token: time per output token after the first (streams), in seconds.",
      labelNames: [...genAiAttributes],
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5],
      registers,
    }),
  };
}

/** Records one metered call in the service's series. */
export function recordMeteredCall(metrics: ServiceMetrics, call: MeteredCallRecord): void {
  const series = metrics.concern(defineGenerationMetrics);
  const tenant = metrics.settings.tenantLabel ? { tenant: call.tenantId } : {};
  const model = call.modelId;
  const { operation, status } = call;
  series.calls.inc({ model, operation, status, ...tenant });
  series.durationSeconds.observe({ model, operation, status }, call.durationMillis / 1000);
  if (call.promptTokens > 0) series.tokens.inc({ model, operation, direction: "input", ...tenant }, call.promptTokens);
  if (call.completionTokens > 0) series.tokens.inc({ model, operation, direction: "output", ...tenant }, call.completionTokens);
  // A call refused before the engine used no tokens: the GenAI histograms count engine calls only.
  if (call.promptTokens === 0 && call.completionTokens === 0) return;
  const genAi = { gen_ai_operation_name: call.genAi.operation, gen_ai_provider_name: call.genAi.provider, gen_ai_request_model: call.genAi.model };
  series.tokenUsage.observe({ ...genAi, gen_ai_token_type: "input" }, call.promptTokens);
  if (operation !== "EMBEDDING" && operation !== "RERANKING") series.tokenUsage.observe({ ...genAi, gen_ai_token_type: "output" }, call.completionTokens);
  if (call.timeToFirstTokenMillis === null) return;
  series.timeToFirstTokenSeconds.observe(genAi, call.timeToFirstTokenMillis / 1000);
  if (call.completionTokens > 1) {
    series.timePerOutputTokenSeconds.observe(genAi, (call.durationMillis - call.timeToFirstTokenMillis) / 1000 / (call.completionTokens - 1));
  }
}

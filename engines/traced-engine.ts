/**
 * An engine whose calls are spans carrying the GenAI semantic conventions (platform/tracing/): one
 * span per stream, batch or embedding call, made when the scheduler actually calls the engine (its
 * queue wait is the scheduler's own span). Without tracing, the engine itself is returned.
 */
import { context, SpanKind, trace } from "@opentelemetry/api";
import { genAiRequestAttributes, genAiSpanName, recordGenAiResult, type GenAiMessage, type GenAiModel, type GenAiOperation } from "../platform/tracing/genai-span.ts";
import { tracedIterator } from "../platform/tracing/traced-iterator.ts";
import { inSpan, markFailed, projectTracer } from "../platform/tracing/tracer.ts";
import { messageContentCaptured, tracingEnabled } from "../platform/tracing/tracing-state.ts";
import type { EngineDefinition } from "./open-engine.ts";
import type { GenerationEvent, GenerationPrompt, GenerationRequest, InferenceEngine } from "./engine.ts";

/** Who serves a registry model, in the conventions' words (`gen_ai.provider.name`, `gen_ai.request.model`). */
export function genAiModelOf(model: EngineDefinition): GenAiModel {
  const engine = model.engine;
  if (engine.kind === "LLAMA_CPP") return { provider: "llama.cpp", model: model.id };
  const host = engine.baseUrl === null ? "" : safeHostname(engine.baseUrl);
  return { provider: host === "api.openai.com" ? "openai" : "openai_compatible", model: engine.upstreamModel ?? model.id };
}

export function traceEngineCalls(engine: InferenceEngine, model: GenAiModel): InferenceEngine {
  if (!tracingEnabled()) return engine;
  // In-process llama.cpp is internal work; an OpenAI-compatible server is a remote call.
  const kind = engine.describe().kind === "llama-cpp" ? SpanKind.INTERNAL : SpanKind.CLIENT;
  return {
    describe: () => engine.describe(),
    countPromptTokens: (prompt) => engine.countPromptTokens(prompt),
    applyChatTemplate: (messages) => engine.applyChatTemplate(messages),
    close: () => engine.close(),
    streamGeneration(request, signal) {
      const operation = operationOf(request.prompt);
      const span = projectTracer().startSpan(genAiSpanName(operation, model), { kind, attributes: requestAttributes(operation, model, request) });
      const active = trace.setSpan(context.active(), span);
      const capture = messageContentCaptured();
      let output = "";
      let iterator: AsyncIterator<GenerationEvent>;
      try {
        iterator = context.with(active, () => engine.streamGeneration(request, signal)[Symbol.asyncIterator]());
      } catch (error) {
        markFailed(span, error);
        span.end();
        throw error;
      }
      return tracedIterator(span, iterator, active, (event: GenerationEvent) => {
        if (event.type === "text-delta" && capture) output += event.text;
        if (event.type === "text-end") {
          const { usage, finishReason } = event.result;
          recordGenAiResult(span, { inputTokens: usage.promptTokens, outputTokens: usage.completionTokens, finishReasons: [finishReason], ...(capture ? { outputText: output } : {}) });
        }
      });
    },
    generateBatch(requests, signal) {
      const first = requests[0];
      if (first === undefined) return engine.generateBatch(requests, signal);
      // A batch shares its prompt kind and parameters (generation-group-key.ts): one span for the call.
      const operation = operationOf(first.prompt);
      return inSpan(genAiSpanName(operation, model), { kind, attributes: { ...requestAttributes(operation, model, first), "gen_ai.request.batch_size": requests.length } }, async (span) => {
        const results = await engine.generateBatch(requests, signal);
        recordGenAiResult(span, {
          inputTokens: results.reduce((sum, result) => sum + result.usage.promptTokens, 0),
          outputTokens: results.reduce((sum, result) => sum + result.usage.completionTokens, 0),
          finishReasons: results.map((result) => result.finishReason),
          ...(results.length === 1 && results[0] !== undefined ? { outputText: results[0].text } : {}),
        });
        return results;
      });
    },
    // Reranking has no GenAI span convention yet: forwarded untraced.
    ...(engine.rank === undefined ? {} : { rank: engine.rank.bind(engine) }),
    embedBatch(texts, signal) {
      return inSpan(genAiSpanName("embeddings", model), { kind, attributes: { ...genAiRequestAttributes("embeddings", model, {}), "gen_ai.request.batch_size": texts.length } }, () => engine.embedBatch(texts, signal));
    },
  };
}

function operationOf(prompt: GenerationPrompt): GenAiOperation {
  return prompt.kind === "chat" ? "chat" : "text_completion";
}

function requestAttributes(operation: GenAiOperation, model: GenAiModel, request: GenerationRequest) {
  const messages: GenAiMessage[] = request.prompt.kind === "chat" ? request.prompt.messages : [{ role: "user", content: request.prompt.text }];
  return genAiRequestAttributes(operation, model, {
    maxTokens: request.parameters.maxTokens,
    ...(request.parameters.temperature === undefined ? {} : { temperature: request.parameters.temperature }),
    messages,
  });
}

function safeHostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

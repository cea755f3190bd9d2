/**
 * The GenAI semantic conventions, put on engine-call spans only (never on the request, subgraph or
 * retrieval spans around them): `gen_ai.operation.name`, `gen_ai.provider.name`,
 * `gen_ai.request.model`, the usage counts, and (only with message capture on) the messages.
 */
import type { Attributes, Span } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@opentelemetry/semantic-conventions/incubating";
import { messageContentCaptured } from "./tracing-state.ts";

/** `gen_ai.operation.name` values this project uses. */
export type GenAiOperation = "chat" | "text_completion" | "embeddings";

/** What names a model to the conventions: who serves it and under which name. */
export interface GenAiModel {
  /** `gen_ai.provider.name`: `openai` for OpenAI's API, `llama.cpp`, or `openai_compatible` for other servers. */
  provider: string;
  /** `gen_ai.request.model`: the name the engine is asked for (the upstream model, or the registry id). */
  model: string;
}

/** A message as the conventions record it (`gen_ai.input.messages` / `gen_ai.output.messages`). */
export interface GenAiMessage {
  role: string;
  content: string;
}

/** The span name the conventions ask for: `{operation} {model}`. */
export function genAiSpanName(operation: GenAiOperation, model: GenAiModel): string {
  return `${operation} ${model.model}`;
}

/** Attributes known when the call starts. Messages only with message capture on. */
export function genAiRequestAttributes(operation: GenAiOperation, model: GenAiModel, request: { maxTokens?: number; temperature?: number; messages?: readonly GenAiMessage[] }): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: model.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: model.model,
  };
  if (request.maxTokens !== undefined) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = request.maxTokens;
  if (request.temperature !== undefined) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = request.temperature;
  if (request.messages !== undefined && messageContentCaptured()) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(request.messages.map(toConventionMessage));
  return attributes;
}

/** Records what the call used and why it ended; the output text only with message capture on. */
export function recordGenAiResult(span: Span, result: { inputTokens?: number; outputTokens?: number; finishReasons?: readonly string[]; outputText?: string }): void {
  if (!span.isRecording()) return;
  if (result.inputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, result.inputTokens);
  if (result.outputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, result.outputTokens);
  if (result.finishReasons !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [...result.finishReasons]);
  if (result.outputText !== undefined && messageContentCaptured()) {
    span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, JSON.stringify([toConventionMessage({ role: "assistant", content: result.outputText })]));
  }
}

function toConventionMessage(message: GenAiMessage): { role: string; parts: { type: "text"; content: string }[] } {
  return { role: message.role, parts: [{ type: "text", content: message.content }] };
}

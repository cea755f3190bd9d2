/**
 * One streamed generation: opens the SSE stream, turns chunks into engine events, retries failures
 * that happen before any text was delivered, and ends with `cancelled` when the caller aborts.
 */
import type { Logger } from "../../platform/logging/logger.ts";
import { EngineError } from "../engine-error.ts";
import type { FinishReason, GenerationEvent, GenerationPrompt, GenerationRequest, TokenCount, TokenUsage } from "../engine.ts";
import { delayUnlessAborted } from "./abortable-delay.ts";
import { RequestAttempt } from "./request-attempt.ts";
import { retryDelayMillis, type RetryPolicy } from "./retry-policy.ts";
import { estimatePromptTokens, estimateTextTokens } from "./token-estimate.ts";
import { toEngineError } from "./upstream-error.ts";
import { openGenerationStream, operations, type UpstreamConnection } from "./upstream-requests.ts";

export interface GenerationStreamSettings {
  readonly connection: UpstreamConnection;
  readonly retryPolicy: RetryPolicy;
  /** Milliseconds to wait for the reply headers and then for each next chunk. */
  readonly requestTimeoutMillis: number;
  readonly requestStreamUsage: boolean;
  /** Aborted when the engine closes. */
  readonly engineSignal: AbortSignal;
  /** Prompt tokens for the usage report when the server sent none. */
  readonly countPromptTokens: (prompt: GenerationPrompt) => Promise<TokenCount>;
  /** The model's context length in tokens, to name the cause of an empty reply. */
  readonly contextLength: number;
  /** Completion tokens for the usage report when the server sent none. */
  readonly countCompletionTokens: (text: string) => Promise<TokenCount>;
  /** Where upstream failures are logged with the upstream's own words. Default: nowhere. */
  readonly logger?: Logger | undefined;
}

/** What the caller has received so far, across attempts. */
interface StreamProgress {
  started: boolean;
  text: string;
  deltaCount: number;
}

type AttemptOutcome =
  | { readonly kind: "finished"; readonly finishReason: Exclude<FinishReason, "cancelled">; readonly usage: TokenUsage | undefined }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly error: EngineError };

function operationOf(request: GenerationRequest): string {
  return request.prompt.kind === "chat" ? operations.chatCompletions : operations.completions;
}

async function* streamAttempt(
  settings: GenerationStreamSettings,
  request: GenerationRequest,
  signal: AbortSignal | undefined,
  progress: StreamProgress,
): AsyncGenerator<GenerationEvent, AttemptOutcome, undefined> {
  const operation = operationOf(request);
  const cancelled = (): boolean => signal?.aborted === true || settings.engineSignal.aborted;
  const attempt = new RequestAttempt([signal, settings.engineSignal], settings.requestTimeoutMillis);
  try {
    const pieces = await openGenerationStream(settings.connection, request, settings.requestStreamUsage, attempt.signal);
    if (!progress.started) {
      progress.started = true;
      attempt.pauseDeadline();
      yield { type: "text-start" };
      attempt.restartDeadline();
    }
    let finishReason: Exclude<FinishReason, "cancelled"> | undefined;
    let usage: TokenUsage | undefined;
    let pieceCount = 0;
    for await (const piece of pieces) {
      pieceCount += 1;
      finishReason = piece.finishReason ?? finishReason;
      usage = piece.usage ?? usage;
      if (piece.text.length > 0) {
        progress.text += piece.text;
        // The deadline measures the server's silence, not the time our consumer takes.
        attempt.pauseDeadline();
        yield { type: "text-delta", index: progress.deltaCount, text: piece.text };
        progress.deltaCount += 1;
      }
      attempt.restartDeadline();
    }
    // The SDK ends the iteration quietly when the request is aborted, so ask why it ended.
    if (cancelled()) return { kind: "cancelled" };
    if (attempt.timedOut) return { kind: "failed", error: new EngineError("timeout", `${operation}: the stream went silent past the request timeout`) };
    if (pieceCount === 0) return { kind: "failed", error: await emptyReplyError(settings, request, operation) };
    if (finishReason === undefined) {
      return { kind: "failed", error: new EngineError("unavailable", `${operation}: the stream ended before the server sent a finish reason`) };
    }
    return { kind: "finished", finishReason, usage };
  } catch (error) {
    if (cancelled()) return { kind: "cancelled" };
    return { kind: "failed", error: toEngineError(error, { operation, timedOut: attempt.timedOut, logger: settings.logger }) };
  } finally {
    attempt.dispose();
  }
}

/**
 * llama-cpp-python answers a prompt over the context length with an empty event stream (HTTP 200,
 * no events): the prompt is counted to tell that case — context-overflow, never retryable, with
 * the counts — from a server that failed otherwise.
 */
async function emptyReplyError(settings: GenerationStreamSettings, request: GenerationRequest, operation: string): Promise<EngineError> {
  const count = await settings.countPromptTokens(request.prompt).catch(() => undefined);
  const maxTokens = request.parameters.maxTokens;
  if (count !== undefined && count.tokens + maxTokens > settings.contextLength) {
    return new EngineError(
      "context-overflow",
      `${operation}: the server sent no stream events; the prompt takes ${count.tokens} tokens${count.exact ? "" : " (estimated)"} and maxTokens is ${maxTokens}: ` +
        `${count.tokens + maxTokens} tokens exceed the context length limit of ${settings.contextLength} tokens`,
    );
  }
  return new EngineError("invalid-response", `${operation}: the reply contained no stream events`);
}

async function countedUsage(settings: GenerationStreamSettings, prompt: GenerationPrompt, text: string): Promise<TokenUsage> {
  // One after the other: the first call settles which tokenizer endpoint the server has.
  const promptCount = await settings.countPromptTokens(prompt);
  const completionCount = await settings.countCompletionTokens(text);
  const usage: TokenUsage = { promptTokens: promptCount.tokens, completionTokens: completionCount.tokens };
  return promptCount.exact && completionCount.exact ? usage : { ...usage, estimated: true };
}

/**
 * The events of one generation. Failures reach the caller as a thrown EngineError; they are retried
 * first only while no text has been delivered, since a retry would otherwise repeat or contradict
 * text the caller already has.
 */
export async function* streamGenerationEvents(
  settings: GenerationStreamSettings,
  request: GenerationRequest,
  signal?: AbortSignal,
): AsyncGenerator<GenerationEvent, void, undefined> {
  const progress: StreamProgress = { started: false, text: "", deltaCount: 0 };
  const parents = [signal, settings.engineSignal];
  for (let retriesDone = 0; ; retriesDone += 1) {
    const outcome = yield* streamAttempt(settings, request, signal, progress);
    if (outcome.kind === "cancelled") break;
    if (outcome.kind === "finished") {
      // Without the server's count: our best counts (exact where a tokenizer is at hand).
      const usage = outcome.usage ?? (await countedUsage(settings, request.prompt, progress.text));
      yield { type: "text-end", result: { text: progress.text, finishReason: outcome.finishReason, usage } };
      return;
    }
    const delay = progress.deltaCount === 0 ? retryDelayMillis(outcome.error, retriesDone, settings.retryPolicy) : undefined;
    if (delay === undefined) throw outcome.error;
    if (!(await delayUnlessAborted(delay, parents))) break;
  }
  // Cancelled: the request is already aborted, so no further calls (like /tokenize) for the usage.
  if (!progress.started) yield { type: "text-start" };
  const usage: TokenUsage = { promptTokens: estimatePromptTokens(request.prompt), completionTokens: estimateTextTokens(progress.text), estimated: true };
  yield { type: "text-end", result: { text: progress.text, finishReason: "cancelled", usage } };
}

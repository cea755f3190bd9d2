/**
 * The HTTP calls to the OpenAI-compatible server, made with the `openai` SDK (HTTP, SSE parsing) and
 * validated into the engine's own types before anything else sees them.
 */
import type OpenAI from "openai";
import { EngineError } from "../engine-error.ts";
import type { ChatMessage, FinishReason, GenerationParameters, GenerationRequest, TokenUsage } from "../engine.ts";
import { finishReasonFromUpstream } from "./finish-reason.ts";
import { samplingParameters } from "./sampling-parameters.ts";
import {
  chatCompletionChunkSchema,
  embeddingsSchema,
  parseWire,
  rerankSchema,
  textCompletionBatchSchema,
  textCompletionChunkSchema,
  type WireUsage,
} from "./wire-schemas.ts";

export interface UpstreamConnection {
  readonly client: OpenAI;
  /** The `model` field of every request. */
  readonly model: string;
}

/** What one SSE event contributes to a generation. */
export interface StreamPiece {
  readonly text: string;
  readonly finishReason: Exclude<FinishReason, "cancelled"> | undefined;
  readonly usage: TokenUsage | undefined;
}

/** One generated text of a non-streamed call; `usage` only when the server reported it for this text alone. */
export interface CompletedText {
  readonly text: string;
  readonly finishReason: Exclude<FinishReason, "cancelled">;
  readonly usage: TokenUsage | undefined;
}

export interface CompletedTextBatch {
  /** In prompt order. */
  readonly texts: CompletedText[];
  /** The whole call's usage when the server reported it. */
  readonly totalUsage: TokenUsage | undefined;
}

export const operations = {
  chatCompletions: "POST /chat/completions",
  completions: "POST /completions",
  embeddings: "POST /embeddings",
  rerank: "POST /rerank",
} as const;

function usageFromWire(usage: WireUsage | null | undefined): TokenUsage | undefined {
  return usage === null || usage === undefined ? undefined : { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

function invalidResponse(operation: string, message: string): EngineError {
  return new EngineError("invalid-response", `${operation}: ${message}`);
}

/** We ask for one choice per prompt (no `n`), so a stream for one prompt only ever has choice 0. */
function requireSingleChoice(operation: string, index: number): void {
  if (index !== 0) throw invalidResponse(operation, `unexpected choice index ${index} in a single-prompt stream`);
}

function chatPieceFrom(chunk: unknown): StreamPiece {
  const parsed = parseWire(chatCompletionChunkSchema, chunk, operations.chatCompletions);
  let text = "";
  let finishReason: StreamPiece["finishReason"];
  for (const choice of parsed.choices) {
    requireSingleChoice(operations.chatCompletions, choice.index);
    text += choice.delta?.content ?? "";
    finishReason = finishReasonFromUpstream(choice.finish_reason) ?? finishReason;
  }
  return { text, finishReason, usage: usageFromWire(parsed.usage) };
}

function textPieceFrom(chunk: unknown): StreamPiece {
  const parsed = parseWire(textCompletionChunkSchema, chunk, operations.completions);
  let text = "";
  let finishReason: StreamPiece["finishReason"];
  for (const choice of parsed.choices) {
    requireSingleChoice(operations.completions, choice.index);
    text += choice.text;
    finishReason = finishReasonFromUpstream(choice.finish_reason) ?? finishReason;
  }
  return { text, finishReason, usage: usageFromWire(parsed.usage) };
}

async function* piecesOf(chunks: AsyncIterable<unknown>, toPiece: (chunk: unknown) => StreamPiece): AsyncGenerator<StreamPiece, void, undefined> {
  // Leaving this loop early (a consumer's `return`, a thrown validation error) returns the SDK's
  // iterator, which aborts the HTTP request and so closes the upstream connection.
  for await (const chunk of chunks) yield toPiece(chunk);
}

function chatMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: message.content }));
}

/**
 * Starts a streamed generation; resolves once the server answered with a success status (errors before
 * that reject here, so nothing has been delivered and the call may be retried).
 */
export async function openGenerationStream(
  connection: UpstreamConnection,
  request: GenerationRequest,
  requestStreamUsage: boolean,
  signal: AbortSignal,
): Promise<AsyncIterable<StreamPiece>> {
  const sampling = samplingParameters(request.parameters);
  const streamOptions = requestStreamUsage ? { include_usage: true } : undefined;
  const { prompt } = request;
  if (prompt.kind === "chat") {
    const stream = await connection.client.chat.completions.create(
      { model: connection.model, messages: chatMessages(prompt.messages), ...sampling, stream: true, stream_options: streamOptions },
      { signal },
    );
    return piecesOf(stream, chatPieceFrom);
  }
  const stream = await connection.client.completions.create(
    { model: connection.model, prompt: prompt.text, ...sampling, stream: true, stream_options: streamOptions },
    { signal },
  );
  return piecesOf(stream, textPieceFrom);
}

/** One `/completions` call for several prompts (the array form of `prompt`); texts in prompt order. */
export async function createTextCompletions(
  connection: UpstreamConnection,
  prompts: readonly string[],
  parameters: GenerationParameters,
  signal: AbortSignal,
): Promise<CompletedTextBatch> {
  const operation = operations.completions;
  // Only batches of two or more come here; a prompt alone goes as a stream (batch-generation.ts).
  const prompt = [...prompts];
  const reply: unknown = await connection.client.completions.create(
    { model: connection.model, prompt, ...samplingParameters(parameters), stream: false },
    { signal },
  );
  const parsed = parseWire(textCompletionBatchSchema, reply, operation);
  // llama.cpp answers a JSON array of single-prompt replies, each with its own (exact) usage.
  const perPromptReplies = Array.isArray(parsed);
  const replies = perPromptReplies ? parsed : [parsed];
  const texts = new Array<CompletedText | undefined>(prompts.length).fill(undefined);
  let choiceCount = 0;
  for (const single of replies) {
    for (const choice of single.choices) {
      choiceCount += 1;
      if (choice.index >= prompts.length) throw invalidResponse(operation, `choice index ${choice.index} is out of range for ${prompts.length} prompts`);
      if (texts[choice.index] !== undefined) throw invalidResponse(operation, `choice index ${choice.index} appears twice`);
      texts[choice.index] = {
        text: choice.text,
        // A final reply without a reason still ended; the only distinction we lose is "length".
        finishReason: finishReasonFromUpstream(choice.finish_reason) ?? "stop",
        usage: perPromptReplies && single.choices.length === 1 ? usageFromWire(single.usage) : undefined,
      };
    }
  }
  if (choiceCount !== prompts.length) throw invalidResponse(operation, `expected ${prompts.length} choices, got ${choiceCount}`);
  const totalUsage = perPromptReplies ? undefined : usageFromWire(replies[0]?.usage);
  return { texts: texts.map((text) => text ?? { text: "", finishReason: "stop", usage: undefined }), totalUsage };
}

/** One `/embeddings` call for several texts; the raw items, still to be ordered and checked. */
export async function createEmbeddings(
  connection: UpstreamConnection,
  texts: readonly string[],
  signal: AbortSignal,
): Promise<Array<{ index: number; embedding: number[] }>> {
  // "float" explicitly: without it the SDK asks for base64 and decodes it, which not every server supports.
  const reply: unknown = await connection.client.embeddings.create(
    { model: connection.model, input: [...texts], encoding_format: "float" },
    { signal },
  );
  return parseWire(embeddingsSchema, reply, operations.embeddings).data;
}

/**
 * One `/rerank` call: the relevance of each document to `query`, in the documents' order (every
 * index answered exactly once), as the server reports it (a probability or a logit).
 */
export async function createRerank(connection: UpstreamConnection, query: string, documents: readonly string[], signal: AbortSignal): Promise<number[]> {
  const reply: unknown = await connection.client.post("/rerank", {
    body: { model: connection.model, query, documents: [...documents], top_n: documents.length },
    maxRetries: 0,
    signal,
  });
  const { results } = parseWire(rerankSchema, reply, operations.rerank);
  const scores: (number | undefined)[] = documents.map(() => undefined);
  for (const result of results) {
    if (result.index >= documents.length || scores[result.index] !== undefined) throw invalidResponse(operations.rerank, `unexpected or repeated index ${result.index}`);
    scores[result.index] = result.relevance_score;
  }
  if (scores.some((score) => score === undefined)) throw invalidResponse(operations.rerank, `${results.length} results for ${documents.length} documents`);
  return scores as number[];
}

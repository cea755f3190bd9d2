/**
 * TEST DOUBLE helpers: replies in the exact wire format of real OpenAI-compatible servers, for
 * replay-openai-server.ts. Shapes follow vLLM's OpenAI server (which OpenAI, SGLang and Ollama's `/v1`
 * match in every field the engine reads); llama.cpp-specific shapes are named as such.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { ReplayHandler, ReplayedRequest } from "./replay-openai-server.ts";

export const model = "replay-model";

/** One SSE event: a JSON payload, the `[DONE]` sentinel, or raw text written as the data line verbatim (malformed JSON). */
export type ServerSentEvent = object | "[DONE]" | { readonly raw: string };

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

function withTotal(usage: WireUsage): WireUsage & { total_tokens: number } {
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

export function chatChunk(delta: { role?: string; content?: string }, finishReason: string | null = null): object {
  return {
    id: "chatcmpl-replay",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

export function completionChunk(text: string, finishReason: string | null = null, index = 0): object {
  return {
    id: "cmpl-replay",
    object: "text_completion",
    created: 1_700_000_000,
    model,
    choices: [{ index, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
  };
}

/** The usage-only last chunk sent with `stream_options: {include_usage: true}`. */
export function usageChunk(usage: WireUsage, object = "chat.completion.chunk"): object {
  return { id: "chatcmpl-replay", object, created: 1_700_000_000, model, choices: [], usage: withTotal(usage) };
}

export interface StreamScript {
  readonly pieces: readonly string[];
  readonly finishReason?: string;
  /** Sent as the usage-only chunk before `[DONE]`; omitted when undefined. */
  readonly usage?: WireUsage;
}

/** vLLM's chat stream: role-only first chunk, one chunk per piece, the finish_reason chunk, usage, `[DONE]`. */
export function chatStreamEvents(script: StreamScript): ServerSentEvent[] {
  return [
    chatChunk({ role: "assistant", content: "" }),
    ...script.pieces.map((piece) => chatChunk({ content: piece })),
    chatChunk({ content: "" }, script.finishReason ?? "stop"),
    ...(script.usage === undefined ? [] : [usageChunk(script.usage)]),
    "[DONE]",
  ];
}

/** vLLM's `/completions` stream: one chunk per piece, the finish_reason chunk, usage, `[DONE]`. */
export function completionStreamEvents(script: StreamScript): ServerSentEvent[] {
  return [
    ...script.pieces.map((piece) => completionChunk(piece)),
    completionChunk("", script.finishReason ?? "stop"),
    ...(script.usage === undefined ? [] : [usageChunk(script.usage, "text_completion")]),
    "[DONE]",
  ];
}

function eventText(event: ServerSentEvent): string {
  const data = event === "[DONE]" ? event : "raw" in event ? event.raw : JSON.stringify(event);
  return `data: ${data}\n\n`;
}

export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
}

/** Writes `events` as SSE (`data: …` plus a blank line each), `intervalMillis` apart, and ends the response unless told not to. */
export async function writeEvents(
  response: ServerResponse,
  events: readonly ServerSentEvent[],
  options: { intervalMillis?: number; end?: boolean } = {},
): Promise<void> {
  if (!response.headersSent) startEventStream(response);
  for (const event of events) {
    if (response.destroyed) return;
    response.write(eventText(event));
    if (options.intervalMillis !== undefined && options.intervalMillis > 0) await delay(options.intervalMillis);
  }
  if (options.end !== false && !response.destroyed) response.end();
}

export function streamReply(events: readonly ServerSentEvent[], intervalMillis = 0): ReplayHandler {
  return (_request, response) => writeEvents(response, events, { intervalMillis });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): ReplayHandler {
  return (_request, response) => sendJson(response, status, body, headers);
}

/** OpenAI's (and current vLLM's) error body. */
export function errorBody(message: string, type: string, code: string | number | null): object {
  return { error: { message, type, param: null, code } };
}

/** A handler that never answers, until the client gives up and closes the connection. */
export function stall(): ReplayHandler {
  return (_request, response) => new Promise<void>((resolve) => response.once("close", () => resolve()));
}

/** Sends a few events, then destroys the socket: a server crash or a proxy cutting the connection mid-stream. */
export function dropAfter(events: readonly ServerSentEvent[]): ReplayHandler {
  return async (_request, response) => {
    await writeEvents(response, events, { end: false });
    // Let the chunks reach the client before the connection dies.
    await delay(20);
    response.socket?.destroy();
  };
}

/** Streams `events`, then keeps sending a piece every `intervalMillis` until the client closes the connection. */
export function endlessChatStream(events: readonly ServerSentEvent[], intervalMillis: number): ReplayHandler {
  return async (_request, response) => {
    await writeEvents(response, events, { end: false });
    while (!response.destroyed) {
      response.write(eventText(chatChunk({ content: " more" })));
      await delay(intervalMillis);
    }
  };
}

export function completionReply(choices: ReadonlyArray<{ index: number; text: string; finishReason?: string }>, usage?: WireUsage): object {
  return {
    id: "cmpl-replay",
    object: "text_completion",
    created: 1_700_000_000,
    model,
    choices: choices.map((choice) => ({ index: choice.index, text: choice.text, logprobs: null, finish_reason: choice.finishReason ?? "stop", stop_reason: null })),
    ...(usage === undefined ? {} : { usage: withTotal(usage) }),
  };
}

export function embeddingsReply(items: ReadonlyArray<{ index: number; embedding: readonly number[] }>): object {
  return {
    object: "list",
    model,
    data: items.map((item) => ({ object: "embedding", index: item.index, embedding: item.embedding })),
    usage: { prompt_tokens: items.length, total_tokens: items.length },
  };
}

/** Reads the request body as an object (tests know the engine sends JSON objects). */
export function bodyOf(request: ReplayedRequest | undefined): Record<string, unknown> {
  const body = request?.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`expected a JSON object body, got ${JSON.stringify(body)}`);
  return body as Record<string, unknown>;
}

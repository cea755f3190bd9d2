/**
 * TEST DOUBLE — a simulated llama-cpp-python server, not a real one. It speaks the wire format
 * measured on llama-cpp-python 0.3.36 (see docs/ARCHITECTURE.md): one prompt per `/completions`
 * call (an array is HTTP 500), no usage in streams, usage in non-streamed replies, no `/tokenize`
 * but `/extras/tokenize`, an empty event stream for a prompt over the context, silently truncated
 * embeddings. Token counts are real: it tokenizes with the model's own GGUF vocabulary and chat
 * template (the same file the real server loads). The "generation" is a fixed text, one token per
 * event, so the engine's contract tests run against it as against the real server.
 */
import type { ServerResponse } from "node:http";
import type { ChatMessage, GenerationPrompt } from "../../../engines/engine.ts";
import { LocalTokenizer } from "../../../engines/openai-compatible/local-tokenizer.ts";
import { ReplayOpenAIServer, type ReplayedRequest } from "./replay-openai-server.ts";
import { chatChunk, completionChunk, sendJson, writeEvents, type ServerSentEvent } from "./wire-format.ts";

/** What every generation says, cut at `max_tokens` or a stop sequence. */
const generatedText = "The capital of France is Paris. It is known for the Eiffel Tower, museums and cafes along the Seine.";
const millisPerToken = 5;

export interface SimulatedServer {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startSimulatedLlamaCppPython(options: { tokenizerPath: string; contextLength: number; embeddingDimensions: number }): Promise<SimulatedServer> {
  const tokenizer = await LocalTokenizer.open(options.tokenizerPath);
  const server = await ReplayOpenAIServer.start();
  const promptOf = (body: Record<string, unknown>): GenerationPrompt =>
    Array.isArray(body.messages) ? { kind: "chat", messages: body.messages as ChatMessage[] } : { kind: "text", text: String(body.prompt) };

  const generate = (request: ReplayedRequest, response: ServerResponse, chat: boolean): void | Promise<void> => {
    const body = request.body as Record<string, unknown>;
    if (Array.isArray(body.prompt)) {
      sendJson(response, 500, { error: { message: "1 validation error: prompt: Input should be a valid string", type: "internal_server_error" } });
      return;
    }
    const promptTokens = tokenizer.countPrompt(promptOf(body));
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : 16;
    if (promptTokens + maxTokens > options.contextLength) {
      if (body.stream === true) return writeEvents(response, []);
      sendJson(response, 400, { error: { message: `Requested tokens (${promptTokens + maxTokens}) exceed context window of ${options.contextLength}`, type: "invalid_request_error" } });
      return;
    }
    const { pieces, finishReason } = completion(tokenizer, maxTokens, Array.isArray(body.stop) ? (body.stop as string[]) : []);
    const text = pieces.join("");
    if (body.stream !== true) {
      const usage = { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length };
      const choice = chat ? { index: 0, message: { role: "assistant", content: text }, finish_reason: finishReason } : { index: 0, text, finish_reason: finishReason };
      sendJson(response, 200, { id: "simulated", object: chat ? "chat.completion" : "text_completion", created: 0, model: String(body.model), choices: [choice], usage });
      return;
    }
    const events: ServerSentEvent[] = [
      ...(chat ? [chatChunk({ role: "assistant" })] : []),
      ...pieces.map((piece) => (chat ? chatChunk({ content: piece }) : completionChunk(piece))),
      chat ? chatChunk({}, finishReason) : completionChunk("", finishReason),
      "[DONE]",
    ];
    return writeEvents(response, events, { intervalMillis: millisPerToken });
  };

  server.replyAlways("/v1/completions", (request, response) => generate(request, response, false));
  server.replyAlways("/v1/chat/completions", (request, response) => generate(request, response, true));
  server.replyAlways("/extras/tokenize", (request, response) => {
    const input = String((request.body as Record<string, unknown>).input ?? "");
    sendJson(response, 200, { tokens: Array.from({ length: tokenizer.countCompletion(input) }, (_, index) => index) });
  });
  server.replyAlways("/v1/embeddings", (request, response) => {
    const input = (request.body as Record<string, unknown>).input;
    const texts = Array.isArray(input) ? (input as string[]) : [String(input)];
    sendJson(response, 200, {
      object: "list",
      data: texts.map((text, index) => ({ object: "embedding", index, embedding: pseudoVector(text, options.embeddingDimensions) })),
      model: "simulated",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
  return {
    baseUrl: server.baseUrl,
    close: async () => {
      await server.close();
      await tokenizer.close();
    },
  };
}

/** The fixed text token by token (as llama.cpp emits it), cut at `maxTokens` or before a stop sequence. */
function completion(tokenizer: LocalTokenizer, maxTokens: number, stop: readonly string[]): { pieces: string[]; finishReason: "stop" | "length" } {
  const pieces: string[] = [];
  let text = "";
  for (const word of generatedText.split(/(?=\s)/)) {
    const candidate = text + word;
    const stopAt = stop.map((sequence) => candidate.indexOf(sequence)).filter((index) => index >= 0);
    if (stopAt.length > 0) {
      const kept = candidate.slice(text.length, Math.min(...stopAt));
      if (kept !== "") pieces.push(kept);
      return { pieces, finishReason: "stop" };
    }
    if (pieces.length + tokenizer.countCompletion(word) > maxTokens) return { pieces, finishReason: "length" };
    // One event per token: a word of several tokens arrives as several events.
    for (let count = tokenizer.countCompletion(word); count > 1; count -= 1) pieces.push("");
    pieces.push(word);
    text = candidate;
  }
  return { pieces, finishReason: "stop" };
}

function pseudoVector(text: string, dimensions: number): number[] {
  let seed = 0;
  for (const character of text) seed = (seed * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return Array.from({ length: dimensions }, (_, index) => Math.sin(seed + index));
}

/**
 * Exact token counts for servers that report none in streams: llama-cpp-python's `/extras/tokenize`,
 * and a tokenizer file named in the registry (the model's GGUF, vocabulary only). Estimates are
 * marked as such, and an empty reply to an over-long prompt is a context overflow.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ChatMessage, GenerationEvent } from "../../../engines/engine.ts";
import { EngineError } from "../../../engines/engine-error.ts";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import { testThreads, tinyModel } from "../llama-cpp/llama-cpp-test-models.ts";
import { collect, engineFor, thrownBy } from "./engine-under-test.ts";
import { ReplayOpenAIServer } from "./replay-openai-server.ts";
import { bodyOf, chatStreamEvents, completionStreamEvents, sendJson, streamReply } from "./wire-format.ts";

const messages: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Hello there" },
];

function endUsage(events: readonly GenerationEvent[]) {
  const last = events.at(-1);
  return last?.type === "text-end" ? last.result.usage : assert.fail("no text-end");
}

/** llama-cpp-python: no `/tokenize` (404), `/extras/tokenize` with `{input}`; one token per character here. */
function replayLlamaCppPython(server: ReplayOpenAIServer, bosTokens = 0): void {
  server.replyAlways("/extras/tokenize", (request, response) => {
    const input = String(bodyOf(request).input ?? "");
    sendJson(response, 200, { tokens: Array.from({ length: bosTokens + input.length }, (_, index) => index) });
  });
}

describe("exact token counts without usage in the stream", () => {
  let server: ReplayOpenAIServer;
  beforeEach(async () => {
    server = await ReplayOpenAIServer.start();
  });
  afterEach(() => server.close());

  it("counts text prompts and completions with llama-cpp-python's /extras/tokenize; chats it cannot render are marked estimated", async () => {
    replayLlamaCppPython(server);
    const engine = engineFor(server);
    assert.deepEqual(await engine.countPromptTokens({ kind: "text", text: "abcdef" }), { tokens: 6, exact: true });
    server.reply("/v1/completions", streamReply(completionStreamEvents({ pieces: ["Hel", "lo!"] })));
    const textEvents = await collect(engine.streamGeneration({ prompt: { kind: "text", text: "Say hi" }, parameters: { maxTokens: 8 } }));
    assert.deepEqual(endUsage(textEvents), { promptTokens: 6, completionTokens: 6 });
    server.reply("/v1/chat/completions", streamReply(chatStreamEvents({ pieces: ["Hi"] })));
    const chatEvents = await collect(engine.streamGeneration({ prompt: { kind: "chat", messages }, parameters: { maxTokens: 8 } }));
    const chatUsage = endUsage(chatEvents);
    assert.equal(chatUsage.estimated, true, "the server cannot apply its chat template for us");
    assert.equal(chatUsage.completionTokens, 2);
    assert.deepEqual(bodyOf(server.requestsTo("/extras/tokenize")[0]), { model: "replay-model", input: "abcdef" });
    assert.equal(server.requestsTo("/tokenize").length, 1, "the missing /tokenize is asked once");
  });

  it("does not count completions with /extras/tokenize when it adds a BOS token", async () => {
    replayLlamaCppPython(server, 1);
    const engine = engineFor(server);
    server.reply("/v1/completions", streamReply(completionStreamEvents({ pieces: ["Hello"] })));
    const usage = endUsage(await collect(engine.streamGeneration({ prompt: { kind: "text", text: "abc" }, parameters: { maxTokens: 8 } })));
    assert.equal(usage.promptTokens, 4, "the prompt count includes the BOS the server adds");
    assert.equal(usage.estimated, true);
  });

  it("counts chats exactly with the model's GGUF named as tokenizer, as the in-process engine does", async () => {
    const modelPath = await tinyModel("openai-tokenizer");
    const engine = engineFor(server, { tokenizerPath: modelPath });
    const reference = await LlamaCppEngine.open({ modelPath, contextLength: 256, sequences: 1, threads: testThreads });
    try {
      const expected = await reference.countPromptTokens({ kind: "chat", messages });
      assert.deepEqual(await engine.countPromptTokens({ kind: "chat", messages }), expected);
      assert.equal(server.requests.length, 0, "the server is not asked");
      server.reply("/v1/chat/completions", streamReply(chatStreamEvents({ pieces: ["Hello", " world"] })));
      const usage = endUsage(await collect(engine.streamGeneration({ prompt: { kind: "chat", messages }, parameters: { maxTokens: 8 } })));
      assert.equal(usage.promptTokens, expected.tokens);
      assert.equal(usage.estimated, undefined);
      assert.ok(usage.completionTokens > 0);
    } finally {
      await reference.close();
      await engine.close();
    }
  });

  it("marks estimates when neither the server nor a file can count", async () => {
    const engine = engineFor(server);
    server.reply("/v1/completions", streamReply(completionStreamEvents({ pieces: ["abcdefgh"] })));
    const usage = endUsage(await collect(engine.streamGeneration({ prompt: { kind: "text", text: "abcdefghijklmnop" }, parameters: { maxTokens: 8 } })));
    assert.deepEqual(usage, { promptTokens: 4, completionTokens: 2, estimated: true });
  });

  it("reports an empty reply to a prompt over the context length as context-overflow, not retryable, with the counts", async () => {
    replayLlamaCppPython(server);
    const engine = engineFor(server, { contextLength: 64 });
    // What llama-cpp-python sends for a prompt over its context: HTTP 200 and no events at all.
    server.reply("/v1/completions", streamReply([]));
    const error = await thrownBy(async () => collect(engine.streamGeneration({ prompt: { kind: "text", text: "x".repeat(60) }, parameters: { maxTokens: 10 } })));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "context-overflow");
    assert.equal(error.retryable, false);
    assert.match(error.message, /takes 60 tokens and maxTokens is 10: 70 tokens exceed the context length limit of 64 tokens/);
    assert.equal(server.requestsTo("/v1/completions").length, 1, "not retried");
  });
});

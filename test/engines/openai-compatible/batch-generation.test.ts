import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import type { GenerationRequest } from "../../../engines/engine.ts";
import { engineFor, thrownBy } from "./engine-under-test.ts";
import { closedWithin, ReplayOpenAIServer, type ReplayedRequest } from "./replay-openai-server.ts";
import type { ServerResponse } from "node:http";
import { bodyOf, chatChunk, chatStreamEvents, endlessChatStream, completionReply, completionStreamEvents, jsonReply, model, sendJson, streamReply } from "./wire-format.ts";

function textRequest(text: string, maxTokens = 8): GenerationRequest {
  return { prompt: { kind: "text", text }, parameters: { maxTokens, temperature: 0 } };
}

function chatRequest(content: string): GenerationRequest {
  return { prompt: { kind: "chat", messages: [{ role: "user", content }] }, parameters: { maxTokens: 8 } };
}

/** Answers a prompt sent alone — always a stream now, collected by the engine — with `<prompt>`. */
function echo(request: ReplayedRequest, response: ServerResponse): void | Promise<void> {
  assert.equal(bodyOf(request).stream, true, "a prompt alone goes upstream as a stream");
  return streamReply(completionStreamEvents({ pieces: [`<${String(bodyOf(request).prompt)}>`], usage: { prompt_tokens: 2, completion_tokens: 1 } }))(request, response);
}

describe("OpenAICompatibleEngine.generateBatch", () => {
  let server: ReplayOpenAIServer;
  before(async () => {
    server = await ReplayOpenAIServer.start();
  });
  after(async () => {
    await server.close();
  });

  it("sends text prompts with equal parameters as one array-prompt call and orders results by choices[].index", async () => {
    // vLLM answers in completion order, not prompt order.
    server.reply(
      "/v1/completions",
      jsonReply(
        200,
        completionReply(
          [
            { index: 2, text: " three" },
            { index: 0, text: " one", finishReason: "length" },
            { index: 1, text: " two" },
          ],
          { prompt_tokens: 30, completion_tokens: 9 },
        ),
      ),
    );
    const before = server.requestsTo("/v1/completions").length;
    const results = await engineFor(server).generateBatch([textRequest("first prompt"), textRequest("second prompt"), textRequest("third prompt")]);

    const sent = server.requestsTo("/v1/completions").slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(bodyOf(sent[0]), { model, prompt: ["first prompt", "second prompt", "third prompt"], max_tokens: 8, temperature: 0, stream: false });
    assert.deepEqual(
      results.map((result) => [result.text, result.finishReason]),
      [
        [" one", "length"],
        [" two", "stop"],
        [" three", "stop"],
      ],
    );
    // The batch's usage is shared out; the parts add up to the server's totals.
    assert.equal(results.reduce((sum, result) => sum + result.usage.promptTokens, 0), 30);
    assert.equal(results.reduce((sum, result) => sum + result.usage.completionTokens, 0), 9);
  });

  it("reads llama.cpp's reply to an array prompt: one complete reply per prompt, each with exact usage", async () => {
    server.reply(
      "/v1/completions",
      jsonReply(200, [
        completionReply([{ index: 1, text: " b" }], { prompt_tokens: 4, completion_tokens: 1 }),
        completionReply([{ index: 0, text: " a" }], { prompt_tokens: 3, completion_tokens: 2 }),
      ]),
    );
    const results = await engineFor(server).generateBatch([textRequest("aaa"), textRequest("bbbb")]);
    assert.deepEqual(results, [
      { text: " a", finishReason: "stop", usage: { promptTokens: 3, completionTokens: 2 } },
      { text: " b", finishReason: "stop", usage: { promptTokens: 4, completionTokens: 1 } },
    ]);
  });

  it("sends chat prompts as concurrent streams, collected, and returns results in request order", async () => {
    const waiting: Array<{ request: ReplayedRequest; answer: () => void }> = [];
    const count = 3;
    server.replyAlways("/v1/chat/completions", (request, response) => {
      const content = (bodyOf(request).messages as Array<{ content: string }>)[0]?.content ?? "";
      assert.equal(bodyOf(request).stream, true);
      waiting.push({ request, answer: () => void streamReply(chatStreamEvents({ pieces: [`re: ${content}`], usage: { prompt_tokens: 5, completion_tokens: 2 } }))(request, response) });
      // Answer only once all calls are in flight — proof that they were sent concurrently — and in reverse order.
      if (waiting.length === count) for (const pending of [...waiting].reverse()) pending.answer();
    });
    const results = await engineFor(server).generateBatch([chatRequest("a"), chatRequest("b"), chatRequest("c")]);
    assert.deepEqual(
      results.map((result) => result.text),
      ["re: a", "re: b", "re: c"],
    );
    assert.deepEqual(results[0]?.usage, { promptTokens: 5, completionTokens: 2 });
  });

  it("groups text prompts by parameters and mixes them with chat prompts", async () => {
    const completionsBefore = server.requestsTo("/v1/completions").length;
    server.replyAlways("/v1/completions", (request, response) => {
      const prompt = bodyOf(request).prompt as string | string[];
      if (typeof prompt === "string") return echo(request, response);
      sendJson(response, 200, completionReply(prompt.map((text, index) => ({ index, text: `<${text}>` }))));
    });
    server.replyAlways("/v1/chat/completions", streamReply(chatStreamEvents({ pieces: ["chat"] })));
    const results = await engineFor(server).generateBatch([textRequest("x", 4), chatRequest("hi"), textRequest("y", 8), textRequest("z", 4)]);
    assert.deepEqual(
      results.map((result) => result.text),
      ["<x>", "chat", "<y>", "<z>"],
    );
    const calls = server.requestsTo("/v1/completions").slice(completionsBefore);
    // A group of one goes alone, as a stream.
    assert.deepEqual(
      calls.map((call) => bodyOf(call).prompt),
      [["x", "z"], "y"],
    );
    // No usage in these replies: estimated, ~4 characters per token.
    assert.deepEqual(results[0]?.usage, { promptTokens: 1, completionTokens: 1, estimated: true });
  });

  it("falls back to one call per prompt when the server refuses an array prompt (Ollama), and remembers it", async () => {
    const path = "/v1/completions";
    const ollamaRefusal = jsonReply(400, {
      error: { message: "json: cannot unmarshal array into Go struct field CompletionRequest.prompt of type string", type: "invalid_request_error", param: null, code: null },
    });
    server.reply(path, ollamaRefusal, echo, echo);
    const engine = engineFor(server);
    const before = server.requestsTo(path).length;
    const first = await engine.generateBatch([textRequest("p"), textRequest("q")]);
    assert.deepEqual(
      first.map((result) => result.text),
      ["<p>", "<q>"],
    );
    assert.deepEqual(first[0]?.usage, { promptTokens: 2, completionTokens: 1 });
    server.reply(path, echo, echo);
    await engine.generateBatch([textRequest("r"), textRequest("s")]);
    const prompts = server
      .requestsTo(path)
      .slice(before)
      .map((request) => bodyOf(request).prompt);
    assert.deepEqual(prompts.slice(0, 1), [["p", "q"]]);
    assert.deepEqual(prompts.slice(1, 3).sort(), ["p", "q"]);
    assert.deepEqual(prompts.slice(3).sort(), ["r", "s"], "no array prompt once it was refused");
  });

  it("degrades to one call per prompt when the array reply does not match the prompts", async () => {
    for (const reply of [
      completionReply([{ index: 0, text: "only one" }]),
      completionReply([
        { index: 0, text: "a" },
        { index: 0, text: "again" },
      ]),
      completionReply([
        { index: 0, text: "a" },
        { index: 5, text: "b" },
      ]),
      { choices: "nope" },
    ]) {
      server.reply("/v1/completions", jsonReply(200, reply), echo, echo);
      const results = await engineFor(server).generateBatch([textRequest("p"), textRequest("q")]);
      assert.deepEqual(
        results.map((result) => result.text),
        ["<p>", "<q>"],
      );
    }
  });

  it("sends the prompts one by one at once, without retrying, when the array call fails with a 500 (llama-cpp-python), and tries arrays again after the memory period", async () => {
    const path = "/v1/completions";
    const refusal = jsonReply(500, { error: { message: "Input should be a valid string", type: "internal_server_error" } });
    const remembering = engineFor(server, { arrayPromptRefusalMemoryMillis: 600_000 });
    const forgetting = engineFor(server, { arrayPromptRefusalMemoryMillis: 0 });
    for (const [engine, arraysOnSecondBatch] of [
      [remembering, 0],
      [forgetting, 1],
    ] as const) {
      const before = server.requestsTo(path).length;
      server.reply(path, refusal, echo, echo);
      const results = await engine.generateBatch([textRequest("p"), textRequest("q")]);
      assert.deepEqual(
        results.map((result) => result.text),
        ["<p>", "<q>"],
      );
      server.reply(path, ...(arraysOnSecondBatch === 1 ? [refusal] : []), echo, echo);
      await engine.generateBatch([textRequest("r"), textRequest("s")]);
      const prompts = server
        .requestsTo(path)
        .slice(before)
        .map((request) => bodyOf(request).prompt);
      assert.deepEqual(prompts[0], ["p", "q"], "one array call, not retried");
      assert.deepEqual(prompts.slice(1, 3).sort(), ["p", "q"]);
      assert.equal(prompts.slice(3).filter(Array.isArray).length, arraysOnSecondBatch);
    }
  });

  it("fails with invalid-response when the reply body is not JSON", async () => {
    server.reply("/v1/completions", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end("{not json");
    });
    const error = await thrownBy(() => engineFor(server).generateBatch([textRequest("p")]));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "invalid-response");
  });

  it("closes the upstream request of a non-streamed call whose caller leaves, so the server stops generating", async () => {
    server.reply("/v1/chat/completions", endlessChatStream([chatChunk({ role: "assistant", content: "" }), chatChunk({ content: "Hi" })], 20));
    const caller = new AbortController();
    const request: GenerationRequest = { ...chatRequest("go on"), signal: caller.signal };
    const pending = thrownBy(() => engineFor(server).generateBatch([request]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    caller.abort();
    const error = await pending;
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "cancelled");
    const closed = await closedWithin(server.requestsTo("/v1/chat/completions").at(-1), 1_000);
    assert.equal(closed.completed, false, "the server never finished the reply: the engine closed it");
  });

  it("returns [] for no requests without calling the server", async () => {
    const before = server.requests.length;
    assert.deepEqual(await engineFor(server).generateBatch([]), []);
    assert.equal(server.requests.length, before);
  });
});

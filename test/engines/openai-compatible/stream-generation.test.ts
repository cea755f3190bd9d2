import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { performance } from "node:perf_hooks";
import { EngineError } from "../../../engines/engine-error.ts";
import type { GenerationEvent, GenerationRequest } from "../../../engines/engine.ts";
import { collect, engineFor, thrownBy } from "./engine-under-test.ts";
import { closedWithin, ReplayOpenAIServer } from "./replay-openai-server.ts";
import {
  bodyOf,
  chatChunk,
  chatStreamEvents,
  completionStreamEvents,
  dropAfter,
  endlessChatStream,
  errorBody,
  jsonReply,
  model,
  stall,
  streamReply,
  writeEvents,
} from "./wire-format.ts";

const chatRequest: GenerationRequest = {
  prompt: { kind: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }] },
  parameters: { maxTokens: 16, temperature: 0.2, topP: 0.9, stop: ["\n\n"], seed: 7 },
};

const textRequest: GenerationRequest = { prompt: { kind: "text", text: "Once upon a time" }, parameters: { maxTokens: 3 } };

function deltas(events: readonly GenerationEvent[]): string[] {
  return events.flatMap((event) => (event.type === "text-delta" ? [event.text] : []));
}

function lastResult(events: readonly GenerationEvent[]) {
  const last = events.at(-1);
  assert.equal(last?.type, "text-end");
  return last.type === "text-end" ? last.result : assert.fail("no text-end");
}

describe("OpenAICompatibleEngine.streamGeneration", () => {
  let server: ReplayOpenAIServer;
  before(async () => {
    server = await ReplayOpenAIServer.start();
  });
  after(async () => {
    await server.close();
  });

  it("streams a chat prompt from /v1/chat/completions with usage from the last chunk", async () => {
    server.reply("/v1/chat/completions", streamReply(chatStreamEvents({ pieces: ["Hel", "lo", "!"], usage: { prompt_tokens: 21, completion_tokens: 3 } }), 2));
    const before = server.requests.length;
    const events = await collect(engineFor(server).streamGeneration(chatRequest));

    assert.deepEqual(events.slice(0, 4), [
      { type: "text-start" },
      { type: "text-delta", index: 0, text: "Hel" },
      { type: "text-delta", index: 1, text: "lo" },
      { type: "text-delta", index: 2, text: "!" },
    ]);
    assert.deepEqual(lastResult(events), { text: "Hello!", finishReason: "stop", usage: { promptTokens: 21, completionTokens: 3 } });
    assert.equal(events.length, 5);

    const sent = server.requests.slice(before);
    assert.equal(sent.length, 1, "exact usage came from the server, so /tokenize was not asked");
    assert.equal(sent[0]?.path, "/v1/chat/completions");
    assert.equal(sent[0]?.headers.authorization, undefined, "no API key configured, no Authorization header");
    assert.deepEqual(bodyOf(sent[0]), {
      model,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
      max_tokens: 16,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("streams a text prompt from /v1/completions and maps finish_reason length", async () => {
    server.reply("/v1/completions", streamReply(completionStreamEvents({ pieces: [" there", " was", " a"], finishReason: "length", usage: { prompt_tokens: 5, completion_tokens: 3 } })));
    const engine = engineFor(server, { apiKey: "secret-key" });
    const events = await collect(engine.streamGeneration(textRequest));
    assert.deepEqual(deltas(events), [" there", " was", " a"]);
    assert.deepEqual(lastResult(events), { text: " there was a", finishReason: "length", usage: { promptTokens: 5, completionTokens: 3 } });
    const sent = server.requestsTo("/v1/completions").at(-1);
    assert.equal(sent?.headers.authorization, "Bearer secret-key");
    assert.deepEqual(bodyOf(sent), { model, prompt: "Once upon a time", max_tokens: 3, stream: true, stream_options: { include_usage: true } });
  });

  it("estimates usage when the server sends none, asking /tokenize only once when it is missing", async () => {
    server.replyAlways("/tokenize", jsonReply(404, { detail: "Not Found" }));
    const engine = engineFor(server, { requestStreamUsage: false });
    for (let round = 0; round < 2; round += 1) {
      server.reply("/v1/completions", streamReply(completionStreamEvents({ pieces: ["abcdefgh"] })));
      const events = await collect(engine.streamGeneration(textRequest));
      // "Once upon a time" is 16 characters: 4 tokens; "abcdefgh" 2 tokens.
      assert.deepEqual(lastResult(events), { text: "abcdefgh", finishReason: "stop", usage: { promptTokens: 4, completionTokens: 2, estimated: true } });
    }
    assert.equal(bodyOf(server.requestsTo("/v1/completions").at(-1)).stream_options, undefined);
    assert.equal(server.requestsTo("/tokenize").length, 1);
  });

  it("closes the upstream connection on abort and ends with finishReason cancelled", async () => {
    server.reply("/v1/chat/completions", endlessChatStream([chatChunk({ role: "assistant", content: "" }), chatChunk({ content: "Hi" })], 20));
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    let abortedAt = 0;
    for await (const event of engineFor(server).streamGeneration(chatRequest, controller.signal)) {
      events.push(event);
      if (event.type === "text-delta" && event.index === 2) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const closed = await closedWithin(server.requestsTo("/v1/chat/completions").at(-1), 1_000);
    assert.equal(closed.completed, false, "the server never finished the response");
    // Closed at once, not when the server ends the reply (it never does): typically under 10 ms;
    // `closedWithin` bounds the wait at a second so a loaded machine cannot fail this test.
    assert.ok(closed.at >= abortedAt);
    const result = lastResult(events);
    assert.equal(result.finishReason, "cancelled");
    assert.equal(result.text, "Hi more more");
  });

  it("ends with cancelled without sending anything when the signal is already aborted", async () => {
    const before = server.requests.length;
    const events = await collect(engineFor(server).streamGeneration(chatRequest, AbortSignal.abort()));
    assert.equal(events[0]?.type, "text-start");
    assert.equal(lastResult(events).finishReason, "cancelled");
    assert.equal(server.requests.length, before);
  });

  it("closes the upstream connection when the consumer stops reading, even right after text-start", async () => {
    for (const stopAt of ["text-delta", "text-start"] as const) {
      server.reply("/v1/chat/completions", endlessChatStream([chatChunk({ content: "Hi" })], 20));
      for await (const event of engineFor(server).streamGeneration(chatRequest)) {
        if (event.type === stopAt) break;
      }
      const closed = await closedWithin(server.requestsTo("/v1/chat/completions").at(-1), 1_000);
      assert.equal(closed.completed, false, stopAt);
    }
  });

  it("fails with unavailable, without retrying, when the connection drops after tokens were delivered", async () => {
    server.reply("/v1/chat/completions", dropAfter([chatChunk({ role: "assistant", content: "" }), chatChunk({ content: "Hel" }), chatChunk({ content: "lo" })]));
    const before = server.requestsTo("/v1/chat/completions").length;
    const received: GenerationEvent[] = [];
    const error = await thrownBy(async () => {
      for await (const event of engineFor(server).streamGeneration(chatRequest)) received.push(event);
    });
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "unavailable");
    assert.equal(error.retryable, true);
    assert.deepEqual(deltas(received), ["Hel", "lo"]);
    assert.equal(server.requestsTo("/v1/chat/completions").length - before, 1, "no retry once tokens were delivered");
  });

  it("retries a 500 and a connection dropped before any token, emitting text-start once", async () => {
    server.reply(
      "/v1/chat/completions",
      jsonReply(500, errorBody("EngineCore encountered an issue", "InternalServerError", 500)),
      dropAfter([chatChunk({ role: "assistant", content: "" })]),
      streamReply(chatStreamEvents({ pieces: ["ok"], usage: { prompt_tokens: 3, completion_tokens: 1 } })),
    );
    const before = server.requestsTo("/v1/chat/completions").length;
    const events = await collect(engineFor(server).streamGeneration(chatRequest));
    assert.equal(server.requestsTo("/v1/chat/completions").length - before, 3);
    assert.equal(events.filter((event) => event.type === "text-start").length, 1);
    assert.deepEqual(deltas(events), ["ok"]);
    assert.equal(lastResult(events).finishReason, "stop");
  });

  it("fails with invalid-response on a malformed JSON chunk", async () => {
    server.reply("/v1/chat/completions", streamReply([chatChunk({ content: "Hi" }), { raw: '{"choices": [{"index": 0, "delta": {"content": "x"' }, "[DONE]"]));
    const error = await thrownBy(() => collect(engineFor(server).streamGeneration(chatRequest)));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "invalid-response");
    assert.equal(error.retryable, false);
  });

  it("fails with invalid-response on a chunk of the wrong shape", async () => {
    server.reply("/v1/chat/completions", streamReply([{ choices: [{ index: 0, delta: { content: 42 } }] }, "[DONE]"]));
    const error = await thrownBy(() => collect(engineFor(server).streamGeneration(chatRequest)));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "invalid-response");
  });

  it("maps an error event inside the stream (vLLM) to the status in its code", async () => {
    server.reply("/v1/chat/completions", streamReply([chatChunk({ content: "Hi" }), errorBody("This model's maximum context length is 4096 tokens.", "BadRequestError", 400)]));
    const error = await thrownBy(() => collect(engineFor(server).streamGeneration(chatRequest)));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "context-overflow");
    assert.equal(error.upstreamStatus, 400);
  });

  it("times out when the stream goes silent after tokens, without retrying", async () => {
    server.reply("/v1/chat/completions", async (request, response) => {
      await writeEvents(response, [chatChunk({ content: "Hi" })], { end: false });
      await stall()(request, response);
    });
    const before = server.requestsTo("/v1/chat/completions").length;
    const started = performance.now();
    const error = await thrownBy(() => collect(engineFor(server, { requestTimeoutMillis: 150 }).streamGeneration(chatRequest)));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "timeout");
    assert.ok(performance.now() - started < 1_000);
    assert.equal(server.requestsTo("/v1/chat/completions").length - before, 1);
  });

  it("does not count the consumer's slowness against the timeout", async () => {
    server.reply("/v1/chat/completions", streamReply(chatStreamEvents({ pieces: ["a", "b"], usage: { prompt_tokens: 1, completion_tokens: 2 } })));
    const events: GenerationEvent[] = [];
    for await (const event of engineFor(server, { requestTimeoutMillis: 100 }).streamGeneration(chatRequest)) {
      events.push(event);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    assert.equal(lastResult(events).text, "ab");
  });

  it("rejects an invalid request before sending anything", async () => {
    const before = server.requests.length;
    const error = await thrownBy(() => collect(engineFor(server).streamGeneration({ prompt: { kind: "chat", messages: [] }, parameters: { maxTokens: 4 } })));
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, "invalid-request");
    assert.equal(server.requests.length, before);
  });
});

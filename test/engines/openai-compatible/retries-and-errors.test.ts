import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineError, type EngineErrorCode } from "../../../engines/engine-error.ts";
import type { GenerationRequest } from "../../../engines/engine.ts";
import { OpenAICompatibleEngine } from "../../../engines/openai-compatible/openai-compatible-engine.ts";
import { collect, engineFor, thrownBy } from "./engine-under-test.ts";
import { loopbackEngineNetwork } from "./loopback-network.ts";
import { closedWithin, ReplayOpenAIServer, type ReplayHandler } from "./replay-openai-server.ts";
import { chatStreamEvents, errorBody, jsonReply, model, stall, streamReply } from "./wire-format.ts";

const path = "/v1/chat/completions";
const request: GenerationRequest = { prompt: { kind: "chat", messages: [{ role: "user", content: "Hi" }] }, parameters: { maxTokens: 8 } };
// Non-streamed generations go upstream as streams (collected), so a caller that leaves stops the server.
const success = streamReply(chatStreamEvents({ pieces: ["Hello"], usage: { prompt_tokens: 9, completion_tokens: 1 } }));

describe("OpenAICompatibleEngine retries and error mapping", () => {
  let server: ReplayOpenAIServer;
  before(async () => {
    server = await ReplayOpenAIServer.start();
  });
  after(async () => {
    await server.close();
  });

  /** Runs one generateBatch against `replies` and returns what it produced and how many requests it took. */
  async function generateWith(replies: ReplayHandler[], engine: OpenAICompatibleEngine = engineFor(server)) {
    server.reply(path, ...replies);
    const before = server.requestsTo(path).length;
    let outcome: unknown;
    try {
      outcome = await engine.generateBatch([request]);
    } catch (error) {
      outcome = error;
    }
    return { outcome, requests: server.requestsTo(path).slice(before) };
  }

  function assertEngineError(outcome: unknown, code: EngineErrorCode): EngineError {
    assert.ok(outcome instanceof EngineError, `expected an EngineError, got ${String(outcome)}`);
    assert.equal(outcome.code, code, outcome.message);
    return outcome;
  }

  it("retries a 500 and succeeds", async () => {
    const { outcome, requests } = await generateWith([jsonReply(500, errorBody("Internal Server Error", "InternalServerError", 500)), success]);
    assert.deepEqual(outcome, [{ text: "Hello", finishReason: "stop", usage: { promptTokens: 9, completionTokens: 1 } }]);
    assert.equal(requests.length, 2);
  });

  it("gives up with unavailable after maxRetries", async () => {
    const unavailable = jsonReply(503, errorBody("Service Unavailable", "ServiceUnavailableError", 503));
    const { outcome, requests } = await generateWith([unavailable, unavailable, unavailable]);
    const error = assertEngineError(outcome, "unavailable");
    assert.equal(error.retryable, true);
    assert.equal(error.upstreamStatus, 503);
    assert.equal(requests.length, 3, "first attempt plus maxRetries (2)");
  });

  it("honours retry-after-ms on a 429 before retrying", async () => {
    const { outcome, requests } = await generateWith([
      jsonReply(429, errorBody("Rate limit reached", "rate_limit_exceeded", "rate_limit_exceeded"), { "retry-after-ms": "80" }),
      success,
    ]);
    assert.ok(Array.isArray(outcome));
    assert.equal(requests.length, 2);
    const [first, second] = requests;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(second.receivedAt - first.receivedAt >= 75, `retried after ${Math.round(second.receivedAt - first.receivedAt)} ms`);
  });

  it("hands a retry-after longer than maxBackoffMillis to the caller as rate-limited", async () => {
    const { outcome, requests } = await generateWith([jsonReply(429, errorBody("Too many requests", "rate_limit_exceeded", null), { "retry-after": "30" })]);
    const error = assertEngineError(outcome, "rate-limited");
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMillis, 30_000);
    assert.equal(error.upstreamStatus, 429);
    assert.equal(requests.length, 1);
  });

  for (const [status, code] of [
    [400, "invalid-request"],
    [404, "invalid-request"],
    [422, "invalid-request"],
    [401, "upstream-unauthorized"],
    [403, "upstream-unauthorized"],
  ] as const) {
    it(`does not retry ${status} (${code})`, async () => {
      // Nothing else is queued: a retry would show up as a second (404) request.
      const { outcome, requests } = await generateWith([jsonReply(status, errorBody(`status ${status}`, "BadRequestError", status))]);
      const error = assertEngineError(outcome, code);
      assert.equal(error.retryable, false);
      assert.equal(error.upstreamStatus, status);
      assert.equal(requests.length, 1);
    });
  }

  it("recognises context overflow in the wire formats of vLLM, llama.cpp, TGI and older vLLM", async () => {
    const overflows: ReplayHandler[] = [
      // Current vLLM / OpenAI.
      jsonReply(
        400,
        errorBody(
          "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).",
          "BadRequestError",
          400,
        ),
      ),
      // llama.cpp server.
      jsonReply(400, { error: { code: 400, message: "request (4476 tokens) exceeds the available context size (4096 tokens)", type: "exceed_context_size_error", n_prompt_tokens: 4476, n_ctx: 4096 } }),
      // TGI: a string `error` and an `error_type`.
      jsonReply(422, { error: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`", error_type: "validation" }),
      // vLLM before the `{"error": …}` wrapper.
      jsonReply(400, { object: "error", message: "This model's maximum context length is 2048 tokens.", type: "BadRequestError", param: null, code: 400 }),
    ];
    for (const overflow of overflows) {
      const { outcome, requests } = await generateWith([overflow]);
      const error = assertEngineError(outcome, "context-overflow");
      assert.equal(error.retryable, false);
      assert.equal(requests.length, 1);
    }
  });

  it("keeps the message of an older vLLM error body on the cause (for the log), not in the error's message (for clients)", async () => {
    const { outcome } = await generateWith([jsonReply(404, { object: "error", message: "The model `other` does not exist.", type: "NotFoundError", param: null, code: 404 })]);
    const error = assertEngineError(outcome, "invalid-request");
    assert.doesNotMatch(error.message, /does not exist/);
    assert.match(error.message, /the upstream engine answered HTTP 404/);
    assert.ok(error.cause instanceof Error);
    assert.match(error.cause.message, /The model `other` does not exist/);
  });

  it("times out a stalled call and succeeds on the retry", async () => {
    const engine = engineFor(server, { requestTimeoutMillis: 100 });
    const { outcome, requests } = await generateWith([stall(), success], engine);
    assert.ok(Array.isArray(outcome));
    assert.equal(requests.length, 2);
    assert.equal((await closedWithin(requests[0], 1_000)).completed, false, "the timed-out request's connection was closed");
  });

  it("reports timeout once the retries are used up", async () => {
    const engine = engineFor(server, { requestTimeoutMillis: 60, maxRetries: 1 });
    const { outcome, requests } = await generateWith([stall(), stall()], engine);
    const error = assertEngineError(outcome, "timeout");
    assert.equal(error.retryable, true);
    assert.equal(requests.length, 2);
  });

  it("times out a stream whose headers never come and retries it", async () => {
    server.reply(path, stall(), streamReply(chatStreamEvents({ pieces: ["ok"], usage: { prompt_tokens: 1, completion_tokens: 1 } })));
    const events = await collect(engineFor(server, { requestTimeoutMillis: 100 }).streamGeneration(request));
    assert.equal(events.at(-1)?.type, "text-end");
  });

  it("reports unavailable when nothing listens on the port", async () => {
    const closedServer = await ReplayOpenAIServer.start();
    const baseUrl = closedServer.baseUrl;
    await closedServer.close();
    const engine = new OpenAICompatibleEngine({ baseUrl, upstreamModel: model, contextLength: 4096, maxRetries: 1, initialBackoffMillis: 1, maxBackoffMillis: 5, network: loopbackEngineNetwork });
    const error = assertEngineError(await thrownBy(() => engine.generateBatch([request])), "unavailable");
    assert.equal(error.retryable, true);
  });

  it("rejects with cancelled when the caller aborts during a call or a backoff", async () => {
    server.reply(path, stall());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    assertEngineError(await thrownBy(() => engineFor(server).generateBatch([request], controller.signal)), "cancelled");

    server.reply(path, jsonReply(503, errorBody("busy", "ServiceUnavailableError", 503)));
    const duringBackoff = new AbortController();
    const engine = engineFor(server, { initialBackoffMillis: 5_000, maxBackoffMillis: 5_000 });
    setTimeout(() => duringBackoff.abort(), 50);
    const started = Date.now();
    assertEngineError(await thrownBy(() => engine.generateBatch([request], duringBackoff.signal)), "cancelled");
    assert.ok(Date.now() - started < 1_000, "the backoff wait ended with the abort");
  });

  it("aborts in-flight calls on close and refuses new ones", async () => {
    server.reply(path, stall());
    const engine = engineFor(server);
    const inFlight = thrownBy(() => engine.generateBatch([request]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await engine.close();
    assertEngineError(await inFlight, "cancelled");
    assertEngineError(await thrownBy(() => engine.generateBatch([request])), "engine-unavailable");
    assertEngineError(await thrownBy(() => engine.embedBatch(["x"])), "engine-unavailable");
  });

  it("refuses invalid options with engine-unavailable", () => {
    assert.throws(() => new OpenAICompatibleEngine({ baseUrl: "not a url", upstreamModel: model, contextLength: 4096 }), (error: unknown) => {
      return error instanceof EngineError && error.code === "engine-unavailable";
    });
    assert.throws(() => new OpenAICompatibleEngine({ baseUrl: server.baseUrl, upstreamModel: model, contextLength: 0 }), /contextLength/);
  });
});

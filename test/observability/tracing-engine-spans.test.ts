/**
 * Engine-call spans and trace propagation inside one process, exported with the real SDK and
 * exporter to the test OTLP receiver: the GenAI attributes on the engine span and nowhere else,
 * message content only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, and
 * `traceparent` on the requests an OpenAI-compatible engine sends.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { GenerationEvent, GenerationRequest, InferenceEngine } from "../../engines/engine.ts";
import { traceEngineCalls } from "../../engines/traced-engine.ts";
import { startTracing, type Tracing } from "../../platform/tracing/start-tracing.ts";
import { traceContextFetch } from "../../platform/tracing/trace-context-fetch.ts";
import { inSpan } from "../../platform/tracing/tracer.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../harness/otlp-receiver.ts";

const secretPrompt = "my secret account number is 4242";

/** A fake engine (tests only): streams two fixed deltas and reports fixed usage. */
function fakeStreamingEngine(): InferenceEngine {
  return {
    describe: () => ({ kind: "llama-cpp", contextLength: 512, embeddingDimensions: 4 }),
    async *streamGeneration(): AsyncIterable<GenerationEvent> {
      yield { type: "text-start" };
      yield { type: "text-delta", index: 0, text: "Hello" };
      yield { type: "text-delta", index: 1, text: " there" };
      yield { type: "text-end", result: { text: "Hello there", finishReason: "stop", usage: { promptTokens: 7, completionTokens: 2 } } };
    },
    generateBatch: async (requests) => requests.map(() => ({ text: "ok", finishReason: "length" as const, usage: { promptTokens: 3, completionTokens: 1 } })),
    embedBatch: async (texts) => texts.map(() => new Float32Array(4)),
    countPromptTokens: async () => ({ tokens: 7, exact: true }),
    applyChatTemplate: async (messages) => messages.map((message) => message.content).join("\n"),
    close: async () => undefined,
  };
}

const chatRequest: GenerationRequest = { prompt: { kind: "chat", messages: [{ role: "user", content: secretPrompt }] }, parameters: { maxTokens: 8, temperature: 0 } };

async function streamUnderParent(engine: InferenceEngine): Promise<string> {
  return inSpan("request", {}, async () => {
    let text = "";
    for await (const event of engine.streamGeneration(chatRequest)) if (event.type === "text-delta") text += event.text;
    await engine.embedBatch(["a", "b"]);
    return text;
  });
}

describe("engine-call spans (GenAI semantic conventions)", () => {
  let receiver: OtlpReceiver;
  const saved = { ...process.env };
  let tracing: Tracing | undefined;

  before(async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_TRACES_SAMPLER = "always_on";
    delete process.env.OTEL_SERVICE_NAME;
  });
  after(async () => {
    await tracing?.shutdown();
    process.env = saved;
    await receiver.close();
  });

  it("puts the GenAI attributes on the engine span only, and no prompt or completion text by default", async () => {
    tracing = startTracing("engine-test", { ...process.env, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "" });
    assert.equal(await streamUnderParent(traceEngineCalls(fakeStreamingEngine(), { provider: "llama.cpp", model: "tiny-chat" })), "Hello there");
    await tracing.shutdown();
    const spans = receiver.spans();
    const chat = spans.find((span) => span.name === "chat tiny-chat");
    const embeddings = spans.find((span) => span.name === "embeddings tiny-chat");
    const request = spans.find((span) => span.name === "request");
    assert.ok(chat !== undefined && embeddings !== undefined && request !== undefined, JSON.stringify(spans.map((span) => span.name)));
    assert.equal(chat.serviceName, "engine-test");
    assert.equal(chat.parentSpanId, request.spanId);
    assert.equal(chat.kind, 1, "in-process llama.cpp is internal work");
    assert.deepEqual(pick(chat, ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons"]), {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "llama.cpp",
      "gen_ai.request.model": "tiny-chat",
      "gen_ai.usage.input_tokens": 7,
      "gen_ai.usage.output_tokens": 2,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    assert.equal(embeddings.attributes["gen_ai.operation.name"], "embeddings");
    assert.deepEqual(Object.keys(request.attributes).filter((key) => key.startsWith("gen_ai.")), []);
    const recorded = JSON.stringify(spans.map((span) => span.attributes));
    assert.ok(!recorded.includes(secretPrompt) && !recorded.includes("Hello there"), recorded);
  });

  it("records the messages only with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true", async () => {
    const before = receiver.spans().length;
    tracing = startTracing("engine-test", { ...process.env, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true" });
    await streamUnderParent(traceEngineCalls(fakeStreamingEngine(), { provider: "openai_compatible", model: "served-model" }));
    await tracing.shutdown();
    const chat = receiver.spans().slice(before).find((span) => span.name === "chat served-model");
    assert.ok(chat !== undefined);
    assert.deepEqual(JSON.parse(String(chat.attributes["gen_ai.input.messages"])), [{ role: "user", parts: [{ type: "text", content: secretPrompt }] }]);
    assert.deepEqual(JSON.parse(String(chat.attributes["gen_ai.output.messages"])), [{ role: "assistant", parts: [{ type: "text", content: "Hello there" }] }]);
  });

  it("sends the active span's traceparent on engine HTTP requests, and nothing without tracing", async () => {
    const seen: (string | null)[] = [];
    const recordingFetch = (async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get("traceparent"));
      return new Response("{}");
    }) as typeof fetch;
    const tracedFetch = traceContextFetch(recordingFetch);
    await tracedFetch("http://engine.invalid/v1/chat/completions", { headers: { "content-type": "application/json" } });
    tracing = startTracing("engine-test", process.env);
    const traceId = await inSpan("engine call", {}, async (span) => {
      await tracedFetch("http://engine.invalid/v1/chat/completions", { headers: { "content-type": "application/json" } });
      return span.spanContext().traceId;
    });
    await tracing.shutdown();
    assert.equal(seen[0], null);
    assert.match(seen[1] ?? "", new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});

function pick(span: ReceivedSpan, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, span.attributes[key]]));
}

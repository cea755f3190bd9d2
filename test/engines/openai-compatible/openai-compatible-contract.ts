/**
 * The OpenAI-compatible engine's contract, run against every server it is tested with: the real
 * llama-cpp-python (test/real-models/) and the simulated one (simulated-llama-cpp-python.ts). The
 * reference for every count is the server itself: its usage in a non-streamed reply.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import type { ChatMessage, GenerationEvent, GenerationRequest } from "../../../engines/engine.ts";
import { OpenAICompatibleEngine } from "../../../engines/openai-compatible/openai-compatible-engine.ts";
import { findFreePort } from "../../harness/redis-server.ts";
import { loopbackEngineNetwork } from "./loopback-network.ts";

export interface ContractServer {
  /** The chat model's server: `http://host:port/v1`. */
  baseUrl: string;
  model: string;
  contextLength: number;
  /** The served model's GGUF, named to the engine as `tokenizerPath`. */
  tokenizerPath: string;
  embeddingBaseUrl: string;
  embeddingModel: string;
  embeddingDimensions: number;
  /** Ends the chat model's server abruptly (the last case uses it). */
  kill(): Promise<void>;
  /** Stops whatever `setup` started. */
  close(): Promise<void>;
  /** The server's own token count of generated text (its tokenizer endpoint). */
  countTokens(text: string): Promise<number>;
}

const messages: ChatMessage[] = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "What is the capital of France?" },
];

function chat(parameters: Partial<GenerationRequest["parameters"]> = {}): GenerationRequest {
  return { prompt: { kind: "chat", messages }, parameters: { maxTokens: 24, temperature: 0, ...parameters } };
}

function text(prompt: string, parameters: Partial<GenerationRequest["parameters"]> = {}): GenerationRequest {
  return { prompt: { kind: "text", text: prompt }, parameters: { maxTokens: 16, temperature: 0, ...parameters } };
}

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const collected: GenerationEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

function end(events: readonly GenerationEvent[]) {
  const last = events.at(-1);
  return last?.type === "text-end" ? last.result : assert.fail(`no text-end: ${JSON.stringify(last)}`);
}

function deltas(events: readonly GenerationEvent[]): string {
  return events.flatMap((event) => (event.type === "text-delta" ? [event.text] : [])).join("");
}

/** The server's own usage for `request`, from a plain non-streamed call. */
async function serverUsage(server: ContractServer, request: GenerationRequest): Promise<{ promptTokens: number; completionTokens: number; text: string }> {
  const { prompt, parameters } = request;
  const chatCall = prompt.kind === "chat";
  const response = await fetch(`${server.baseUrl}/${chatCall ? "chat/completions" : "completions"}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: server.model,
      ...(chatCall ? { messages: prompt.messages } : { prompt: prompt.text }),
      max_tokens: parameters.maxTokens,
      temperature: 0,
      ...(parameters.stop === undefined ? {} : { stop: parameters.stop }),
    }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number }; choices: { text?: string; message?: { content: string } }[] };
  return { promptTokens: body.usage.prompt_tokens, completionTokens: body.usage.completion_tokens, text: body.choices[0]?.text ?? body.choices[0]?.message?.content ?? "" };
}

export function describeOpenAICompatibleContract(name: string, setup: () => Promise<ContractServer>, options: { skip?: string | false } = {}): void {
  describe(`OpenAI-compatible engine contract: ${name}`, { skip: options.skip ?? false }, () => {
    let server: ContractServer;
    let engine: OpenAICompatibleEngine;
    let embeddings: OpenAICompatibleEngine;
    before(async () => {
      server = await setup();
      const common = { requestTimeoutMillis: 60_000, maxRetries: 1, initialBackoffMillis: 10, maxBackoffMillis: 100, network: loopbackEngineNetwork };
      engine = new OpenAICompatibleEngine({ ...common, baseUrl: server.baseUrl, upstreamModel: server.model, contextLength: server.contextLength, tokenizerPath: server.tokenizerPath });
      embeddings = new OpenAICompatibleEngine({ ...common, baseUrl: server.embeddingBaseUrl, upstreamModel: server.embeddingModel, contextLength: 512, embeddingDimensions: server.embeddingDimensions });
    });
    after(async () => {
      await engine?.close();
      await embeddings?.close();
      await server?.close();
    });

    // llama-cpp-python's greedy text is not reproducible from call to call (its prompt cache
    // evaluates a repeated prompt differently: measured "La femme de France, …" on a fresh server,
    // then "The capital of France is Paris."), so usage is checked against the server's counts of
    // the text each call produced, not against another call's.
    it("reports usage equal to the server's own counts, streamed and not", async () => {
      const { promptTokens } = await serverUsage(server, chat({ maxTokens: 1 }));
      const events = await collect(engine.streamGeneration(chat()));
      const streamed = end(events);
      assert.equal(deltas(events), streamed.text);
      assert.ok(streamed.text.length > 0);
      assert.deepEqual(streamed.usage, { promptTokens, completionTokens: await server.countTokens(streamed.text) });
      const [unstreamed] = await engine.generateBatch([chat()]);
      assert.ok(unstreamed !== undefined && unstreamed.text.length > 0);
      assert.deepEqual(unstreamed.usage, { promptTokens, completionTokens: await server.countTokens(unstreamed.text) });
    });

    it("counts prompts exactly as the server does, text and chat", async () => {
      for (const request of [chat(), text("naïve café — 東京 🚀"), text("1234567890".repeat(30))]) {
        const count = await engine.countPromptTokens(request.prompt);
        assert.equal(count.exact, true);
        assert.equal(count.tokens, (await serverUsage(server, { ...request, parameters: { maxTokens: 1 } })).promptTokens);
      }
    });

    it("completes concurrent non-streamed text prompts, all of them, even where the server refuses array prompts", async () => {
      const prompts = ["The capital of France is", "Paris is known for", "One, two, three,", "The Eiffel Tower"];
      const results = await engine.generateBatch(prompts.map((prompt) => text(prompt, { maxTokens: 8 })));
      assert.equal(results.length, prompts.length);
      for (const [index, result] of results.entries()) {
        const { promptTokens } = await serverUsage(server, text(prompts[index] ?? "", { maxTokens: 1 }));
        assert.ok(result.text.length > 0);
        assert.deepEqual(result.usage, { promptTokens, completionTokens: await server.countTokens(result.text) });
      }
    });

    it("stops before a stop sequence", async () => {
      // Any answer of a few words has a space: the text ends before the first one.
      const result = end(await collect(engine.streamGeneration(chat({ maxTokens: 48, stop: [" "] }))));
      assert.equal(result.finishReason, "stop");
      assert.ok(result.text.length > 0 && !result.text.includes(" "), JSON.stringify(result.text));
    });

    it("ends a stream with cancelled when the caller leaves, and serves the next request", async () => {
      const controller = new AbortController();
      const events: GenerationEvent[] = [];
      for await (const event of engine.streamGeneration(chat({ maxTokens: 200 }), controller.signal)) {
        events.push(event);
        if (event.type === "text-delta" && event.index === 1) controller.abort();
      }
      assert.equal(end(events).finishReason, "cancelled");
      const [next] = await engine.generateBatch([chat({ maxTokens: 4 })]);
      assert.ok((next?.text.length ?? 0) > 0);
    });

    it("refuses a prompt over the context length, streamed or not, as context-overflow that is not retryable", async () => {
      const long = text("word ".repeat(server.contextLength), { maxTokens: 8 });
      const streamed = await collect(engine.streamGeneration(long)).then(
        () => undefined,
        (error: unknown) => error,
      );
      const unstreamed = await engine.generateBatch([long]).then(
        () => undefined,
        (error: unknown) => error,
      );
      for (const error of [streamed, unstreamed]) {
        assert.ok(error instanceof EngineError, String(error));
        assert.equal(error.code, "context-overflow", error.message);
        assert.equal(error.retryable, false);
      }
    });

    it("embeds texts with the model's dimensions and counts their tokens exactly", async () => {
      const vectors = await embeddings.embedBatch(["A man is playing a guitar.", "The stock market fell sharply today."]);
      assert.equal(vectors.length, 2);
      for (const vector of vectors) assert.equal(vector.length, server.embeddingDimensions);
      const count = await embeddings.countPromptTokens({ kind: "text", text: "word ".repeat(700) });
      assert.equal(count.exact, true, "the inference subgraph refuses over-long inputs on this count, before the server truncates them");
      assert.ok(count.tokens > 512);
    });

    it("reports a server that is down as unavailable and retryable", async () => {
      const down = new OpenAICompatibleEngine({ baseUrl: `http://127.0.0.1:${await findFreePort()}/v1`, upstreamModel: server.model, contextLength: 2048, maxRetries: 0, network: loopbackEngineNetwork });
      const error = await down.generateBatch([text("hi")]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "unavailable");
      assert.equal(error.retryable, true);
    });

    it("fails a stream whose server dies mid-way as unavailable, keeping what was delivered", async () => {
      const events: GenerationEvent[] = [];
      let failure: unknown;
      try {
        for await (const event of engine.streamGeneration(chat({ maxTokens: 200 }))) {
          events.push(event);
          if (event.type === "text-delta" && event.index === 1) await server.kill();
        }
      } catch (error) {
        failure = error;
      }
      assert.ok(failure instanceof EngineError, String(failure));
      assert.equal(failure.code, "unavailable");
      assert.ok(deltas(events).length > 0);
    });
  });
}

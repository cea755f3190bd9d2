/**
 * The client package through the real gateway and subgraphs: streamText, abort signals that stop
 * the engine, errors typed by the schema's codes, and the stable ids of stream events.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { graphql } from "../../client/generated/index.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { createGraphClient, ErrorCode, GraphClientError, type GraphClient } from "../../packages/client/src/index.ts";
import { schedulerRequests, type SchedulerRequestFigures } from "../harness/metric-samples.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const ClientStackRegister = graphql(`
  mutation ClientStackRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }
`);

const ClientStackCompletion = graphql(`
  mutation ClientStackCompletion($input: CompletionInput!) { createCompletion(input: $input) { id text } }
`);

const ClientStackModels = graphql(`
  query ClientStackModels { models(first: 5) { totalCount } }
`);

const ClientStackEvents = graphql(`
  subscription ClientStackEvents($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextStartEvent { id completionId }
      ... on TextDeltaEvent { id completionId index text }
      ... on TextEndEvent { id completionId completion { id text } }
    }
  }
`);

describe("the client package through the gateway", () => {
  let stack: TestStack;
  let member: GraphClient;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("client-stack-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("client-stack"), MODELS_DIR: modelsDirectory });
    const admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    await admin.request(ClientStackRegister, {
      input: { id: "client-chat", displayName: "Client chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 1024, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 0.5, outputPerMillionTokens: 1.5 } },
    });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key, webSocketImpl: WebSocket });
  });
  after(async () => {
    await member?.close();
    await stack?.stop();
  });

  async function streamRequests(): Promise<SchedulerRequestFigures> {
    return schedulerRequests(stack.inference.url, "client-chat", "stream");
  }

  async function engineStopsWithin(millis: number): Promise<number> {
    const start = performance.now();
    while (performance.now() - start < 2_000) {
      if ((await streamRequests())?.running === 0) return performance.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.fail(`the engine still ran ${millis} ms after the client left`);
  }

  it("streams a completion's text with streamText; `completion` has the rest", async () => {
    const stream = member.streamText({ model: "client-chat", prompt: "The weather today is", maxTokens: 8, seed: 4 });
    const deltas: string[] = [];
    for await (const text of stream) deltas.push(text);
    const completion = await stream.completion;
    assert.ok(deltas.length > 1, "text arrives in pieces");
    assert.equal(deltas.join(""), completion.text);
    assert.equal(completion.finishReason, "LENGTH");
    assert.deepEqual({ completionTokens: completion.usage.completionTokens, estimated: completion.usage.estimated }, { completionTokens: 8, estimated: false });
    const again = await member.request(ClientStackCompletion, { input: { model: "client-chat", prompt: "The weather today is", maxTokens: 8, seed: 4 } });
    assert.equal(again.createCompletion?.text, completion.text, "the same seed gives the same text, streamed or not");
  });

  it("gives every stream event a stable id, <completionId>:start, :<index>, :end", async () => {
    const events = [];
    for await (const data of member.subscribe(ClientStackEvents, { input: { model: "client-chat", prompt: "Ids", maxTokens: 4, seed: 2 } })) events.push(data.completionStream);
    const start = events[0];
    const end = events.at(-1);
    assert.equal(start?.__typename, "TextStartEvent");
    assert.equal(end?.__typename, "TextEndEvent");
    if (start?.__typename !== "TextStartEvent" || end?.__typename !== "TextEndEvent") return;
    const completionId = start.completionId;
    assert.equal(start.id, `${completionId}:start`);
    assert.deepEqual(
      events.filter((event) => event.__typename === "TextDeltaEvent").map((event) => event.id),
      [0, 1, 2, 3].map((index) => `${completionId}:${index}`),
    );
    assert.deepEqual([end.id, end.completionId, end.completion.id], [`${completionId}:end`, completionId, completionId]);
    assert.equal(new Set(events.map((event) => event.id)).size, events.length);
  });

  it("aborting streamText's signal stops the engine, and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const stream = member.streamText({ model: "client-chat", prompt: "A long story", maxTokens: 900, seed: 3 }, { signal: controller.signal });
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for await (const text of stream) {
          void text;
          deltas += 1;
          if (deltas === 3) controller.abort();
        }
      })(),
      (error: Error) => error.name === "AbortError",
    );
    await assert.rejects(stream.completion, (error: Error) => error.name === "AbortError");
    assert.equal(deltas, 3, "no delta after the abort");
    const stoppedAfter = await engineStopsWithin(500);
    assert.ok(stoppedAfter < 500, `the engine stopped ${stoppedAfter.toFixed(0)} ms after the abort`);
  });

  it("leaving the loop early stops the engine too; `completion` then rejects with REQUEST_CANCELLED", async () => {
    const stream = member.streamText({ model: "client-chat", prompt: "Another long story", maxTokens: 900, seed: 5 });
    let deltas = 0;
    for await (const text of stream) {
      void text;
      if (++deltas === 2) break;
    }
    await assert.rejects(stream.completion, (error: unknown) => error instanceof GraphClientError && error.code === ErrorCode.RequestCancelled);
    await engineStopsWithin(500);
  });

  it("types the gateway's errors: MODEL_NOT_FOUND over HTTP and streams, UNAUTHENTICATED, a 404", async () => {
    const missing = await member.request(ClientStackCompletion, { input: { model: "no-such-model", prompt: "x" } }).then(
      () => assert.fail("expected MODEL_NOT_FOUND"),
      (error: unknown) => error,
    );
    assert.ok(missing instanceof GraphClientError);
    assert.deepEqual([missing.code, missing.retryable, missing.path, missing.extensions.field], ["MODEL_NOT_FOUND", false, ["createCompletion"], "input.model"]);

    await assert.rejects(
      (async () => {
        for await (const text of member.streamText({ model: "no-such-model", prompt: "x" })) void text;
      })(),
      (error: unknown) => error instanceof GraphClientError && error.code === "MODEL_NOT_FOUND",
    );

    const stranger = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: "not-a-key", webSocketImpl: WebSocket });
    await assert.rejects(stranger.request(ClientStackModels), (error: unknown) => error instanceof GraphClientError && error.code === "UNAUTHENTICATED" && error.status === 401);
    await assert.rejects(stranger.streamText({ model: "client-chat", prompt: "x" }).next(), (error: unknown) => error instanceof GraphClientError && error.code === "UNAUTHENTICATED");
    await stranger.close();

    const wrongPath = createGraphClient({ url: new URL("/graphq", stack.gateway.graphqlUrl).href, apiKey: stack.memberKey.key });
    await assert.rejects(wrongPath.request(ClientStackModels), (error: unknown) => {
      assert.ok(error instanceof GraphClientError);
      assert.deepEqual([error.code, error.status], ["HTTP_ERROR", 404]);
      assert.match(error.message, /^HTTP 404/);
      return true;
    });
  });

  it("streams over SSE when the gateway serves GraphQL over SSE", async (context) => {
    const probe = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${stack.memberKey.key}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const streams = probe.headers.get("content-type")?.startsWith("text/event-stream") === true;
    await probe.body?.cancel();
    if (!streams) {
      context.skip("the gateway does not answer text/event-stream yet");
      return;
    }
    const stream = member.streamText({ model: "client-chat", prompt: "Over SSE", maxTokens: 4, seed: 9 }, { transport: "sse" });
    const deltas: string[] = [];
    for await (const text of stream) deltas.push(text);
    const completion = await stream.completion;
    assert.equal(deltas.join(""), completion.text);
    assert.equal(completion.usage.completionTokens, 4);

    // Leaving an SSE stream early stops the engine as well.
    let received = 0;
    for await (const text of member.streamText({ model: "client-chat", prompt: "A long story over SSE", maxTokens: 900, seed: 6 }, { transport: "sse" })) {
      void text;
      if (++received === 2) break;
    }
    await engineStopsWithin(500);
  });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient, type Client } from "graphql-ws";
import { print, type ExecutionResult } from "graphql";
import WebSocket from "ws";
import { createGraphClient, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import type { CompletionStreamSubscription } from "../../client/generated/graphql.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { EmbeddedApiKeyStore } from "../../platform/api-keys/embedded-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { schedulerRequests, type SchedulerRequestFigures } from "../harness/metric-samples.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const CompletionStream = graphql(`
  subscription CompletionStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextStartEvent { completionId model { id } }
      ... on TextDeltaEvent { completionId index text }
      ... on TextEndEvent {
        completion {
          id
          text
          finishReason
          usage { promptTokens completionTokens }
          timeToFirstTokenMillis
          model { id displayName pricing { inputPerMillionTokens outputPerMillionTokens } }
        }
      }
    }
  }
`);

const StreamedCompletionText = graphql(`
  mutation StreamedCompletionText($input: CompletionInput!) {
    createCompletion(input: $input) { text }
  }
`);

const RegisterStreamingModel = graphql(`
  mutation RegisterStreamingModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id }
  }
`);

const ModelCount = graphql(`
  query StreamingModelCount { models { totalCount } }
`);

type StreamEvent = CompletionStreamSubscription["completionStream"];

describe("streaming completions through the gateway", () => {
  let stack: TestStack;
  let client: Client;
  let http: GraphClient;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("streaming-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    // No shutdown grace: stopping the inference subgraph (the last test) cuts its running stream, as
    // a crash or the end of the grace period does (the drain itself: test/integration/graceful-drain.test.ts).
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("streaming-stack"), MODELS_DIR: modelsDirectory, SHUTDOWN_GRACE_PERIOD_MILLIS: "0" });
    http = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    await http.request(RegisterStreamingModel, {
      input: {
        id: "stream-chat",
        displayName: "Streaming chat",
        family: "llama",
        capabilities: ["CHAT", "COMPLETION"],
        contextLength: 1024,
        engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" },
        pricing: { inputPerMillionTokens: 0.25, outputPerMillionTokens: 0.75 },
      },
    });
    client = createClient({
      url: stack.gateway.graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.memberKey.key}` },
      retryAttempts: 0,
    });
  });
  after(async () => {
    await client?.dispose();
    await stack?.stop();
  });

  async function collect(input: Record<string, unknown>): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const result of client.iterate({ query: print(CompletionStream), variables: { input } }) as AsyncIterable<ExecutionResult<CompletionStreamSubscription>>) {
      if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
      if (result.data) events.push(result.data.completionStream);
    }
    return events;
  }

  async function streamMetrics(): Promise<SchedulerRequestFigures> {
    return schedulerRequests(stack.inference.url, "stream-chat", "stream");
  }

  it("delivers every token in order, ending with the completion and its registry fields", async () => {
    const events = await collect({ model: "stream-chat", prompt: "The weather today is", maxTokens: 16, seed: 11 });
    assert.equal(events[0]?.__typename, "TextStartEvent");
    const end = events.at(-1);
    assert.equal(end?.__typename, "TextEndEvent");
    if (end?.__typename !== "TextEndEvent") return;
    const deltas = events.filter((event) => event.__typename === "TextDeltaEvent");
    assert.deepEqual(deltas.map((delta) => (delta.__typename === "TextDeltaEvent" ? delta.index : -1)), deltas.map((_delta, index) => index));
    const joined = deltas.map((delta) => (delta.__typename === "TextDeltaEvent" ? delta.text : "")).join("");
    assert.equal(joined, end.completion.text);
    assert.equal(end.completion.usage.completionTokens, 16);
    assert.equal(end.completion.finishReason, "LENGTH");
    assert.ok((end.completion.timeToFirstTokenMillis ?? -1) >= 0);
    assert.deepEqual(end.completion.model, { id: "stream-chat", displayName: "Streaming chat", pricing: { inputPerMillionTokens: 0.25, outputPerMillionTokens: 0.75 } });
    const nonStreamed = await http.request(StreamedCompletionText, { input: { model: "stream-chat", prompt: "The weather today is", maxTokens: 16, seed: 11 } });
    assert.equal(nonStreamed.createCompletion?.text, joined, "streamed text joined equals the non-streamed text for the same seed");
  });

  it("runs 50 concurrent streams to completion", async () => {
    const before = await streamMetrics();
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => collect({ model: "stream-chat", prompt: `Stream number ${index}`, maxTokens: 4, seed: index })));
    for (const events of results) assert.equal(events.at(-1)?.__typename, "TextEndEvent");
    const afterwards = await streamMetrics();
    assert.equal((afterwards?.completed ?? 0) - (before?.completed ?? 0), 50, "the engine's metrics count 50 completed streams");
    assert.equal(afterwards?.cancelledWhileRunning, before?.cancelledWhileRunning, "and none cancelled");
  });

  it("fails an invalid request before any engine time", async () => {
    const before = await streamMetrics();
    const failures: unknown[] = [];
    for (const input of [
      { model: "missing-model", prompt: "x" },
      { model: "stream-chat", prompt: "x", maxTokens: 5000 },
      { model: "stream-chat", prompt: "word ".repeat(1100), maxTokens: 10 },
    ]) {
      await assert.rejects(collect(input), (error: Error) => {
        failures.push(JSON.parse(error.message));
        return true;
      });
    }
    const codes = failures.map((errors) => (errors as { extensions: { code: string } }[])[0]?.extensions.code);
    assert.deepEqual(codes, ["MODEL_NOT_FOUND", "BAD_USER_INPUT", "CONTEXT_LENGTH_EXCEEDED"]);
    const afterwards = await streamMetrics();
    assert.equal((afterwards?.completed ?? 0) + (afterwards?.failed ?? 0), (before?.completed ?? 0) + (before?.failed ?? 0), "no stream reached the engine");
  });

  it("stops the engine's work when the client leaves (cancelled while running, never run to its end)", async () => {
    const leaving = createClient({
      url: stack.gateway.graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.memberKey.key}` },
      retryAttempts: 0,
      lazy: false,
    });
    const iterator = leaving.iterate({ query: print(CompletionStream), variables: { input: { model: "stream-chat", prompt: "A long story", maxTokens: 900, seed: 3 } } });
    let deltas = 0;
    for await (const result of iterator as AsyncIterable<ExecutionResult<CompletionStreamSubscription>>) {
      if (result.data?.completionStream.__typename === "TextDeltaEvent") deltas += 1;
      if (deltas === 5) break;
    }
    const before = await streamMetrics();
    assert.equal(before.running, 1, "the generation is still running when the client leaves");
    const left = performance.now();
    await leaving.dispose();
    const deadline = Date.now() + 30_000;
    while ((await streamMetrics()).running !== 0) {
      assert.ok(Date.now() < deadline, "the generation stopped");
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // How fast is printed, not asserted (no timed assertions in tests): ~10-40 ms on a quiet machine.
    console.log(`the engine stopped ${(performance.now() - left).toFixed(1)} ms after the client left`);
    const after = await streamMetrics();
    assert.equal(after.cancelledWhileRunning, before.cancelledWhileRunning + 1, "cancelled while running");
    assert.equal(after.completed, before.completed, "not run to its end");
  });

  it("refuses new operations on an open socket once its API key is revoked", async () => {
    const store = new EmbeddedApiKeyStore(String(stack.environment.DATA_DIR));
    const issued = await issueApiKey(store, "tenant-a", ["member"], "revoked in this test");
    const socket = createClient({
      url: stack.gateway.graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${issued.key}` },
      retryAttempts: 0,
      // Keep the one socket open between operations: the point is a socket opened before revocation.
      lazy: false,
    });
    try {
      const query = print(ModelCount);
      const first = await socket.iterate({ query }).next();
      assert.deepEqual((first.value as ExecutionResult).data, { models: { totalCount: 1 } });
      await store.revoke(issued.id);
      await assert.rejects(socket.iterate({ query }).next(), (errors: unknown) => {
        assert.equal((errors as { extensions?: { code?: string } }[])[0]?.extensions?.code, "UNAUTHENTICATED", JSON.stringify(errors));
        return true;
      });
    } finally {
      await socket.dispose();
    }
  });

  it("ends the stream with a retryable error when the subgraph stops mid-stream without grace, and the gateway keeps serving", async () => {
    const events: StreamEvent[] = [];
    // Settled into a value at once, so the rejection is handled while the subgraph stops.
    const outcome = (async () => {
      for await (const result of client.iterate({ query: print(CompletionStream), variables: { input: { model: "stream-chat", prompt: "Keep going", maxTokens: 900, seed: 5 } } }) as AsyncIterable<ExecutionResult<CompletionStreamSubscription>>) {
        if (result.data) events.push(result.data.completionStream);
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    while (events.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await stack.inference.stop();
    const errors = (await outcome) as { extensions?: { code?: string } }[] | undefined;
    assert.ok(Array.isArray(errors), "the stream ended with an error");
    assert.equal(errors[0]?.extensions?.code, "SERVICE_UNAVAILABLE", JSON.stringify(errors));
    assert.equal((await http.request(ModelCount)).models?.totalCount, 1, "the gateway still answers");
  });
});

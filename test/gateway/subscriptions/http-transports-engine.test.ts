import assert from "node:assert/strict";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { createClient } from "graphql-sse";
import { generateModel, modelPresets } from "../../../engines/gguf/generate-model.ts";
import { schedulerRequests } from "../../harness/metric-samples.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../../harness/test-stack.ts";
import { multipartAccept, multipartPayloads, openStream, sseEvents, type RawStream } from "./http-stream-clients.ts";
import { waitFor } from "./subscription-test-stack.ts";

const CompletionStream = `
  subscription CompletionStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { index text }
      ... on TextEndEvent { completion { id text } }
    }
  }
`;

const longGeneration = { model: "http-stream-chat", prompt: "A long story", maxTokens: 900, seed: 3 };

/**
 * The real path end to end (gateway → inference subgraph → llama.cpp engine): a client leaving an
 * SSE or multipart subscription stops the generation as fast as one leaving graphql-ws does
 * (test/integration/streaming-through-gateway.test.ts): the scheduler counts the generation as
 * cancelled while running, not completed. (How fast is printed, not asserted: no timed assertions
 * in tests.)
 */
describe("HTTP subscription transports stop the engine when the client leaves", () => {
  let stack: TestStack;

  const running = async (): Promise<number> => {
    return (await schedulerRequests(stack.inference.url, "http-stream-chat", "stream")).running;
  };

  /**
   * Waits until no generation runs, then checks that the one the client left was cancelled, not
   * run to its end; prints how long after `leftAt` it stopped.
   */
  const assertCancelled = async (leftAt: number, before: { cancelledWhileRunning: number; completed: number }): Promise<void> => {
    await waitFor(async () => (await running()) === 0, 30_000, "the generation to stop");
    console.log(`the engine stopped ${(performance.now() - leftAt).toFixed(1)} ms after the client left`);
    const after = await schedulerRequests(stack.inference.url, "http-stream-chat", "stream");
    assert.equal(after.cancelledWhileRunning, before.cancelledWhileRunning + 1, "the generation was cancelled while running");
    assert.equal(after.completed, before.completed, "the generation did not run to its end");
  };

  before(async () => {
    const modelsDirectory = await temporaryDirectory("http-stream-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("http-stream-stack"), MODELS_DIR: modelsDirectory });
    const registered = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.adminKey.key}` },
      body: JSON.stringify({
        query: `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`,
        variables: {
          input: {
            id: "http-stream-chat",
            displayName: "HTTP streaming chat",
            family: "llama",
            capabilities: ["CHAT", "COMPLETION"],
            contextLength: 1024,
            engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" },
            pricing: { inputPerMillionTokens: 0.25, outputPerMillionTokens: 0.75 },
          },
        },
      }),
    });
    assert.equal(registered.status, 200, await registered.clone().text());
  });
  after(async () => {
    await stack?.stop();
  });

  const leaveAfterFiveDeltas = async (stream: RawStream, deltas: () => number) => {
    await waitFor(() => deltas() >= 5, 30_000, "five tokens");
    assert.equal(await running(), 1, "the generation is still running when the client leaves");
    const before = await schedulerRequests(stack.inference.url, "http-stream-chat", "stream");
    await assertCancelled(stream.abort(), before);
  };

  it("multipart: dropping the response stops the generation", async () => {
    const stream = await openStream(stack.gateway.graphqlUrl, {
      headers: { accept: multipartAccept, authorization: `Bearer ${stack.memberKey.key}` },
      body: { query: CompletionStream, variables: { input: longGeneration } },
    });
    assert.equal(stream.status, 200);
    await leaveAfterFiveDeltas(stream, () => multipartPayloads(stream.text()).filter((part) => (part.payload?.data as { completionStream?: { __typename: string } } | undefined)?.completionStream?.__typename === "TextDeltaEvent").length);
  });

  it("SSE, distinct connections: dropping the event stream stops the generation", async () => {
    const stream = await openStream(stack.gateway.graphqlUrl, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${stack.memberKey.key}` },
      body: { query: CompletionStream, variables: { input: longGeneration } },
    });
    assert.equal(stream.status, 200);
    await leaveAfterFiveDeltas(stream, () => sseEvents(stream.text()).filter(({ data }) => (data as { data?: { completionStream?: { __typename: string } } } | null)?.data?.completionStream?.__typename === "TextDeltaEvent").length);
  });

  it("SSE, single connection: the client disposing its stream stops the generation; a full stream completes", async () => {
    const client = createClient({ url: stack.gateway.graphqlUrl, singleConnection: true, retryAttempts: 0, headers: { authorization: `Bearer ${stack.memberKey.key}` } });
    try {
      const events: string[] = [];
      for await (const result of client.iterate({ query: CompletionStream, variables: { input: { ...longGeneration, maxTokens: 8 } } })) {
        events.push((result.data as { completionStream: { __typename: string } }).completionStream.__typename);
      }
      assert.equal(events.at(-1), "TextEndEvent");
      let deltas = 0;
      client.subscribe(
        { query: CompletionStream, variables: { input: longGeneration } },
        { next: () => (deltas += 1), error: () => undefined, complete: () => undefined },
      );
      await waitFor(() => deltas >= 5, 30_000, "five tokens");
      assert.equal(await running(), 1, "the generation is still running when the client leaves");
      const before = await schedulerRequests(stack.inference.url, "http-stream-chat", "stream");
      const left = performance.now();
      await client.dispose();
      await assertCancelled(left, before);
    } finally {
      await client.dispose();
    }
  });
});

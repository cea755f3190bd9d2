import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GenerationEvent } from "../../../engines/engine.ts";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { RecordingEngine, replyFor } from "./recording-engine.ts";
import { collect, flush, isSettled, textRequest } from "./scheduler-test-helpers.ts";

describe("ModelScheduler streams", () => {
  it("admits at most maxConcurrentStreams at once, one tenant's streams in FIFO order", async () => {
    const engine = new RecordingEngine({ hold: true });
    // No per-tenant cap (the default holds one slot back from any single tenant: see tenant-fairness tests).
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 2, maxRunningStreamsPerTenant: 2 });
    const prompts = ["s0", "s1", "s2", "s3", "s4"];
    const runs = prompts.map((prompt) => collect(scheduler.streamGeneration(textRequest(prompt))));

    await engine.waitForCalls(2);
    await flush();
    assert.equal(engine.streamCalls.length, 2, "only two streams reach the engine");
    assert.equal(scheduler.metrics().stream.requests.queueDepth, 3);

    // Finishing the second stream admits the next in line (s2), not a later one.
    engine.streamCalls[1]?.release();
    await engine.waitForCalls(3);
    await flush();
    assert.equal(engine.streamCalls.length, 3);

    engine.releaseAll();
    const results = await Promise.all(runs);
    assert.deepEqual(
      engine.streamCalls.map((call) => (call.inputs[0].prompt.kind === "text" ? call.inputs[0].prompt.text : "")),
      prompts,
    );
    assert.equal(engine.maxActiveStreams, 2);
    results.forEach((events, index) => {
      const prompt = prompts[index] ?? "";
      assert.deepEqual(events, [
        { type: "text-start" },
        { type: "text-delta", index: 0, text: replyFor({ kind: "text", text: prompt }) },
        { type: "text-end", result: { text: replyFor({ kind: "text", text: prompt }), finishReason: "stop", usage: { promptTokens: 1, completionTokens: 1 } } },
      ]);
    });
    const { requests } = scheduler.metrics().stream;
    assert.equal(requests.completed, 5);
    assert.equal(requests.running, 0);
    assert.equal(requests.queueWait.samples, 5);
    await scheduler.close();
  });

  it("reads the engine's stream ahead of its reader, at most streamReadAheadEvents events", async () => {
    const engine = new RecordingEngine();
    let produced = 0;
    // An engine that would decode 100 tokens, counting each one it is asked for.
    engine.streamGeneration = async function* (): AsyncGenerator<GenerationEvent> {
      for (let index = 0; index < 100; index += 1) {
        produced += 1;
        yield { type: "text-delta", index, text: "t" };
      }
    };
    const scheduler = new ModelScheduler(engine, { streamReadAheadEvents: 5 });
    const stream = scheduler.streamGeneration(textRequest("ahead"));
    assert.deepEqual(await stream.next(), { done: false, value: { type: "text-delta", index: 0, text: "t" } });
    await flush();
    // The reader took one event and is "busy": the engine went on decoding, and stopped at the bound.
    assert.equal(produced, 6);
    await stream.next();
    await flush();
    assert.equal(produced, 7);
    await stream.return?.();
    await scheduler.close();
  });

  it("does not take a slot before the first next()", async () => {
    const engine = new RecordingEngine();
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1 });
    const neverRead = scheduler.streamGeneration(textRequest("idle"));
    const events = await collect(scheduler.streamGeneration(textRequest("read")));
    assert.equal(events.length, 3);
    assert.equal(engine.streamCalls.length, 1);
    await neverRead.return?.();
    await scheduler.close();
  });

  it("gives the slot back when the reader stops early, after the engine's stream ended", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1 });
    const first = scheduler.streamGeneration(textRequest("first"));
    assert.deepEqual(await first.next(), { done: false, value: { type: "text-start" } });
    const second = collect(scheduler.streamGeneration(textRequest("second")));
    await flush();
    assert.equal(engine.streamCalls.length, 1);

    assert.deepEqual(await first.return?.(), { done: true, value: undefined });
    assert.equal(engine.streamCalls[0]?.signal?.aborted, true, "stopping reading stops the engine's work");
    await engine.waitForCalls(2);
    assert.equal(engine.streamCalls[0]?.ended, true, "the next stream was admitted only after the first one ended");
    engine.releaseAll();
    assert.equal((await second).length, 3);
    assert.equal(await isSettled(first.next()), true);
    await scheduler.close();
  });
});

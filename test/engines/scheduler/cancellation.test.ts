import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { embeddingFor, RecordingEngine } from "./recording-engine.ts";
import { abortListenerCount, activeTimeouts, collect, flush, isSettled, rejectsWith, textRequest } from "./scheduler-test-helpers.ts";

describe("ModelScheduler cancellation", () => {
  it("removes a request cancelled while queued; the batch is smaller and the others are unaffected", async () => {
    const engine = new RecordingEngine();
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0 });
    const controller = new AbortController();
    const first = scheduler.embed("first");
    const cancelled = scheduler.embed("cancelled", { signal: controller.signal });
    const third = scheduler.embed("third");
    controller.abort();

    await rejectsWith(cancelled, "cancelled");
    assert.deepEqual(await first, embeddingFor("first"));
    assert.deepEqual(await third, embeddingFor("third"));
    assert.deepEqual(
      engine.embedCalls.map((call) => call.inputs),
      [["first", "third"]],
    );
    const { requests } = scheduler.metrics().embed;
    assert.equal(requests.cancelledWhileQueued, 1);
    assert.equal(requests.completed, 2);
    assert.equal(abortListenerCount(controller.signal), 0);
    await scheduler.close();
  });

  it("makes no engine call when every member of a batch was cancelled while queued", async () => {
    const engine = new RecordingEngine();
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0 });
    const controller = new AbortController();
    const requests = [scheduler.embed("a", { signal: controller.signal }), scheduler.embed("b", { signal: controller.signal })];
    controller.abort();
    await Promise.all(requests.map((request) => rejectsWith(request, "cancelled")));
    await flush();
    assert.equal(engine.calls.length, 0);
    await scheduler.close();
  });

  it("rejects an already-aborted request without queueing it", async () => {
    const engine = new RecordingEngine();
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0 });
    await rejectsWith(scheduler.embed("late", { signal: AbortSignal.abort() }), "cancelled");
    await rejectsWith(scheduler.generate(textRequest("late"), { signal: AbortSignal.abort() }), "cancelled");
    await rejectsWith(scheduler.streamGeneration(textRequest("late"), { signal: AbortSignal.abort() }).next(), "cancelled");
    await flush();
    assert.equal(engine.calls.length, 0);
    await scheduler.close();
  });

  it("answers a request cancelled while its batch runs at once; the others complete", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0 });
    const controller = new AbortController();
    const first = scheduler.generate(textRequest("first"));
    const cancelled = scheduler.generate(textRequest("cancelled"), { signal: controller.signal });
    const third = scheduler.generate(textRequest("third"));
    await engine.waitForCalls(1);

    controller.abort();
    await rejectsWith(cancelled, "cancelled");
    assert.equal(await isSettled(first), false, "the others still wait for the engine");
    assert.equal(engine.generateCalls[0]?.signal?.aborted, false, "the batch goes on for the others");

    engine.releaseAll();
    assert.equal((await first).text, "reply:first");
    assert.equal((await third).text, "reply:third");
    assert.equal(engine.generateCalls[0]?.size, 3);
    const { requests } = scheduler.metrics().generate;
    assert.equal(requests.cancelledWhileRunning, 1);
    assert.equal(requests.completed, 2);
    assert.equal(abortListenerCount(controller.signal), 0);
    await scheduler.close();
  });

  it("aborts the engine call once every member of a running batch is cancelled", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0 });
    const controllers = [new AbortController(), new AbortController()];
    const requests = controllers.map((controller, index) => scheduler.embed(`text ${index}`, { signal: controller.signal }));
    const rejections = requests.map((request) => rejectsWith(request, "cancelled"));
    await engine.waitForCalls(1);
    controllers[0]?.abort();
    await flush();
    assert.equal(engine.embedCalls[0]?.signal?.aborted, false);
    controllers[1]?.abort();
    assert.equal(engine.embedCalls[0]?.signal?.aborted, true);
    await Promise.all(rejections);
    // The slot is free again: a new request goes through.
    engine.releaseAll();
    assert.deepEqual(await scheduler.embed("after"), embeddingFor("after"));
    await scheduler.close();
  });

  it("cancels a running stream: next() rejects at once, the engine's signal is aborted, the slot goes to the next stream", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1 });
    const controller = new AbortController();
    const stream = scheduler.streamGeneration(textRequest("cancelled"), { signal: controller.signal });
    assert.deepEqual(await stream.next(), { done: false, value: { type: "text-start" } });
    const pendingNext = stream.next(); // waits on the held engine
    const waiting = collect(scheduler.streamGeneration(textRequest("waiting")));
    await flush();
    assert.equal(engine.streamCalls.length, 1);

    controller.abort();
    await rejectsWith(pendingNext, "cancelled");
    assert.equal(engine.streamCalls[0]?.signal?.aborted, true);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });

    await engine.waitForCalls(2);
    engine.releaseAll();
    assert.equal((await waiting).length, 3);
    const { requests } = scheduler.metrics().stream;
    assert.equal(requests.cancelledWhileRunning, 1);
    assert.equal(requests.completed, 1);
    assert.equal(abortListenerCount(controller.signal), 0);
    await scheduler.close();
  });

  it("cancels a stream between reads: the next read rejects with cancelled", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1 });
    const controller = new AbortController();
    const stream = scheduler.streamGeneration(textRequest("s"), { signal: controller.signal });
    await stream.next();
    controller.abort();
    assert.equal(engine.streamCalls[0]?.signal?.aborted, true);
    await rejectsWith(stream.next(), "cancelled");
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    await scheduler.close();
  });

  it("removes a waiting stream that is cancelled; the engine never sees it", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1 });
    const running = collect(scheduler.streamGeneration(textRequest("running")));
    await engine.waitForCalls(1);
    const controller = new AbortController();
    const waiting = scheduler.streamGeneration(textRequest("waiting"), { signal: controller.signal }).next();
    const after = collect(scheduler.streamGeneration(textRequest("after")));
    await flush();
    controller.abort();
    await rejectsWith(waiting, "cancelled");
    assert.equal(scheduler.metrics().stream.requests.cancelledWhileQueued, 1);
    engine.releaseAll();
    await Promise.all([running, after]);
    assert.deepEqual(
      engine.streamCalls.map((call) => (call.inputs[0].prompt.kind === "text" ? call.inputs[0].prompt.text : "")),
      ["running", "after"],
    );
    assert.equal(abortListenerCount(controller.signal), 0);
    await scheduler.close();
  });

  it("leaves no timers and no abort listeners behind", async () => {
    const timersBefore = activeTimeouts();
    const engine = new RecordingEngine({ latencyMillis: 1 });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 3, maxBatchSize: 4 });
    const shared = new AbortController(); // one signal for many requests, as one GraphQL operation's would be
    const work: Array<Promise<unknown>> = [];
    for (let index = 0; index < 10; index += 1) {
      work.push(scheduler.embed(`e${index}`, { signal: shared.signal }));
      work.push(scheduler.generate(textRequest(`g${index}`), { signal: shared.signal }));
    }
    work.push(collect(scheduler.streamGeneration(textRequest("s"), { signal: shared.signal })));
    await flush();
    assert.equal(abortListenerCount(shared.signal), 1, "one listener for all 21 requests");
    await Promise.all(work);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the double's own latency timers have fired
    assert.equal(abortListenerCount(shared.signal), 0);
    assert.equal(activeTimeouts(), timersBefore);
    await scheduler.close();
    assert.equal(activeTimeouts(), timersBefore);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { SampleWindow } from "../../../engines/scheduler/sample-window.ts";
import { RecordingEngine } from "./recording-engine.ts";
import { collect, rejectsWith, textRequest } from "./scheduler-test-helpers.ts";

describe("ModelScheduler metrics", () => {
  it("reflects batch sizes, waits, depths, overloads and cancellations", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4, maxQueueDepth: 5 });
    const first = scheduler.embed("first");
    await engine.waitForCalls(1);
    const controller = new AbortController();
    const queued = ["q1", "q2", "q3", "q4"].map((text) => scheduler.embed(text));
    const cancelled = scheduler.embed("cancelled", { signal: controller.signal });
    const cancelledOutcome = rejectsWith(cancelled, "cancelled");
    assert.equal(scheduler.metrics().embed.requests.queueDepth, 5);
    await rejectsWith(scheduler.embed("refused"), "overloaded");
    controller.abort();
    await cancelledOutcome;
    assert.equal(scheduler.metrics().embed.requests.queueDepth, 4);
    assert.equal(scheduler.metrics().embed.requests.running, 1);

    engine.releaseAll();
    await Promise.all([first, ...queued]);
    await collect(scheduler.streamGeneration(textRequest("s")));

    const snapshot = scheduler.metrics();
    assert.deepEqual(
      { ...snapshot.embed.batchSizes, buckets: snapshot.embed.batchSizes.buckets.filter((bucket) => bucket.count > 0) },
      {
        // [first] and [q1 q2 q3 q4]; the cancelled request's batch had no member left, so no engine call.
        batches: 2,
        requests: 5,
        largest: 4,
        mean: 2.5,
        buckets: [
          { maxSize: 1, count: 1 },
          { maxSize: 4, count: 1 },
        ],
      },
    );
    assert.equal(snapshot.embed.requests.completed, 5);
    assert.equal(snapshot.embed.requests.rejectedOverloaded, 1);
    assert.equal(snapshot.embed.requests.cancelledWhileQueued, 1);
    assert.equal(snapshot.embed.requests.queueDepth, 0);
    assert.equal(snapshot.embed.requests.running, 0);
    assert.equal(snapshot.embed.requests.queueWait.samples, 5);
    assert.ok((snapshot.embed.requests.queueWait.p99Millis ?? -1) >= (snapshot.embed.requests.queueWait.p50Millis ?? 0));
    assert.ok(snapshot.embed.requests.recentCallMillis !== null);
    assert.equal(snapshot.generate.batchSizes.batches, 0);
    assert.equal(snapshot.generate.requests.queueWait.p50Millis, null);
    assert.equal(snapshot.stream.requests.completed, 1);
    assert.doesNotThrow(() => JSON.stringify(snapshot));
    await scheduler.close();
  });
});

describe("SampleWindow", () => {
  it("keeps only the most recent samples and computes nearest-rank percentiles", () => {
    const window = new SampleWindow(100);
    for (let sample = 1; sample <= 150; sample += 1) window.add(sample);
    assert.equal(window.size, 100);
    assert.equal(window.percentile(0.5), 100); // samples 51..150
    assert.equal(window.percentile(0.99), 149);
    assert.equal(window.percentile(1), 150);
    assert.equal(window.mean(), 100.5);
    assert.equal(new SampleWindow(3).percentile(0.5), undefined);
  });
});

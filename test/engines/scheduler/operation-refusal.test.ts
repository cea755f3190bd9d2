/**
 * Issue 14, item 4: "Queued work of a refused or cancelled request is dropped, never run." One GraphQL
 * operation's calls share an operation signal (`createOperationSignal`); when the scheduler refuses
 * any of them as overloaded, the rest of the operation's queued work leaves the queues. The engine is
 * a held RecordingEngine: what it ran is exactly what it recorded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { createOperationSignal } from "../../../engines/scheduler/operation-signal.ts";
import { RecordingEngine } from "./recording-engine.ts";
import { abortListenerCount, collect, flush, rejectsWith, textRequest } from "./scheduler-test-helpers.ts";

/** The codes a set of calls failed with (or "ok"), counted. */
async function outcomes(calls: readonly Promise<unknown>[]): Promise<Record<string, number>> {
  const settled = await Promise.allSettled(calls);
  const counts: Record<string, number> = {};
  for (const result of settled) {
    const key = result.status === "fulfilled" ? "ok" : result.reason instanceof EngineError ? result.reason.code : String(result.reason);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("work of a refused operation", () => {
  it("drops the operation's queued embeddings when one is refused as overloaded; they never reach the engine", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4, maxQueueDepthPerTenant: 16 });
    const globex = scheduler.embed("globex 0", { tenantId: "globex", signal: createOperationSignal() });
    await engine.waitForCalls(1); // the engine is busy with globex's batch

    // One acme operation of 40 aliased fields, as in the issue (600 there): 16 queue, the 17th is refused.
    const operation = createOperationSignal();
    const acme = Array.from({ length: 40 }, (_, index) => scheduler.embed(`acme ${index}`, { tenantId: "acme", signal: operation }));
    assert.equal(operation.aborted, true, "the refusal aborted the operation");
    assert.equal(scheduler.metrics().embed.requests.queueDepth, 0, "its queued work left the queue at once");
    assert.deepEqual(await outcomes(acme), { overloaded: 40 }, "every field reports the refusal");

    // Another acme operation is admitted as usual: only the refused operation's work was dropped.
    const later = scheduler.embed("acme later", { tenantId: "acme", signal: createOperationSignal() });
    engine.releaseAll();
    await Promise.all([globex, later]);
    assert.deepEqual(
      engine.embedCalls.flatMap((call) => call.inputs),
      ["globex 0", "acme later"],
      "none of the refused operation's texts ran",
    );
    const { requests } = scheduler.metrics().embed;
    assert.equal(requests.rejectedOverloaded, 1);
    assert.equal(requests.cancelledWhileQueued, 16 + 23, "16 dropped from the queue, 23 refused on arrival");
    assert.equal(abortListenerCount(operation), 0, "nothing stays subscribed to the operation");
    await scheduler.close();
  });

  it("stops the operation's running batch too, and the batch's other members are unaffected", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4, maxQueueDepthPerTenant: 2 });
    const operation = createOperationSignal();
    const inBatch = [scheduler.embed("acme 0", { tenantId: "acme", signal: operation }), scheduler.embed("globex 0", { tenantId: "globex" })];
    await engine.waitForCalls(1);
    const queued = ["acme 1", "acme 2"].map((text) => scheduler.embed(text, { tenantId: "acme", signal: operation }));
    await rejectsWith(scheduler.embed("acme 3", { tenantId: "acme", signal: operation }), "overloaded");
    engine.releaseAll();
    assert.deepEqual(await outcomes([inBatch[0] as Promise<unknown>, ...queued]), { overloaded: 3 });
    assert.ok((await inBatch[1]) instanceof Float32Array, "globex's member of the same batch got its vector");
    assert.equal(engine.embedCalls.length, 1, "the dropped texts never ran");
    assert.equal(engine.embedCalls[0]?.signal?.aborted, false, "the batch was not aborted: globex still wanted it");
    await scheduler.close();
  });

  it("drops the operation's generations and waiting streams when one of its streams is refused", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 1, maxConcurrentStreams: 1, maxQueueDepthPerTenant: 1 });
    const busy = collect(scheduler.streamGeneration(textRequest("globex stream"), { tenantId: "globex" }));
    const busyGeneration = scheduler.generate(textRequest("globex generation"), { tenantId: "globex" });
    await engine.waitForCalls(2);

    const operation = createOperationSignal();
    const generation = scheduler.generate(textRequest("acme generation"), { tenantId: "acme", signal: operation });
    const waiting = scheduler.streamGeneration(textRequest("acme waiting"), { tenantId: "acme", signal: operation }).next();
    await flush();
    await rejectsWith(scheduler.streamGeneration(textRequest("acme refused"), { tenantId: "acme", signal: operation }).next(), "overloaded");
    assert.deepEqual(await outcomes([generation, waiting]), { overloaded: 2 });

    engine.releaseAll();
    await Promise.all([busy, busyGeneration]);
    const ran = [...engine.streamCalls, ...engine.generateCalls].flatMap((call) => call.inputs.map((input) => (input.prompt.kind === "text" ? input.prompt.text : "")));
    assert.equal(engine.calls.length, 2);
    assert.deepEqual(ran.sort(), ["globex generation", "globex stream"]);
    await scheduler.close();
  });

  it("leaves a caller's own signal alone: a refusal fails only the refused call", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 1, maxQueueDepthPerTenant: 1 });
    const own = new AbortController();
    const running = scheduler.embed("running", { signal: own.signal });
    await engine.waitForCalls(1);
    const queued = scheduler.embed("queued", { signal: own.signal });
    await rejectsWith(scheduler.embed("refused", { signal: own.signal }), "overloaded");
    assert.equal(own.signal.aborted, false);
    engine.releaseAll();
    await Promise.all([running, queued]);
    assert.deepEqual(engine.embedCalls.flatMap((call) => call.inputs), ["running", "queued"]);
    await scheduler.close();
  });

  it("drops an operation's queued work when its client goes away (the parent signal aborts)", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 2 });
    const client = new AbortController();
    const operation = createOperationSignal(client.signal);
    const running = [scheduler.embed("r0", { signal: operation }), scheduler.embed("r1", { signal: operation })];
    await engine.waitForCalls(1);
    const queued = Array.from({ length: 10 }, (_, index) => scheduler.embed(`q${index}`, { signal: operation }));
    client.abort();
    assert.deepEqual(await outcomes([...running, ...queued]), { cancelled: 12 });
    engine.releaseAll();
    await flush();
    assert.equal(engine.embedCalls.length, 1);
    assert.equal(engine.embedCalls[0]?.signal?.aborted, true, "nobody wanted the running batch any more: the engine was told to stop");
    assert.equal(scheduler.metrics().embed.requests.cancelledWhileQueued, 10);
    await scheduler.close();
  });
});

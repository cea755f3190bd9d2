/**
 * Issue 14, item 4: the scheduler shares its queues fairly by tenant. Each test replays the issue's
 * situation with a held RecordingEngine, so the order work reaches the engine is decided by the
 * scheduler alone, never by timing; each fails under the FIFO order the scheduler had before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GenerationRequest } from "../../../engines/engine.ts";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { RecordingEngine } from "./recording-engine.ts";
import { collect, flush, rejectsWith, textRequest } from "./scheduler-test-helpers.ts";

function promptOf(request: GenerationRequest): string {
  return request.prompt.kind === "text" ? request.prompt.text : "";
}

/** Prompts of the streams the engine was asked for, in order. */
function streamedPrompts(engine: RecordingEngine): string[] {
  return engine.streamCalls.map((call) => promptOf(call.inputs[0]));
}

/** Ends the engine's `index`-th stream and waits until the scheduler has admitted the next one (when any waits). */
async function finishStream(engine: RecordingEngine, index: number): Promise<void> {
  engine.streamCalls[index]?.release();
  await flush();
  await flush();
}

describe("fair scheduling across tenants", () => {
  it("admits a second tenant's stream at the next free slot, ahead of the first tenant's backlog of 64", async () => {
    const engine = new RecordingEngine({ hold: true });
    // No per-tenant cap: fair queuing alone decides who takes a freed slot.
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 4, maxRunningStreamsPerTenant: 4 });
    const acme = Array.from({ length: 64 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`acme ${index}`), { tenantId: "acme" })));
    await engine.waitForCalls(4);
    await flush();
    assert.equal(scheduler.metrics().stream.requests.queueDepth, 60);
    const globex = collect(scheduler.streamGeneration(textRequest("globex 0"), { tenantId: "globex" }));
    await flush();
    assert.equal(engine.streamCalls.length, 4, "every slot is taken: globex waits");

    await finishStream(engine, 0);
    assert.deepEqual(streamedPrompts(engine).slice(4), ["globex 0"], "the freed slot went to globex, not to acme 4");
    await finishStream(engine, 1);
    assert.deepEqual(streamedPrompts(engine).slice(4), ["globex 0", "acme 4"], "then acme's backlog goes on, in its own order");

    engine.releaseAll();
    await Promise.all([...acme, globex]);
    assert.deepEqual(streamedPrompts(engine).filter((prompt) => prompt.startsWith("acme")), Array.from({ length: 64 }, (_, index) => `acme ${index}`));
    await scheduler.close();
  });

  it("admits backlogged tenants in the ratio of their weights (2:1)", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 1, tenantWeights: { acme: 2 } });
    // acme arrives first with the whole backlog: FIFO would run all 30 of acme's before any of globex's.
    const runs = [
      ...Array.from({ length: 30 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`acme ${index}`), { tenantId: "acme" }))),
      ...Array.from({ length: 30 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`globex ${index}`), { tenantId: "globex" }))),
    ];
    await engine.waitForCalls(1);
    await flush();
    for (let index = 0; index < 30; index += 1) await finishStream(engine, index);
    const admitted = streamedPrompts(engine).slice(1, 31); // after acme 0, which found the engine idle
    const acmeShare = admitted.filter((prompt) => prompt.startsWith("acme")).length;
    assert.ok(acmeShare >= 19 && acmeShare <= 21, `acme had ${acmeShare} of 30 admissions, expected about 20: ${admitted.join(", ")}`);
    // Never more than two of acme's in a row while globex waits.
    assert.doesNotMatch(admitted.map((prompt) => (prompt.startsWith("acme") ? "a" : "g")).join(""), /aaa/);
    engine.releaseAll();
    await Promise.all(runs);
    await scheduler.close();
  });

  it("caps the streams one tenant runs, leaving slots to others even while its own streams wait", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 4, maxRunningStreamsPerTenant: 2 });
    const acme = Array.from({ length: 5 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`acme ${index}`), { tenantId: "acme" })));
    await engine.waitForCalls(2);
    await flush();
    assert.equal(engine.streamCalls.length, 2, "acme runs two, though two slots are free");
    assert.equal(scheduler.metrics().stream.requests.queueDepth, 3);

    const globex = Array.from({ length: 3 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`globex ${index}`), { tenantId: "globex" })));
    await engine.waitForCalls(4);
    await flush();
    assert.deepEqual(streamedPrompts(engine), ["acme 0", "acme 1", "globex 0", "globex 1"], "globex starts at once, without any stream ending");

    await finishStream(engine, 0);
    assert.deepEqual(streamedPrompts(engine).slice(4), ["acme 2"], "acme's freed slot goes back to acme: globex is at its cap");
    engine.releaseAll();
    await Promise.all([...acme, ...globex]);
    assert.equal(engine.maxActiveStreams, 4);
    await scheduler.close();
  });

  it("holds one slot back from a single tenant by default, so another tenant's stream starts at once", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { maxConcurrentStreams: 4 });
    assert.equal(scheduler.options.maxRunningStreamsPerTenant, 3);
    const acme = Array.from({ length: 64 }, (_, index) => collect(scheduler.streamGeneration(textRequest(`acme ${index}`), { tenantId: "acme" })));
    await engine.waitForCalls(3);
    await flush();
    assert.equal(engine.streamCalls.length, 3);
    const globex = collect(scheduler.streamGeneration(textRequest("globex 0"), { tenantId: "globex" }));
    await engine.waitForCalls(4);
    assert.equal(promptOf(engine.streamCalls[3]?.inputs[0] ?? textRequest("")), "globex 0");
    engine.releaseAll();
    await Promise.all([...acme, globex]);
    await scheduler.close();
  });

  it("bounds each tenant's queue: the tenant past its bound gets overloaded while others are still admitted", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 1, maxQueueDepth: 5, maxQueueDepthPerTenant: 3 });
    const running = scheduler.embed("acme running", { tenantId: "acme" });
    await engine.waitForCalls(1);
    const acmeWaiting = ["a1", "a2", "a3"].map((text) => scheduler.embed(text, { tenantId: "acme" }));
    const refused = await rejectsWith(scheduler.embed("a4", { tenantId: "acme" }), "overloaded");
    assert.match(refused.message, /this tenant's limit of 3/);
    assert.ok((refused.retryAfterMillis ?? 0) > 0);

    const globexWaiting = ["g1", "g2"].map((text) => scheduler.embed(text, { tenantId: "globex" }));
    await flush();
    assert.equal(scheduler.metrics().embed.requests.queueDepth, 5);
    // The total bound still holds: a third tenant finds the queue full.
    await rejectsWith(scheduler.embed("i1", { tenantId: "initech" }), "overloaded");
    assert.equal(scheduler.metrics().embed.requests.rejectedOverloaded, 2);

    engine.releaseAll();
    await Promise.all([running, ...acmeWaiting, ...globexWaiting]);
    assert.ok(!engine.embedCalls.some((call) => call.inputs.includes("a4")), "the refused text never reached the engine");
    await scheduler.close();
  });

  it("fills a batch across tenants: one tenant's backlog does not keep another's text out of the next batch", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4 });
    const warm = scheduler.embed("acme warm", { tenantId: "acme" });
    await engine.waitForCalls(1); // the engine is busy: what follows waits and is batched when it frees
    const acme = Array.from({ length: 12 }, (_, index) => scheduler.embed(`acme ${index}`, { tenantId: "acme" }));
    const globex = scheduler.embed("globex 0", { tenantId: "globex" });
    await flush();

    engine.embedCalls[0]?.release();
    await engine.waitForCalls(2);
    assert.deepEqual(engine.embedCalls[1]?.inputs, ["globex 0", "acme 0", "acme 1", "acme 2"], "globex's text is in the next batch");
    engine.releaseAll();
    await Promise.all([warm, ...acme, globex]);
    assert.deepEqual(
      engine.embedCalls.slice(2).flatMap((call) => call.inputs),
      Array.from({ length: 9 }, (_, index) => `acme ${index + 3}`),
      "acme's own texts keep their order",
    );
    await scheduler.close();
  });

  it("fills batches in the ratio of the tenants' weights (3:1)", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4, tenantWeights: { acme: 3 } });
    const warm = scheduler.embed("warm", { tenantId: "acme" });
    await engine.waitForCalls(1);
    const work = [
      ...Array.from({ length: 12 }, (_, index) => scheduler.embed(`acme ${index}`, { tenantId: "acme" })),
      ...Array.from({ length: 12 }, (_, index) => scheduler.embed(`globex ${index}`, { tenantId: "globex" })),
    ];
    await flush();
    engine.releaseAll();
    await Promise.all([warm, ...work]);
    // While both tenants wait (the first three batches), each batch holds three of acme's and one of globex's.
    for (const call of engine.embedCalls.slice(1, 4)) {
      assert.equal(call.inputs.filter((text) => text.startsWith("acme")).length, 3, `batch ${call.order}: ${call.inputs.join(", ")}`);
    }
    await scheduler.close();
  });

  it("serves another tenant's generation group first when the first tenant's group holds a backlog", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4 });
    const warm = scheduler.generate(textRequest("acme warm"), { tenantId: "acme" });
    await engine.waitForCalls(1);
    // Different parameters: separate groups, which cannot share a batch.
    const acme = Array.from({ length: 10 }, (_, index) => scheduler.generate(textRequest(`acme ${index}`, { temperature: 0.5 }), { tenantId: "acme" }));
    const globex = scheduler.generate(textRequest("globex 0", { temperature: 0.9 }), { tenantId: "globex" });
    await flush();
    engine.generateCalls[0]?.release();
    await engine.waitForCalls(2);
    assert.deepEqual(engine.generateCalls[1]?.inputs.map(promptOf), ["globex 0"], "globex's group goes before acme's older one");
    engine.releaseAll();
    await Promise.all([warm, ...acme, globex]);
    await scheduler.close();
  });

  it("keeps arrival order for a single tenant across generation groups", async () => {
    const engine = new RecordingEngine({ hold: true });
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 0, maxBatchSize: 4 });
    const warm = scheduler.generate(textRequest("warm"));
    await engine.waitForCalls(1);
    const first = scheduler.generate(textRequest("first", { temperature: 0.5 }));
    const second = scheduler.generate(textRequest("second", { temperature: 0.9 }));
    const third = scheduler.generate(textRequest("third", { temperature: 0.5 }));
    await flush();
    engine.releaseAll();
    await Promise.all([warm, first, second, third]);
    assert.deepEqual(
      engine.generateCalls.map((call) => call.inputs.map(promptOf)),
      [["warm"], ["first", "third"], ["second"]],
    );
    await scheduler.close();
  });
});

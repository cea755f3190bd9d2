import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import { ModelScheduler } from "../../../engines/scheduler/model-scheduler.ts";
import { delay, testThreads, textRequest, tinyModel } from "./llama-cpp-test-models.ts";

describe("cancelling one request of a llama.cpp batch", () => {
  let engine: LlamaCppEngine;
  before(async () => {
    engine = await LlamaCppEngine.open({ modelPath: await tinyModel("batch-cancel"), threads: testThreads, sequences: 4, contextLength: 1024 });
  });
  after(() => engine.close());

  it("frees that request's sequence while the others finish", async () => {
    const leaving = new AbortController();
    const batch = engine.generateBatch([
      { ...textRequest("Stay until the end", { maxTokens: 200 }) },
      { ...textRequest("Leave early", { maxTokens: 600 }), signal: leaving.signal },
    ]);
    await delay(100);
    leaving.abort();
    const [stayed, left] = await batch;
    assert.equal(stayed?.finishReason, "length");
    assert.equal(stayed?.usage.completionTokens, 200);
    assert.equal(left?.finishReason, "cancelled");
    assert.ok((left?.usage.completionTokens ?? 600) < 600, "the cancelled request stopped generating");
  });

  it("through the scheduler: a caller that leaves gets cancelled and its batch-mate completes", async () => {
    const scheduler = new ModelScheduler(engine, { batchWindowMillis: 20 });
    const leaving = new AbortController();
    const stay = scheduler.generate(textRequest("Stay", { maxTokens: 120 }));
    const leave = scheduler.generate(textRequest("Leave", { maxTokens: 120 }), { signal: leaving.signal });
    await delay(80);
    leaving.abort();
    await assert.rejects(leave, (error: { code?: string }) => error.code === "cancelled");
    assert.equal((await stay).usage.completionTokens, 120);
    assert.equal(scheduler.metrics().generate.batchSizes.largest, 2, "both were in one batch");
  });
});

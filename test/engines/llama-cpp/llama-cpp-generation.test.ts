import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { GenerationEvent } from "../../../engines/engine.ts";
import { EngineError } from "../../../engines/engine-error.ts";
import { IncrementalDetokenizer } from "../../../engines/llama-cpp/incremental-detokenizer.ts";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import { acquireSharedModel } from "../../../engines/llama-cpp/shared-models.ts";
import { collectEvents, delay, deltaTexts, endResult, testThreads, textRequest, tinyModel } from "./llama-cpp-test-models.ts";

const prompt = "The quick brown fox";
const modelPath = await tinyModel("generation");

let engine: LlamaCppEngine;
before(async () => {
  // A short context keeps the KV cache of 8 sequences small; the tests never need more.
  engine = await LlamaCppEngine.open({ modelPath, contextLength: 256, sequences: 8, threads: testThreads });
});
after(async () => {
  await engine.close();
});

function isEngineError(code: EngineError["code"]) {
  return (error: unknown): boolean => error instanceof EngineError && error.code === code;
}

describe("LlamaCppEngine generation", () => {
  it("describes itself with the served context length", () => {
    assert.deepEqual(engine.describe(), { kind: "llama-cpp", contextLength: 256, embeddingDimensions: undefined, chatTemplate: "the model file's Jinja chat template" });
  });

  it("streams text-start, indexed deltas and text-end whose text is the deltas joined", async () => {
    const events = await collectEvents(engine.streamGeneration(textRequest(prompt, { maxTokens: 12 })));
    assert.deepEqual(events[0], { type: "text-start" });
    const deltas = events.filter((event): event is Extract<GenerationEvent, { type: "text-delta" }> => event.type === "text-delta");
    assert.ok(deltas.length > 0);
    assert.deepEqual(
      deltas.map((delta) => delta.index),
      deltas.map((_, index) => index),
    );
    assert.equal(events.length, deltas.length + 2);
    const result = endResult(events);
    assert.equal(result.text, deltaTexts(events).join(""));
    const promptTokens = await engine.countPromptTokens({ kind: "text", text: prompt });
    assert.deepEqual(promptTokens, { tokens: result.usage.promptTokens, exact: true });
    assert.equal(result.usage.completionTokens, 12);
  });

  it("gives the same text for the same seed, and the stream equals the batch", async () => {
    const request = textRequest(prompt, { maxTokens: 16, seed: 1234 });
    const first = endResult(await collectEvents(engine.streamGeneration(request)));
    const second = endResult(await collectEvents(engine.streamGeneration(request)));
    const [batched] = await engine.generateBatch([request]);
    assert.equal(second.text, first.text);
    assert.deepEqual(batched, first);
    const others = await engine.generateBatch([5, 6, 7].map((seed) => textRequest(prompt, { maxTokens: 16, seed })));
    assert.ok(
      others.some((other) => other.text !== first.text),
      "other seeds sample other text",
    );
  });

  it("ends with finishReason length after maxTokens", async () => {
    const [result] = await engine.generateBatch([textRequest(prompt, { maxTokens: 5, temperature: 0 })]);
    assert.equal(result?.finishReason, "length");
    assert.equal(result?.usage.completionTokens, 5);
  });

  it("stops before a stop sequence, which is not part of the text", async () => {
    const [full] = await engine.generateBatch([textRequest(prompt, { maxTokens: 24, seed: 99 })]);
    assert.ok(full !== undefined && full.text.length > 12, `need a long enough text, got ${JSON.stringify(full?.text)}`);
    // Four characters from the middle usually span a token boundary.
    const stop = full.text.slice(8, 12);
    const expected = full.text.slice(0, full.text.indexOf(stop));
    const events = await collectEvents(engine.streamGeneration(textRequest(prompt, { maxTokens: 24, seed: 99, stop: [stop] })));
    const result = endResult(events);
    assert.equal(result.finishReason, "stop");
    assert.equal(result.text, expected);
    assert.equal(deltaTexts(events).join(""), expected);
    assert.ok(!result.text.includes(stop));
  });

  it("formats chats with the model file's own (ChatML) Jinja template, BOS first as the file says, and generates from them", async () => {
    assert.equal(engine.chatTemplateName, "jinja");
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hello there" },
    ];
    assert.equal(
      await engine.applyChatTemplate(messages),
      "<s><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n",
    );
    const count = await engine.countPromptTokens({ kind: "chat", messages });
    const [result] = await engine.generateBatch([{ prompt: { kind: "chat", messages }, parameters: { maxTokens: 8, seed: 3 } }]);
    assert.equal(result?.usage.promptTokens, count.tokens);
    assert.ok(result?.finishReason === "length" || result?.finishReason === "stop");
  });

  it("decodes 8 concurrent generations together in the shared context", async () => {
    const before = engine.statistics();
    const maxTokens = 12;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => collectEvents(engine.streamGeneration(textRequest(prompt, { maxTokens, seed: index })))),
    );
    const after = engine.statistics();
    for (const events of results) assert.equal(endResult(events).finishReason, "length");
    assert.equal(after.peakBusySequences, 8, "all 8 held a sequence at the same time");
    assert.equal(after.largestBatchSequences, 8, "one llama.cpp batch carried all 8 sequences");
    const batches = after.decodeBatches - before.decodeBatches;
    const generatedTokens = 8 * maxTokens;
    // One by one this takes a batch per token (plus the prompts); together, the sequences share batches.
    assert.ok(batches < generatedTokens / 2, `${batches} batches for ${generatedTokens} tokens`);
    assert.equal(after.busySequences, 0);
  });

  it("queues generations beyond the sequence count and completes them all", async () => {
    const pending = engine.generateBatch(Array.from({ length: 12 }, (_, index) => textRequest(prompt, { maxTokens: 6, seed: index })));
    // All 12 ask for a sequence within the same event-loop turn; none can finish 6 tokens in 1 ms.
    await delay(1);
    const statistics = engine.statistics();
    const results = await pending;
    assert.equal(statistics.busySequences, 8);
    assert.equal(statistics.waitingGenerations, 4);
    assert.equal(results.length, 12);
    for (const result of results) assert.equal(result.usage.completionTokens, 6);
  });

  it("stops evaluating at once on abort, ends as cancelled, and the sequence is reusable", async () => {
    const request = textRequest(prompt, { maxTokens: 200, seed: 5 });
    const [reference] = await engine.generateBatch([{ ...request, parameters: { ...request.parameters, maxTokens: 6 } }]);
    const controller = new AbortController();
    let evaluatedAtAbort = -1;
    let abortedAt = 0;
    const events: GenerationEvent[] = [];
    for await (const event of engine.streamGeneration(request, controller.signal)) {
      events.push(event);
      if (event.type === "text-delta" && event.index === 2) {
        evaluatedAtAbort = engine.statistics().evaluatedTokens;
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const endedAfterMilliseconds = performance.now() - abortedAt;
    const result = endResult(events);
    assert.equal(result.finishReason, "cancelled");
    assert.ok(result.usage.completionTokens < 200);
    assert.equal(result.text, deltaTexts(events).join(""));
    assert.ok(endedAfterMilliseconds < 1000, `ended ${endedAfterMilliseconds} ms after the abort`);
    assert.equal(engine.statistics().busySequences, 0, "the sequence was released");
    assert.equal(engine.statistics().evaluatedTokens, evaluatedAtAbort, "no token was evaluated after the abort");
    await delay(50);
    assert.equal(engine.statistics().evaluatedTokens, evaluatedAtAbort);
    // Its KV cache was cleared: the same request gives the same text as before.
    const [again] = await engine.generateBatch([{ ...request, parameters: { ...request.parameters, maxTokens: 6 } }]);
    assert.deepEqual(again, reference);
  });

  it("lets at most the token in flight finish when aborted from outside the stream", async () => {
    const controller = new AbortController();
    const stream = collectEvents(engine.streamGeneration(textRequest(prompt, { maxTokens: 200 }), controller.signal));
    await delay(30);
    const evaluatedAtAbort = engine.statistics().evaluatedTokens;
    controller.abort();
    const result = endResult(await stream);
    assert.equal(result.finishReason, "cancelled");
    const evaluatedAtEnd = engine.statistics().evaluatedTokens;
    assert.ok(evaluatedAtEnd - evaluatedAtAbort <= 1, `${evaluatedAtEnd - evaluatedAtAbort} tokens evaluated after the abort`);
    await delay(50);
    assert.equal(engine.statistics().evaluatedTokens, evaluatedAtEnd);
    assert.equal(engine.statistics().busySequences, 0);
  });

  it("refuses a request that overflows the context before any decoding", async () => {
    const evaluatedBefore = engine.statistics().evaluatedTokens;
    const overflowing = textRequest(prompt, { maxTokens: 300 });
    await assert.rejects(collectEvents(engine.streamGeneration(overflowing)), (error: unknown) => {
      assert.ok(error instanceof EngineError && error.code === "context-overflow");
      assert.match(error.message, /prompt takes 5 tokens/);
      assert.match(error.message, /limit of 256 tokens/);
      return true;
    });
    // One bad request fails the whole batch before its good requests start.
    await assert.rejects(engine.generateBatch([textRequest(prompt), overflowing]), isEngineError("context-overflow"));
    assert.equal(engine.statistics().evaluatedTokens, evaluatedBefore);
  });

  it("rejects invalid parameters as invalid-request", async () => {
    for (const parameters of [{ maxTokens: 0 }, { temperature: 3 }, { topP: 0 }, { seed: -1 }, { stop: [""] }]) {
      await assert.rejects(engine.generateBatch([textRequest(prompt, parameters)]), isEngineError("invalid-request"));
    }
    await assert.rejects(
      engine.generateBatch([{ prompt: { kind: "chat", messages: [] }, parameters: { maxTokens: 4 } }]),
      isEngineError("invalid-request"),
    );
  });

  it("decodes the model's byte tokens into whole characters", async () => {
    const lease = await acquireSharedModel(modelPath, "cpu");
    try {
      const text = "Zürich, naïve café, 日本語 🙂👍🏽";
      const tokens = lease.model.tokenize(text);
      const detokenizer = new IncrementalDetokenizer(lease.model, []);
      const chunks = [...tokens.map((token) => detokenizer.push(token)), detokenizer.flush()];
      assert.equal(chunks.join(""), lease.model.detokenize(tokens));
      for (const chunk of chunks) assert.ok(!chunk.includes("\uFFFD"), `chunk ${JSON.stringify(chunk)} splits a character`);
    } finally {
      await lease.release();
    }
  });
});

describe("LlamaCppEngine with one short sequence", () => {
  let single: LlamaCppEngine;
  before(async () => {
    single = await LlamaCppEngine.open({ modelPath, contextLength: 32, sequences: 1, threads: testThreads });
  });
  after(async () => {
    await single.close();
  });

  it("fills the context exactly: prompt tokens + maxTokens = context length", async () => {
    const { tokens } = await single.countPromptTokens({ kind: "text", text: prompt });
    const [result] = await single.generateBatch([textRequest(prompt, { maxTokens: 32 - tokens, temperature: 0 })]);
    assert.ok(result?.finishReason === "length" || result?.finishReason === "stop");
    await assert.rejects(single.generateBatch([textRequest(prompt, { maxTokens: 33 - tokens })]), isEngineError("context-overflow"));
  });

  it("cancels a generation still waiting for the busy sequence", async () => {
    const running = new AbortController();
    const first = collectEvents(single.streamGeneration(textRequest(prompt, { maxTokens: 20 }), running.signal));
    while (single.statistics().busySequences === 0) await delay(1);
    const waiting = new AbortController();
    const second = collectEvents(single.streamGeneration(textRequest(prompt, { maxTokens: 20 }), waiting.signal));
    while (single.statistics().waitingGenerations === 0) await delay(1);
    waiting.abort();
    const secondResult = endResult(await second);
    assert.deepEqual(secondResult, { text: "", finishReason: "cancelled", usage: { promptTokens: 5, completionTokens: 0 } });
    running.abort();
    assert.equal(endResult(await first).finishReason, "cancelled");
    assert.equal(single.statistics().waitingGenerations, 0);
  });

  it("cancels running generations on close and refuses calls afterwards", async () => {
    const engineToClose = await LlamaCppEngine.open({ modelPath, contextLength: 256, sequences: 2, threads: testThreads });
    const stream = collectEvents(engineToClose.streamGeneration(textRequest(prompt, { maxTokens: 200 })));
    while (engineToClose.statistics().busySequences === 0) await delay(1);
    await engineToClose.close();
    assert.equal(endResult(await stream).finishReason, "cancelled");
    await assert.rejects(engineToClose.generateBatch([textRequest(prompt)]), isEngineError("engine-unavailable"));
    await assert.rejects(engineToClose.countPromptTokens({ kind: "text", text: prompt }), isEngineError("engine-unavailable"));
    await engineToClose.close();
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import { modelPresets } from "../../../engines/gguf/generate-model.ts";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import { testThreads, tinyModel } from "./llama-cpp-test-models.ts";
import { cosineSimilarity } from "../../harness/cosine-similarity.ts";

const modelPath = await tinyModel("embedding", "mean");

let engine: LlamaCppEngine;
before(async () => {
  engine = await LlamaCppEngine.open({ modelPath, contextLength: 64, embeddingContexts: 2, threads: testThreads });
});
after(async () => {
  await engine.close();
});

function isEngineError(code: EngineError["code"]) {
  return (error: unknown): boolean => error instanceof EngineError && error.code === code;
}


describe("LlamaCppEngine embeddings", () => {
  it("describes the embedding dimensions from the model", () => {
    assert.deepEqual(engine.describe(), {
      kind: "llama-cpp",
      contextLength: 64,
      embeddingDimensions: modelPresets.tiny.embeddingLength,
    });
  });

  it("returns one finite, unit-length Float32Array of the model's width per text", async () => {
    const vectors = await engine.embedBatch(["Hello world", "The quick brown fox"]);
    assert.equal(vectors.length, 2);
    for (const vector of vectors) {
      assert.ok(vector instanceof Float32Array);
      assert.equal(vector.length, modelPresets.tiny.embeddingLength);
      assert.ok(vector.every(Number.isFinite));
      const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    }
  });

  it("is deterministic and keeps input order over the pool", async () => {
    const texts = ["alpha", "the quick brown fox", "Hello world", "something else entirely", "alpha"];
    const batched = await engine.embedBatch(texts);
    const oneByOne: Float32Array[] = [];
    for (const text of texts) oneByOne.push(...(await engine.embedBatch([text])));
    batched.forEach((vector, index) => {
      const single = oneByOne[index];
      assert.ok(single !== undefined);
      assert.ok(cosineSimilarity(vector, single) > 0.99999, `text ${index} got another text's vector`);
    });
    assert.deepEqual(batched[4], batched[0], "the same text gives the same vector");
    assert.ok(cosineSimilarity(batched[0] ?? new Float32Array(), batched[1] ?? new Float32Array()) < 0.999);
  });

  it("returns an empty list for no texts", async () => {
    assert.deepEqual(await engine.embedBatch([]), []);
  });

  it("rejects an empty text as invalid-request", async () => {
    await assert.rejects(engine.embedBatch(["fine", ""]), (error: unknown) => {
      assert.ok(error instanceof EngineError && error.code === "invalid-request");
      assert.match(error.message, /Text 1 is empty/);
      return true;
    });
  });

  it("rejects a text longer than the context as context-overflow", async () => {
    const long = Array.from({ length: 80 }, () => "word").join(" ");
    await assert.rejects(engine.embedBatch(["short", long]), (error: unknown) => {
      assert.ok(error instanceof EngineError && error.code === "context-overflow");
      assert.match(error.message, /Text 1 takes \d+ tokens/);
      return true;
    });
  });

  it("ends with cancelled when aborted", async () => {
    await assert.rejects(engine.embedBatch(["Hello world"], AbortSignal.abort()), isEngineError("cancelled"));
  });

  it("still generates text from an embedding model, on a context made on first use", async () => {
    const [result] = await engine.generateBatch([{ prompt: { kind: "text", text: "Hello" }, parameters: { maxTokens: 3, seed: 1 } }]);
    assert.equal(result?.usage.completionTokens, 3);
  });
});

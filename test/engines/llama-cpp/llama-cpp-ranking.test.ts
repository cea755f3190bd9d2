/**
 * LlamaCppEngine.rank on a generated stand-in reranker (the hand-made INT8 cross-encoder of
 * test/engines/gguf/onnx-cross-encoder-model.ts converted to GGUF): the contract, the input
 * layout ([CLS] query [SEP] document [SEP]) and the refusals. Scores of the real
 * ms-marco-MiniLM-L-12-v2 are checked in test/real-models/reranker.test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import { convertCrossEncoder } from "../../../engines/gguf/bert/convert-cross-encoder.ts";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { tinyDimensions } from "../gguf/bert-tiny-model.ts";
import { writeOnnxCrossEncoder } from "../gguf/onnx-cross-encoder-model.ts";
import { testThreads, tinyModel } from "./llama-cpp-test-models.ts";

const standIn = await writeOnnxCrossEncoder("engine-ranking");
const converted = await convertCrossEncoder({ sourceDirectory: standIn.directory, outputPath: join(await temporaryDirectory("ranking-gguf"), "tiny-reranker.gguf"), type: "f32" });
const generationModelPath = await tinyModel("not-a-reranker");

let engine: LlamaCppEngine;
before(async () => {
  engine = await LlamaCppEngine.open({ modelPath: converted.path, threads: testThreads });
});
after(async () => {
  await engine.close();
});

function isEngineError(code: EngineError["code"]) {
  return (error: unknown): boolean => error instanceof EngineError && error.code === code;
}

describe("LlamaCppEngine reranking", () => {
  it("describes a reranker: its context, no embeddings, no chat template", () => {
    assert.deepEqual(engine.describe(), { kind: "llama-cpp", contextLength: tinyDimensions.positions, embeddingDimensions: undefined });
  });

  it("returns one probability in (0, 1) per document, in order, the same alone or together", async () => {
    const documents = ["the cats", "hello world !", "cat", "the cat"];
    const scores = await engine.rank("hello world", documents);
    assert.equal(scores.length, documents.length);
    for (const score of scores) assert.ok(score > 0 && score < 1, `score ${score}`);
    assert.ok(new Set(scores).size > 1, `different documents score differently: ${scores.join(", ")}`);
    for (const [index, document] of documents.entries()) {
      const [alone] = await engine.rank("hello world", [document]);
      assert.equal(alone, scores[index], document);
    }
    assert.deepEqual(await engine.rank("hello world", []), []);
  });

  it("reads [CLS] query [SEP] document [SEP]: a pair of exactly the context length is refused, one token less fits", async () => {
    // 2 query tokens + 3 specials + 10 document tokens = 15 < 16 positions; 11 document tokens fill all 16.
    const fits = Array.from({ length: 10 }, () => "cat").join(" ");
    const [score] = await engine.rank("hello world", [fits]);
    assert.ok(score !== undefined && score > 0 && score < 1);
    await assert.rejects(engine.rank("hello world", [`${fits} cat`]), isEngineError("context-overflow"));
  });

  it("refuses empty inputs and embedding calls, and stops when cancelled", async () => {
    await assert.rejects(engine.rank("", ["cat"]), isEngineError("invalid-request"));
    await assert.rejects(engine.rank("cat", ["the cat", ""]), isEngineError("invalid-request"));
    await assert.rejects(engine.embedBatch(["cat"]), isEngineError("invalid-request"));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(engine.rank("hello", ["cat", "the cat"], controller.signal), isEngineError("cancelled"));
  });

  it("refuses to rank with a model that is not a reranker", async () => {
    const generation = await LlamaCppEngine.open({ modelPath: generationModelPath, contextLength: 64, threads: testThreads });
    try {
      await assert.rejects(generation.rank("hello", ["world"]), isEngineError("invalid-request"));
    } finally {
      await generation.close();
    }
  });
});

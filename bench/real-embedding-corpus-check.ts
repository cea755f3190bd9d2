/**
 * Sanity check of the real-embedding corpus (bench/real-embedding-corpus.ts): its vectors come from
 * onnxruntime on the int8 ONNX MiniLM; this embeds a sample of the same texts with the project's
 * own engine (all-MiniLM-L6-v2 converted to GGUF f16 by engines/gguf/bert, run by llama.cpp through
 * `LlamaCppEngine.embedBatch`) and prints the cosine of each pair. Expected: every one ≥ 0.99.
 *
 *   node --import tsx bench/real-embedding-corpus-check.ts [--chunks 100000] [--queries 200] [--sample 30]
 *     [--cache-directory DIR]
 *
 * The sample: `--sample` corpus passages spread over the corpus, and the first five queries, both as
 * passages and as short queries. Prints one JSON document.
 */
import { parseArgs } from "node:util";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { cosineSimilarity } from "../test/harness/cosine-similarity.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { loadRealEmbeddingCorpus } from "./real-embedding-corpus.ts";
import { describeMachine } from "./measure.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "100000" },
    queries: { type: "string", default: "200" },
    sample: { type: "string", default: "30" },
    "cache-directory": { type: "string" },
  },
});
const corpus = await loadRealEmbeddingCorpus({ chunks: Number(values.chunks), queries: Number(values.queries), cacheDirectory: values["cache-directory"] });
const sampleSize = Number(values.sample);
const sample: { text: string; vector: Float32Array }[] = [];
for (let index = 0; index < sampleSize; index += 1) {
  const row = Math.floor((index * corpus.texts.length) / sampleSize);
  sample.push({ text: corpus.texts[row] as string, vector: corpus.vectors[row] as Float32Array });
}
for (const query of corpus.queries.slice(0, 5)) sample.push({ text: query.passage, vector: query.passageVector }, { text: query.short, vector: query.shortVector });

const engine = await LlamaCppEngine.open({ modelPath: await realEmbeddingModelPath(await provisionRealModels()), contextLength: 512, threads: defaultLlamaCppThreads(), embeddingContexts: 1 });
try {
  const started = performance.now();
  const llamaVectors = await engine.embedBatch(sample.map((entry) => entry.text));
  const seconds = (performance.now() - started) / 1000;
  const cosines = sample.map((entry, index) => cosineSimilarity(entry.vector, llamaVectors[index] as Float32Array));
  const worst = cosines.indexOf(Math.min(...cosines));
  console.log(
    JSON.stringify(
      {
        machine: await describeMachine(),
        texts: sample.length,
        llamaCppTextsPerSecond: Math.round((sample.length / seconds) * 10) / 10,
        cosine: { min: Math.min(...cosines), mean: cosines.reduce((sum, value) => sum + value, 0) / cosines.length, atLeast099: cosines.filter((value) => value >= 0.99).length },
        worstText: sample[worst]?.text,
      },
      null,
      2,
    ),
  );
} finally {
  await engine.close();
}

/**
 * Reranking time on the real cross-encoder (ms-marco-MiniLM-L-12-v2, converted to GGUF by the
 * project, with segment-B tokens): `LlamaCppEngine.rank` of one query against N passages of about
 * 200 tokens each, per GGUF type and thread count; plus the conversion time of each type.
 *
 *   node --import tsx bench/reranker.ts [--passages 20] [--threads 1,2] [--repeats 3]
 *
 * Each figure is the best of --repeats runs, with every run listed. Prints one JSON document.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { convertCrossEncoder } from "../engines/gguf/bert/convert-cross-encoder.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { provisionRealReranker } from "../test/harness/real-models.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";
import { describeMachine } from "./measure.ts";

const { values } = parseArgs({
  options: {
    passages: { type: "string", default: "20" },
    threads: { type: "string", default: "1,2" },
    repeats: { type: "string", default: "3" },
  },
});
const passageCount = Number(values.passages);
const threadCounts = values.threads.split(",").map(Number);
const repeats = Number(values.repeats);

const sentences = [
  "The committee reviewed the annual budget and approved funding for new research laboratories.",
  "Rivers carry sediment from the mountains to the sea, building deltas over thousands of years.",
  "Modern compilers apply many optimisations, such as inlining, loop unrolling and dead code elimination.",
  "In the eighteenth century, trade routes connected ports across the Atlantic and Indian oceans.",
  "Solar panels convert sunlight into electricity using layers of semiconducting silicon.",
];
/** 11 sentences each: 195-200 tokens with the query and the three special tokens. */
const passages = Array.from({ length: passageCount }, (_, passage) => Array.from({ length: 11 }, (_, sentence) => sentences[(passage + sentence) % sentences.length]).join(" "));
const query = "how do solar panels make electricity";

const sourceDirectory = await provisionRealReranker();
const outputDirectory = await temporaryDirectory("bench-reranker");
const results: Record<string, unknown>[] = [];
for (const type of ["f16", "f32"] as const) {
  const started = performance.now();
  const converted = await convertCrossEncoder({ sourceDirectory, outputPath: join(outputDirectory, `reranker.${type}.gguf`), type });
  const conversionSeconds = (performance.now() - started) / 1000;
  for (const threads of threadCounts) {
    const engine = await LlamaCppEngine.open({ modelPath: converted.path, threads });
    try {
      await engine.rank(query, passages.slice(0, 1));
      const runs: number[] = [];
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        const runStarted = performance.now();
        await engine.rank(query, passages);
        runs.push(Math.round(performance.now() - runStarted));
      }
      const best = Math.min(...runs);
      results.push({ type, threads, fileBytes: converted.bytes, conversionSeconds: Math.round(conversionSeconds * 100) / 100, passages: passageCount, bestMillis: best, runsMillis: runs, millisPerPassage: Math.round((best / passageCount) * 10) / 10 });
    } finally {
      await engine.close();
    }
  }
}
console.log(JSON.stringify({ machine: await describeMachine(), loadAverage: (await import("node:os")).loadavg(), results }, null, 1));

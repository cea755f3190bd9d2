/**
 * Embeddings per second on a real model, all-MiniLM-L6-v2 converted to GGUF by the project (f16,
 * 384 dimensions, mean pooling), batched versus one by one:
 * - directly: the llama.cpp engine in this process (`embedBatch`), the inference service's
 *   settings (LLAMA_CPP_THREADS: cores − 1; LLAMA_CPP_EMBEDDING_CONTEXTS: 1);
 * - through the multi-process stack: the `embeddings(model, texts)` query over HTTP to the gateway
 *   process, which fetches from the inference process; vectors selected.
 * One by one is N calls of one text each, awaited in turn; "one per call, N in flight" sends them
 * all at once (the inference scheduler may batch them).
 *
 *   node --import tsx bench/real-embeddings.ts [--texts 64] [--threads N] [--repeats 3]
 *
 * Two text lengths: short sentences (about 20 tokens) and retrieval chunks (about 100 tokens).
 * Each figure is the best of --repeats runs, with every run listed. Prints one JSON document.
 */
import { parseArgs } from "node:util";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { describeMachine } from "./measure.ts";
import { startRealModelStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    texts: { type: "string", default: "64" },
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
    repeats: { type: "string", default: "3" },
  },
});
const textCount = Number(values.texts);
const threads = Number(values.threads);
const repeats = Number(values.repeats);

const real = await startRealModelStack({ embedding: true, environment: { LLAMA_CPP_THREADS: String(threads) } });
const direct = await LlamaCppEngine.open({ modelPath: real.embeddingModelPath!, contextLength: 512, threads, embeddingContexts: 1 });

const words = "the harbour master counted boats that came in before a storm while bakers sold warm bread to fishermen on the old stone quay".split(" ");
/** `count` different texts of about `length` words. */
function textsOf(count: number, length: number): string[] {
  return Array.from({ length: count }, (_, index) => `Text ${index}: ${Array.from({ length }, (_, word) => words[(word * 7 + index) % words.length]).join(" ")}.`);
}
const Embeddings = "query($model: ID!, $texts: [String!]!) { embeddings(model: $model, texts: $texts) { dimensions embeddings { index vector } } }";
const throughStack = async (texts: string[]) => {
  const { embeddings } = await real.stack.request<{ embeddings: { embeddings: unknown[] } }>(Embeddings, { model: "minilm", texts });
  if (embeddings.embeddings.length !== texts.length) throw new Error("missing vectors");
};
const directly = async (texts: string[]) => {
  if ((await direct.embedBatch(texts)).length !== texts.length) throw new Error("missing vectors");
};

type Embed = (texts: string[]) => Promise<void>;
const modes: Record<string, (embed: Embed, texts: string[]) => Promise<void>> = {
  batched: (embed, texts) => embed(texts),
  oneByOne: async (embed, texts) => {
    for (const text of texts) await embed([text]);
  },
  onePerCallAllInFlight: async (embed, texts) => {
    await Promise.all(texts.map((text) => embed([text])));
  },
};
const round = (value: number) => Math.round(value * 10) / 10;

try {
  const results = [];
  for (const [lengthName, length] of [["short (~20 tokens)", 12], ["chunk (~100 tokens)", 90]] as const) {
    const texts = textsOf(textCount, length);
    const tokens = (await direct.countPromptTokens({ kind: "text", text: texts[0]! })).tokens;
    for (const embed of [directly, throughStack]) await embed(texts.slice(0, 4)); // warm-up
    const rates: Record<string, number[]> = {};
    // Paths and modes alternate within each repeat, so a drift of the machine falls on all alike.
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      for (const [path, embed] of [["direct", directly], ["stack", throughStack]] as const) {
        for (const [mode, run] of Object.entries(modes)) {
          const start = performance.now();
          await run(embed, texts);
          (rates[`${path} ${mode}`] ??= []).push(round(texts.length / ((performance.now() - start) / 1000)));
        }
      }
    }
    results.push({ texts: lengthName, tokensOfFirstText: tokens, embeddingsPerSecond: Object.fromEntries(Object.entries(rates).map(([name, list]) => [name, { best: Math.max(...list), runs: list }])) });
  }
  console.log(JSON.stringify({ benchmark: "real-embeddings", machine: await describeMachine(), model: "all-MiniLM-L6-v2 (f16 GGUF, converted by the project)", texts: textCount, threads, repeats, results }, null, 2));
} finally {
  await direct.close();
  await real.stop();
}

/**
 * How precise the semantic cache is with the real all-MiniLM-L6-v2 (converted to GGUF by the
 * project, run by llama.cpp): for each labelled item of test/fixtures/semantic-cache/paraphrases.json
 * the question is cached, then its paraphrase (should hit) and its near miss (must not: a hit would
 * serve a wrong answer) are looked up, as `cache: { minSimilarity }` would, with the conversation
 * text the service embeds (semanticText: `user: <question>`). Per threshold: precision (hits that
 * were paraphrases), recall (paraphrases that hit) and the wrong answers served.
 *
 *   node --import tsx bench/semantic-cache-precision.ts
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { cosineSimilarity, semanticText } from "../subgraphs/inference/cache/semantic-index.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { describeMachine } from "./measure.ts";

interface Item {
  question: string;
  paraphrase: string;
  nearMiss: string;
}

const { items } = JSON.parse(await readFile(join(projectRoot, "test/fixtures/semantic-cache/paraphrases.json"), "utf8")) as { items: Item[] };
const engine = await LlamaCppEngine.open({ modelPath: await realEmbeddingModelPath(await provisionRealModels()), gpu: "cpu", contextLength: 512, sequences: 1, threads: 1, embeddingContexts: 1 });
const embed = async (question: string) => {
  const [vector] = await engine.embedBatch([semanticText({ kind: "chat", messages: [{ role: "user", content: question }] })]);
  if (vector === undefined) throw new Error("no vector");
  return vector;
};
const pairs: { paraphrase: number; nearMiss: number; item: Item }[] = [];
await embed("warm up");
const embeddingStartedAt = performance.now();
for (const item of items) {
  const [question, paraphrase, nearMiss] = [await embed(item.question), await embed(item.paraphrase), await embed(item.nearMiss)];
  pairs.push({ item, paraphrase: cosineSimilarity(question, paraphrase), nearMiss: cosineSimilarity(question, nearMiss) });
}
const embeddingMillis = (performance.now() - embeddingStartedAt) / (pairs.length * 3);
await engine.close();
const thresholds = [0.8, 0.85, 0.9, 0.93, 0.95, 0.97];
const round = (value: number) => Math.round(value * 1000) / 1000;
const results = thresholds.map((threshold) => {
  const paraphraseHits = pairs.filter((pair) => pair.paraphrase >= threshold).length;
  const wrongHits = pairs.filter((pair) => pair.nearMiss >= threshold);
  const hits = paraphraseHits + wrongHits.length;
  return {
    threshold,
    precision: hits === 0 ? 1 : round(paraphraseHits / hits),
    recall: round(paraphraseHits / pairs.length),
    wrongAnswers: wrongHits.length,
    wrongExamples: wrongHits.slice(0, 3).map((pair) => `${pair.item.question} → ${pair.item.nearMiss} (${round(pair.nearMiss)})`),
  };
});
const sorted = (values: number[]) => [...values].sort((left, right) => left - right).map(round);
console.log(
  JSON.stringify(
    {
      machine: await describeMachine(),
      date: new Date().toISOString(),
      items: pairs.length,
      embeddingMillisPerLookup: round(embeddingMillis),
      paraphraseSimilarity: sorted(pairs.map((pair) => pair.paraphrase)),
      nearMissSimilarity: sorted(pairs.map((pair) => pair.nearMiss)),
      results,
    },
    null,
    2,
  ),
);

/**
 * Retrieval quality per search mode on the labelled set (test/fixtures/retrieval-quality/: 36
 * documents, 60 paraphrased questions) with the real all-MiniLM-L6-v2, through the production
 * retrieval service in this process: hit@1, MRR@10 and nDCG@10 for VECTOR, KEYWORD and HYBRID, on
 * all questions and on each half (`tune`, `holdout`). Then the choice of HYBRID's vector weight:
 * the VECTOR and KEYWORD candidate lists (20 each, as HYBRID fetches for topK 10) are fused by the
 * production fusion at every weight 0, 0.05, …, 1; the weights with the best hit@1 then MRR@10 on
 * the tuning half tie, and the middle of them is chosen. Its figures on the held-out half say whether
 * the choice generalises. Reciprocal rank fusion (k = 60, the previous fusion) is shown for reference.
 * Reranked variants: VECTOR and HYBRID with their best 10 or 20 hits reordered by the real
 * cross-encoder ms-marco-MiniLM-L-12-v2 (llama.cpp, this process), with seconds per question.
 *
 *   node --import tsx bench/retrieval-quality.ts
 *
 * Prints a Markdown table, then one JSON document (machine, date, figures).
 */
import { defaultVectorWeight, fuseByWeightedScores } from "../subgraphs/retrieval/score-fusion.ts";
import { provisionRealModels, provisionRealReranker, realRerankerModelPath } from "../test/harness/real-models.ts";
import { openQualityFixture } from "../test/real-models/retrieval-quality-fixture.ts";
import { qualityFigures, type QualityFigures } from "../test/real-models/retrieval-quality-metrics.ts";
import { labelledQueries, type LabelledQuery } from "../test/real-models/retrieval-quality-set.ts";
import { describeMachine } from "./measure.ts";

const modes = ["VECTOR", "KEYWORD", "HYBRID"] as const;
/** Each mode alone, then VECTOR and HYBRID with their best `candidates` reranked by the real cross-encoder. */
const variants: { name: string; mode: (typeof modes)[number]; rerankCandidates?: number }[] = [
  ...modes.map((mode) => ({ name: mode, mode })),
  { name: "VECTOR + rerank 10", mode: "VECTOR", rerankCandidates: 10 },
  { name: "HYBRID + rerank 10", mode: "HYBRID", rerankCandidates: 10 },
  { name: "HYBRID + rerank 20", mode: "HYBRID", rerankCandidates: 20 },
];
const fixture = await openQualityFixture(await provisionRealModels(), { rerankerModelPath: await realRerankerModelPath(await provisionRealReranker()) });
try {
  const rows: { mode: string; split: string; figures: QualityFigures; secondsPerQuery: number }[] = [];
  for (const variant of variants) {
    const results = [];
    const startedAt = performance.now();
    for (const query of labelledQueries) {
      const rerank = variant.rerankCandidates === undefined ? {} : { rerank: { model: "ms-marco-minilm-l12", candidates: variant.rerankCandidates } };
      results.push({ ...query, ranking: await fixture.ranking({ query: query.query, mode: variant.mode, topK: 10, ...rerank }) });
    }
    const secondsPerQuery = (performance.now() - startedAt) / 1_000 / labelledQueries.length;
    for (const split of ["all", "tune", "holdout"] as const) {
      rows.push({ mode: variant.name, split, figures: qualityFigures(results.filter((result) => split === "all" || result.split === split)), secondsPerQuery });
    }
  }
  const format = (value: number) => value.toFixed(3);
  console.log("| mode | questions | hit@1 | MRR@10 | nDCG@10 | s/query |\n|---|---|---|---|---|---|");
  for (const { mode, split, figures, secondsPerQuery } of rows) {
    console.log(`| ${mode} (${split}) | ${figures.queries} | ${format(figures.hitAt1)} (${Math.round(figures.hitAt1 * figures.queries)}) | ${format(figures.mrrAt10)} | ${format(figures.ndcgAt10)} | ${secondsPerQuery.toFixed(3)} |`);
  }

  // The weight grid, on candidate lists from the production VECTOR and KEYWORD modes.
  type Scored = { source: string; score: number };
  const candidates: (LabelledQuery & { vector: Scored[]; keyword: Scored[] })[] = [];
  for (const query of labelledQueries) {
    candidates.push({ ...query, vector: await fixture.ranking({ query: query.query, mode: "VECTOR", topK: 20 }, true), keyword: await fixture.ranking({ query: query.query, mode: "KEYWORD", topK: 20 }, true) });
  }
  const fuse = (vector: Scored[], keyword: Scored[], vectorWeight: number) =>
    fuseByWeightedScores([
      { items: vector, key: (hit) => hit.source, score: (hit) => hit.score, weight: vectorWeight },
      { items: keyword, key: (hit) => hit.source, score: (hit) => hit.score, weight: 1 - vectorWeight },
    ]).map((fused) => fused.item.source);
  const reciprocalRank = (vector: Scored[], keyword: Scored[]) => {
    const scores = new Map<string, number>();
    for (const list of [vector, keyword]) list.forEach((hit, index) => scores.set(hit.source, (scores.get(hit.source) ?? 0) + 1 / (60 + index + 1)));
    return [...scores].sort((left, right) => right[1] - left[1]).map(([source]) => source);
  };
  const figuresOf = (rank: (entry: (typeof candidates)[number]) => string[], split: "tune" | "holdout") =>
    qualityFigures(candidates.filter((entry) => entry.split === split).map((entry) => ({ relevant: entry.relevant, ranking: rank(entry).slice(0, 10) })));
  const grid = Array.from({ length: 21 }, (_, step) => Number((step * 0.05).toFixed(2))).map((vectorWeight) => ({
    vectorWeight,
    tune: figuresOf((entry) => fuse(entry.vector, entry.keyword, vectorWeight), "tune"),
    holdout: figuresOf((entry) => fuse(entry.vector, entry.keyword, vectorWeight), "holdout"),
  }));
  const best = (entry: (typeof grid)[number]) => [entry.tune.hitAt1, entry.tune.mrrAt10];
  const top = grid.reduce((winner, entry) => (best(entry)[0]! > best(winner)[0]! || (best(entry)[0] === best(winner)[0] && best(entry)[1]! > best(winner)[1]!) ? entry : winner));
  const tied = grid.filter((entry) => best(entry)[0] === best(top)[0] && best(entry)[1] === best(top)[1]);
  const chosen = tied[Math.floor((tied.length - 1) / 2)]!;
  console.log("\n| vector weight | tune hit@1 | tune MRR@10 | holdout hit@1 | holdout MRR@10 |\n|---|---|---|---|---|");
  for (const entry of grid) console.log(`| ${entry.vectorWeight.toFixed(2)} | ${format(entry.tune.hitAt1)} | ${format(entry.tune.mrrAt10)} | ${format(entry.holdout.hitAt1)} | ${format(entry.holdout.mrrAt10)} |`);
  const rrf = { tune: figuresOf((entry) => reciprocalRank(entry.vector, entry.keyword), "tune"), holdout: figuresOf((entry) => reciprocalRank(entry.vector, entry.keyword), "holdout") };
  console.log(`| RRF k=60 | ${format(rrf.tune.hitAt1)} | ${format(rrf.tune.mrrAt10)} | ${format(rrf.holdout.hitAt1)} | ${format(rrf.holdout.mrrAt10)} |`);
  console.log(`\nbest on the tuning half: vector weights ${tied.map((entry) => entry.vectorWeight.toFixed(2)).join(", ")}; chosen ${chosen.vectorWeight.toFixed(2)} (the service uses ${defaultVectorWeight})`);
  console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), rows, grid, reciprocalRankFusion: rrf, chosenVectorWeight: chosen.vectorWeight, serviceVectorWeight: defaultVectorWeight }, null, 2));
} finally {
  await fixture.close();
}

/**
 * Retrieval quality on the labelled set (36 documents, 60 paraphrased questions, 12 off-topic ones)
 * with the real all-MiniLM-L6-v2, through the production retrieval service: HYBRID never loses to
 * its parts, reranking its best 10 hits with the real cross-encoder (ms-marco-MiniLM-L-12-v2) does
 * at least as well again (measured: 60/60 against HYBRID's 59/60), and the best evidence's
 * similarity tells answerable questions from off-topic ones.
 * bench/retrieval-quality.ts prints the full table (docs/BENCHMARKS.md).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { provisionRealModelsOrSkip, provisionRealReranker, realRerankerModelPath } from "../harness/real-models.ts";
import { openQualityFixture, type QualityFixture } from "./retrieval-quality-fixture.ts";
import { qualityFigures, type QualityFigures } from "./retrieval-quality-metrics.ts";
import { labelledQueries, labelledSetMinSimilarity, offTopicQueries } from "./retrieval-quality-set.ts";

const provisioned = await provisionRealModelsOrSkip();

describe("retrieval quality on the labelled set with the real MiniLM", { skip: provisioned.skip }, () => {
  let fixture: QualityFixture;
  const figures = new Map<string, { all: QualityFigures; tune: QualityFigures; holdout: QualityFigures }>();

  before(async () => {
    const models = provisioned.models;
    if (models === undefined) throw new Error("real models were not provisioned");
    fixture = await openQualityFixture(models, { rerankerModelPath: await realRerankerModelPath(await provisionRealReranker()) });
    const variants = [
      { name: "VECTOR", mode: "VECTOR" },
      { name: "KEYWORD", mode: "KEYWORD" },
      { name: "HYBRID", mode: "HYBRID" },
      { name: "HYBRID+rerank", mode: "HYBRID", rerank: { model: "ms-marco-minilm-l12", candidates: 10 } },
    ] as const;
    for (const { name, mode, ...rerank } of variants) {
      const results = [];
      for (const query of labelledQueries) results.push({ ...query, ranking: await fixture.ranking({ query: query.query, mode, topK: 10, ...rerank }) });
      figures.set(name, {
        all: qualityFigures(results),
        tune: qualityFigures(results.filter((result) => result.split === "tune")),
        holdout: qualityFigures(results.filter((result) => result.split === "holdout")),
      });
    }
    for (const [mode, { all }] of figures) console.log(`${mode}: hit@1 ${all.hitAt1.toFixed(3)}, MRR@10 ${all.mrrAt10.toFixed(3)}, nDCG@10 ${all.ndcgAt10.toFixed(3)}`);
  });
  after(() => fixture?.close());

  for (const split of ["all", "tune", "holdout"] as const) {
    it(`HYBRID hit@1 is at least max(VECTOR, KEYWORD) on ${split === "all" ? "all 60 questions" : `the ${split} half`}`, () => {
      const of = (mode: string) => figures.get(mode)?.[split].hitAt1 ?? Number.NaN;
      assert.ok(of("HYBRID") >= Math.max(of("VECTOR"), of("KEYWORD")), `HYBRID ${of("HYBRID")}, VECTOR ${of("VECTOR")}, KEYWORD ${of("KEYWORD")}`);
    });
  }

  it("reranking HYBRID's best 10 hits with the cross-encoder keeps or raises hit@1, MRR@10 and nDCG@10", () => {
    const hybrid = figures.get("HYBRID")?.all;
    const reranked = figures.get("HYBRID+rerank")?.all;
    assert.ok(hybrid !== undefined && reranked !== undefined);
    assert.ok(reranked.hitAt1 >= hybrid.hitAt1 && reranked.mrrAt10 >= hybrid.mrrAt10 && reranked.ndcgAt10 >= hybrid.ndcgAt10, `reranked ${JSON.stringify(reranked)}, HYBRID ${JSON.stringify(hybrid)}`);
    assert.ok(reranked.hitAt1 >= 0.98, `reranked hit@1 ${reranked.hitAt1}`);
  });

  it("HYBRID's MRR@10 and nDCG@10 are within 0.02 of the better part's, and far above KEYWORD's", () => {
    const of = (mode: string) => figures.get(mode)?.all ?? { mrrAt10: Number.NaN, ndcgAt10: Number.NaN };
    assert.ok(of("HYBRID").mrrAt10 >= Math.max(of("VECTOR").mrrAt10, of("KEYWORD").mrrAt10) - 0.02);
    assert.ok(of("HYBRID").ndcgAt10 >= Math.max(of("VECTOR").ndcgAt10, of("KEYWORD").ndcgAt10) - 0.02);
    assert.ok(of("HYBRID").mrrAt10 > of("KEYWORD").mrrAt10 + 0.1);
  });

  it(`separates off-topic questions by the best evidence's similarity: at ${labelledSetMinSimilarity}, most off-topic ones abstain and almost no answerable one does`, async () => {
    const best = async (query: string) => (await fixture.search({ query, mode: "HYBRID", topK: 1 })).bestSimilarity ?? -1;
    const onTopic = await Promise.all(labelledQueries.map((query) => best(query.query)));
    const offTopic = await Promise.all(offTopicQueries.map(best));
    const abstainedOnTopic = onTopic.filter((similarity) => similarity < labelledSetMinSimilarity).length;
    const abstainedOffTopic = offTopic.filter((similarity) => similarity < labelledSetMinSimilarity).length;
    console.log(`abstained at ${labelledSetMinSimilarity}: off-topic ${abstainedOffTopic}/${offTopic.length}, answerable ${abstainedOnTopic}/${onTopic.length}`);
    assert.ok(abstainedOffTopic >= offTopic.length - 2, `off-topic abstained ${abstainedOffTopic}/${offTopic.length}: ${offTopic.map((value) => value.toFixed(2)).join(" ")}`);
    assert.ok(abstainedOnTopic <= 2, `answerable abstained ${abstainedOnTopic}/${onTopic.length}`);
  });

  it("pages through the ranking: pages of 3 concatenate to the whole, with a cursor bound to its search", async () => {
    const whole = await fixture.search({ query: "How do plants use sunlight?", mode: "HYBRID", topK: 10 });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await fixture.search({ query: "How do plants use sunlight?", mode: "HYBRID", topK: 10, first: 3, ...(after === null ? {} : { after }) });
      assert.equal(result.totalCount, whole.hits.length);
      seen.push(...result.hits.map((hit) => hit.chunk.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    assert.deepEqual(seen, whole.hits.map((hit) => hit.chunk.id));
  });
});

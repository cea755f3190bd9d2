/**
 * Ranking metrics for queries with one relevant document: hit@1, mean reciprocal rank (over the
 * first 10 documents) and nDCG@10 with binary relevance (which, with one relevant document, is
 * 1 / log2(rank + 1) for a rank within 10, else 0). Rankings are lists of document sources, best
 * first; a document's later chunks are counted at its first rank only.
 */
export interface QualityFigures {
  queries: number;
  /** Fraction of queries whose first document is the relevant one. */
  hitAt1: number;
  /** Mean of 1 / rank of the relevant document within the first 10 (0 beyond). */
  mrrAt10: number;
  /** Mean nDCG@10. */
  ndcgAt10: number;
}

const cutoff = 10;

/** Rank (from 1) of `relevant` among the distinct documents of `ranking`, or undefined. */
export function documentRank(ranking: readonly string[], relevant: string): number | undefined {
  const distinct = [...new Set(ranking)];
  const index = distinct.indexOf(relevant);
  return index === -1 ? undefined : index + 1;
}

export function qualityFigures(results: readonly { ranking: readonly string[]; relevant: string }[]): QualityFigures {
  let hits = 0;
  let reciprocal = 0;
  let gain = 0;
  for (const { ranking, relevant } of results) {
    const rank = documentRank(ranking, relevant);
    if (rank === 1) hits += 1;
    if (rank !== undefined && rank <= cutoff) {
      reciprocal += 1 / rank;
      gain += 1 / Math.log2(rank + 1);
    }
  }
  const count = Math.max(results.length, 1);
  return { queries: results.length, hitAt1: hits / count, mrrAt10: reciprocal / count, ndcgAt10: gain / count };
}

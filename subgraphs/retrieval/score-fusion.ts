/**
 * Hybrid search's fusion: a convex combination of the vector and keyword scores, each normalised
 * to [0, 1] within its candidate list, so that neither scale (cosine similarity, unbounded BM25)
 * dominates and a strong match in one list is not drowned by a weak match in the other, as it is
 * when only ranks count (reciprocal rank fusion gives the 20th keyword hit for a common word
 * nearly as much as the first). The weights were chosen on a labelled set (docs/BENCHMARKS.md,
 * "Retrieval quality"; bench/retrieval-quality.ts reproduces the choice).
 */

export interface ScoredList<Item> {
  /** Best first. */
  items: readonly Item[];
  key: (item: Item) => string;
  score: (item: Item) => number;
  /** Weight of this list in the combination, ≥ 0. The weights of all lists should sum to 1. */
  weight: number;
}

export interface FusedItem<Item> {
  item: Item;
  /** Σ weight × normalised score over the lists holding the item (0 for a list without it), in [0, 1]. */
  score: number;
  /** Rank (from 1) in each input list, or null where the item is absent. */
  ranks: (number | null)[];
  /** The score in each input list as the list gave it (not normalised), or null where absent. */
  scores: (number | null)[];
}

/**
 * Weight of the vector list in HYBRID search (the keyword list has the rest), chosen on the tuning
 * half of the labelled set among 0, 0.05, …, 1: the weights with the best hit@1, then MRR@10, there
 * were 0.75 to 1 (all tied), and the middle of that run is kept, away from its edges. On the held-out
 * half it scores as VECTOR does (hit@1 30/30); reciprocal rank fusion scored 24/30.
 */
export const defaultVectorWeight = 0.85;

/**
 * Min-max normalisation within the list: the best item scores 1, the worst 0; a list whose items all
 * score alike gives each 1 (they are equally good matches, and they did match).
 */
function normalised(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  const highest = Math.max(...scores);
  const lowest = Math.min(...scores);
  const range = highest - lowest;
  return scores.map((score) => (range > 0 ? (score - lowest) / range : 1));
}

/** The lists' items, best first by weighted normalised score; ties keep first-seen order. */
export function fuseByWeightedScores<Item>(lists: readonly ScoredList<Item>[]): FusedItem<Item>[] {
  const fused = new Map<string, FusedItem<Item>>();
  lists.forEach((list, listIndex) => {
    const raw = list.items.map((item) => list.score(item));
    const scaled = normalised(raw);
    list.items.forEach((item, position) => {
      const key = list.key(item);
      let entry = fused.get(key);
      if (entry === undefined) {
        entry = { item, score: 0, ranks: lists.map(() => null), scores: lists.map(() => null) };
        fused.set(key, entry);
      }
      if (entry.ranks[listIndex] !== null) return;
      entry.score += list.weight * (scaled[position] ?? 0);
      entry.ranks[listIndex] = position + 1;
      entry.scores[listIndex] = raw[position] ?? null;
    });
  });
  return [...fused.values()].sort((left, right) => right.score - left.score);
}

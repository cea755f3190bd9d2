/** The constant of reciprocal rank fusion (Cormack et al., 2009): damps the weight of the very first ranks. */
export const rankFusionConstant = 60;

export interface RankedList<Item> {
  /** Best first. */
  items: readonly Item[];
  key: (item: Item) => string;
}

export interface FusedItem<Item> {
  item: Item;
  /** Sum over the lists of 1 / (k + rank). */
  score: number;
  /** Rank (from 1) in each input list, or null where the item is absent. */
  ranks: (number | null)[];
}

/**
 * Fuses ranked lists whose scores are not comparable (cosine similarity, BM25) by rank alone:
 * an item scores Σ 1 / (k + rank) over the lists that hold it. Best first; ties keep first-seen order.
 */
export function fuseByReciprocalRank<Item>(lists: readonly RankedList<Item>[], k = rankFusionConstant): FusedItem<Item>[] {
  const fused = new Map<string, FusedItem<Item>>();
  lists.forEach((list, listIndex) => {
    list.items.forEach((item, position) => {
      const key = list.key(item);
      let entry = fused.get(key);
      if (entry === undefined) {
        entry = { item, score: 0, ranks: lists.map(() => null) };
        fused.set(key, entry);
      }
      entry.score += 1 / (k + position + 1);
      entry.ranks[listIndex] = position + 1;
    });
  });
  return [...fused.values()].sort((left, right) => right.score - left.score);
}

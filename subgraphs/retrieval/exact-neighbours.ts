import { cosineSimilarity } from "../../platform/vectors/cosine-similarity.ts";

/**
 * Exact top-k neighbours of a few query vectors over a stream of vectors, by cosine similarity:
 * the reference a new index's answers are checked against (recall@k). Memory is the queries and
 * k ids per query, whatever the stream's length; each vector offered costs one cosine similarity per query.
 */
export class ExactNeighbours {
  readonly #queries: readonly Float32Array[];
  readonly #k: number;
  /** Per query, the best `k` so far, best first. */
  readonly #best: { id: string; similarity: number }[][];

  constructor(queries: readonly Float32Array[], k: number) {
    this.#queries = queries;
    this.#k = k;
    this.#best = queries.map(() => []);
  }

  /** Considers one more vector. */
  offer(id: string, vector: Float32Array): void {
    this.#queries.forEach((query, index) => {
      const similarity = cosineSimilarity(query, vector);
      const best = this.#best[index] as { id: string; similarity: number }[];
      if (best.length === this.#k && similarity <= (best[best.length - 1]?.similarity ?? -Infinity)) return;
      let position = best.length;
      while (position > 0 && (best[position - 1]?.similarity ?? Infinity) < similarity) position -= 1;
      best.splice(position, 0, { id, similarity });
      if (best.length > this.#k) best.pop();
    });
  }

  /** The exact top-k ids of query `index`, best first. */
  neighbours(index: number): string[] {
    return (this.#best[index] ?? []).map((entry) => entry.id);
  }

  /**
   * Mean over the queries of the share of the exact top-k that `found(index)` returned; 1 when
   * there are no queries (nothing to miss).
   */
  recall(found: readonly (readonly string[])[]): number {
    if (this.#queries.length === 0) return 1;
    let total = 0;
    this.#queries.forEach((_query, index) => {
      const exact = this.neighbours(index);
      if (exact.length === 0) {
        total += 1;
        return;
      }
      const returned = new Set((found[index] ?? []).slice(0, this.#k));
      total += exact.filter((id) => returned.has(id)).length / exact.length;
    });
    return total / this.#queries.length;
  }
}

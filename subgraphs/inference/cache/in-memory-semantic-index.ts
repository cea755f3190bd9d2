import { cosineSimilarity, type SemanticIndex, type SemanticMatch } from "./semantic-index.ts";

interface Entry {
  vector: Float32Array;
  expiresAtMillis: number;
}

export interface InMemorySemanticIndexOptions {
  /** Most entries kept per scope; the oldest go first. Default 1,000. */
  maximumEntriesPerScope?: number;
  /** Most scopes kept; the least recently used go first. Default 10,000. */
  maximumScopes?: number;
  now?: () => number;
}

/** The semantic index in this process (embedded defaults): a brute-force cosine scan of one scope's entries. */
export class InMemorySemanticIndex implements SemanticIndex {
  readonly #scopes = new Map<string, Map<string, Entry>>();
  readonly #maximumEntriesPerScope: number;
  readonly #maximumScopes: number;
  readonly #now: () => number;

  constructor(options: InMemorySemanticIndexOptions = {}) {
    this.#maximumEntriesPerScope = options.maximumEntriesPerScope ?? 1_000;
    this.#maximumScopes = options.maximumScopes ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async nearest(scope: string, vector: Float32Array, minSimilarity: number): Promise<SemanticMatch | undefined> {
    const entries = this.#scopes.get(scope);
    if (entries === undefined) return undefined;
    // Most recently used last, for the scope bound.
    this.#scopes.delete(scope);
    this.#scopes.set(scope, entries);
    const now = this.#now();
    let best: SemanticMatch | undefined;
    for (const [key, entry] of entries) {
      if (entry.expiresAtMillis <= now) {
        entries.delete(key);
        continue;
      }
      const similarity = cosineSimilarity(vector, entry.vector);
      if (similarity >= minSimilarity && (best === undefined || similarity > best.similarity)) best = { key, similarity };
    }
    return best;
  }

  async add(scope: string, key: string, vector: Float32Array, ttlSeconds: number): Promise<void> {
    let entries = this.#scopes.get(scope);
    if (entries === undefined) {
      entries = new Map();
      if (this.#scopes.size >= this.#maximumScopes) {
        const [oldest] = this.#scopes.keys();
        if (oldest !== undefined) this.#scopes.delete(oldest);
      }
    } else this.#scopes.delete(scope);
    this.#scopes.set(scope, entries);
    entries.delete(key);
    entries.set(key, { vector: Float32Array.from(vector), expiresAtMillis: this.#now() + ttlSeconds * 1_000 });
    while (entries.size > this.#maximumEntriesPerScope) {
      const [oldest] = entries.keys();
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }
}

/**
 * Where a collection's chunks and their vectors live. Two implementations share this contract
 * (and one contract test suite): LanceDB under the data directory (the default) and Milvus.
 *
 * The store knows nothing of document versions beyond the `generation` column: the retrieval
 * service writes a new generation, flips the document's active generation in the catalogue, then
 * deletes the old one, and drops hits whose generation is not active. So a re-ingest is never
 * half-visible even though neither store has multi-row transactions.
 */

/** Which tenant's collection an operation is about. Every operation is scoped: no call reads across tenants. */
export interface CollectionScope {
  tenantId: string;
  collectionId: string;
}

export interface ChunkInput {
  /** Unique across the whole store: `<documentId>:<generation>:<index>`. */
  id: string;
  documentId: string;
  /** Ingestion run that wrote the chunk. */
  generation: string;
  /** Position of the chunk in its document, from 0. */
  index: number;
  text: string;
  /** Markdown headings above the chunk, outermost first, joined with " > " ("" when none). */
  headingPath: string;
  /** Tokens of `text` in the collection's embedding model. */
  tokenCount: number;
  /** Embedding of `text`; its length equals the collection's dimensions. */
  vector: Float32Array;
}

/** A stored chunk as searches and lookups return it (without its vector). */
export type StoredChunk = Omit<ChunkInput, "vector">;

export interface ChunkHit {
  chunk: StoredChunk;
  /**
   * Higher is better. Vector search: cosine similarity in [-1, 1]. Keyword search: the store's
   * BM25 score (unbounded, comparable only within one query).
   */
  score: number;
}

export interface ChunkSearchOptions {
  /** Most hits to return, 1 to 1,000. */
  limit: number;
  /** Only chunks of these documents (already resolved from metadata filters); all when unset. */
  documentIds?: readonly string[];
}

export interface ChunkStore {
  /**
   * Readies storage for a collection of `dimensions`-long vectors. Idempotent; rejects when the
   * collection already exists with other dimensions.
   */
  createCollection(scope: CollectionScope, dimensions: number): Promise<void>;
  /** Removes every chunk of the collection, and the collection. Idempotent. */
  dropCollection(scope: CollectionScope): Promise<void>;
  /**
   * Adds chunks; visible to searches when the call resolves. Rejects before writing anything when
   * a vector's length is not the collection's or the collection was not created. A failure part
   * way through a large insert may leave some chunks written (harmless: see `generation`).
   */
  insertChunks(scope: CollectionScope, chunks: readonly ChunkInput[]): Promise<void>;
  /**
   * Deletes a document's chunks: those of `generation` only when given, otherwise every
   * generation except `keepGeneration` (all when that is unset too).
   */
  deleteDocumentChunks(
    scope: CollectionScope,
    documentId: string,
    selection?: { generation?: string; keepGeneration?: string },
  ): Promise<void>;
  /**
   * Nearest chunks to `vector` by cosine similarity, best first. Rejects a vector whose length is
   * not the collection's. Like every read, answers a collection that does not exist as empty.
   */
  vectorSearch(scope: CollectionScope, vector: Float32Array, options: ChunkSearchOptions): Promise<ChunkHit[]>;
  /**
   * Best chunks for `query` by BM25 (the store's full-text search), best first. The query is plain
   * words: quotes, operators and punctuation are not syntax. None when it has no words.
   */
  keywordSearch(scope: CollectionScope, query: string, options: ChunkSearchOptions): Promise<ChunkHit[]>;
  /** The chunks with these ids that exist in the collection, in the order of `ids`. */
  getChunks(scope: CollectionScope, ids: readonly string[]): Promise<StoredChunk[]>;
  /** Chunks stored for the collection, all generations. */
  countChunks(scope: CollectionScope): Promise<number>;
  /** Resolves when the store can serve requests. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

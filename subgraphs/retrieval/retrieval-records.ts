import type { StoredChunk } from "./chunk-store/chunk-store.ts";

/** A chunk with the scope it was read from, as resolvers return it. */
export interface ChunkRecord extends StoredChunk {
  tenantId: string;
  collectionId: string;
}

export type SearchModeName = "VECTOR" | "KEYWORD" | "HYBRID";

export interface SearchHitRecord {
  chunk: ChunkRecord;
  /** The chunk's text cut to the search's byte limit. */
  text: string;
  textTruncated: boolean;
  /** What the hits are ordered by: the reranker's score when reranked, else the mode's. */
  score: number;
  /** The reranker's score, 0 to 1; null when the search did not rerank. */
  rerankScore: number | null;
  /** Cosine similarity to the query; null where no vector search scored the chunk. */
  similarity: number | null;
  vectorRank: number | null;
  keywordRank: number | null;
}

export interface SearchResultRecord {
  mode: SearchModeName;
  /** The page's hits. */
  hits: SearchHitRecord[];
  /** Hits of all pages. */
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Highest cosine similarity of any chunk to the query; null in KEYWORD mode or when nothing was found. */
  bestSimilarity: number | null;
}

/** A reference to a registry model; the model-registry subgraph resolves its fields. */
export interface ModelReference {
  id: string;
}

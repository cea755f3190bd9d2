import type { StoredChunk } from "./chunk-store/chunk-store.ts";

/** A chunk with the scope it was read from, as resolvers return it. */
export interface ChunkRecord extends StoredChunk {
  tenantId: string;
  collectionId: string;
}

export type SearchModeName = "VECTOR" | "KEYWORD" | "HYBRID";

export interface SearchHitRecord {
  chunk: ChunkRecord;
  score: number;
  vectorRank: number | null;
  keywordRank: number | null;
}

export interface SearchResultRecord {
  mode: SearchModeName;
  hits: SearchHitRecord[];
}

/** A reference to a registry model; the model-registry subgraph resolves its fields. */
export interface ModelReference {
  id: string;
}

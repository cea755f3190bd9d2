import type DataLoader from "dataloader";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { CollectionRecord, DocumentRecord } from "./catalog/retrieval-catalog.ts";
import type { RetrievalService } from "./retrieval-service.ts";
import type { ChunkRecord } from "./retrieval-records.ts";

/** Per-operation loaders: a page of hits resolves its documents and collections in one store read each. */
export interface RetrievalLoaders {
  documents: DataLoader<string, DocumentRecord | undefined>;
  collections: DataLoader<string, CollectionRecord | undefined>;
  chunks: DataLoader<string, ChunkRecord | null>;
}

/** What every retrieval resolver receives. Built once per GraphQL operation. */
export interface RetrievalContext {
  request: RequestContext;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  retrieval: RetrievalService;
  loaders: RetrievalLoaders;
}

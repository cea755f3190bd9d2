import type { BeginIngestion, CompleteIngestion, DocumentRecord, IngestionState } from "./retrieval-catalog.ts";

/**
 * The document state changes of an ingestion, as pure functions. The embedded catalogue applies
 * them directly; the Redis scripts apply the same changes in Lua (see redis-catalog-scripts.ts),
 * and the contract suite holds the two to the same behaviour.
 */

/** The ingestion a `beginIngestion` starts: running, nothing embedded, total not yet known. */
export function startedIngestion(request: BeginIngestion): IngestionState {
  return { generation: request.generation, status: "INGESTING", chunksEmbedded: 0, chunksTotal: null, startedAt: request.now, error: null };
}

/** A document for a source new to its collection: nothing searchable until the ingestion completes. */
export function newDocument(request: BeginIngestion): DocumentRecord {
  return {
    id: request.newDocumentId,
    tenantId: request.tenantId,
    collectionId: request.collectionId,
    source: request.source,
    title: request.title,
    mediaType: request.mediaType,
    metadata: { ...request.metadata },
    activeGeneration: null,
    chunkCount: 0,
    tokenCount: 0,
    characterCount: 0,
    contentHash: null,
    ingestion: startedIngestion(request),
    createdAt: request.now,
    updatedAt: request.now,
  };
}

/**
 * The fields a `beginIngestion` of an existing source overwrites. Title, media type and metadata
 * take the new values at once; the active generation and its counts keep serving until completion.
 */
export function restartFields(request: BeginIngestion): Pick<DocumentRecord, "title" | "mediaType" | "metadata" | "ingestion" | "updatedAt"> {
  return { title: request.title, mediaType: request.mediaType, metadata: { ...request.metadata }, ingestion: startedIngestion(request), updatedAt: request.now };
}

/** True while `generation` is the document's running ingestion (not completed, failed or superseded). */
export function isRunning(document: DocumentRecord, generation: string): boolean {
  return document.ingestion !== null && document.ingestion.generation === generation && document.ingestion.status === "INGESTING";
}

/** The fields a completion of `generation` (the running ingestion) sets: it becomes the active one. */
export function completionFields(
  generation: string,
  result: CompleteIngestion,
): Pick<DocumentRecord, "activeGeneration" | "chunkCount" | "tokenCount" | "characterCount" | "contentHash" | "ingestion" | "updatedAt"> {
  return {
    activeGeneration: generation,
    chunkCount: result.chunkCount,
    tokenCount: result.tokenCount,
    characterCount: result.characterCount,
    contentHash: result.contentHash,
    ingestion: null,
    updatedAt: result.now,
  };
}

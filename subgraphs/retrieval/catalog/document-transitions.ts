import type { BeginIngestion, CompleteIngestion, DocumentRecord, IngestionState, PendingDocumentFields } from "./retrieval-catalog.ts";

/**
 * The document state changes of an ingestion, as pure functions. The embedded catalogue applies
 * them directly; the Redis scripts apply the same changes in Lua (see redis-catalog-scripts.ts),
 * and the contract suite holds the two to the same behaviour.
 */

/** The title, media type and metadata a `beginIngestion` brings, applied when it completes. */
export function pendingFields(request: BeginIngestion): PendingDocumentFields {
  return { title: request.title, mediaType: request.mediaType, metadata: { ...request.metadata } };
}

/** The ingestion a `beginIngestion` starts: running, nothing embedded, total not yet known. */
export function startedIngestion(request: BeginIngestion): IngestionState {
  return {
    generation: request.generation,
    status: "INGESTING",
    chunksEmbedded: 0,
    chunksTotal: null,
    startedAt: request.now,
    error: null,
    pending: pendingFields(request),
  };
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
 * The fields a `beginIngestion` of an existing source overwrites on a document whose active
 * generation serves: only the ingestion. Title, media type and metadata wait in `ingestion.pending`
 * (so metadata filters keep matching the text searches see) until completion applies them.
 */
export function restartFields(request: BeginIngestion): Pick<DocumentRecord, "ingestion" | "updatedAt"> {
  return { ingestion: startedIngestion(request), updatedAt: request.now };
}

/**
 * The fields a `beginIngestion` of an existing source overwrites on a document with no active
 * generation yet (its first ingestion still running): nothing is searchable, so title, media type
 * and metadata take the new values at once as well as being pending.
 */
export function restartUnservedFields(request: BeginIngestion): Pick<DocumentRecord, "title" | "mediaType" | "metadata" | "ingestion" | "updatedAt"> {
  return { ...pendingFields(request), ...restartFields(request) };
}

/** The document a `beginIngestion` of its source makes of `document`. */
export function restartedDocument(document: DocumentRecord, request: BeginIngestion): DocumentRecord {
  return { ...document, ...(document.activeGeneration === null ? restartUnservedFields(request) : restartFields(request)) };
}

/** True while `generation` is the document's running ingestion (not completed, failed or superseded). */
export function isRunning(document: DocumentRecord, generation: string): boolean {
  return document.ingestion !== null && document.ingestion.generation === generation && document.ingestion.status === "INGESTING";
}

/**
 * The fields a completion of `generation` (the running ingestion) sets: it becomes the active one.
 * The ingestion's pending title, media type and metadata are applied too (see `completedDocument`).
 */
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

/**
 * The document once `generation` (its running ingestion) completed: the generation flip and the
 * ingestion's pending title, media type and metadata, together. A record stored before pending
 * values existed has none to apply (it applied them at begin).
 */
export function completedDocument(document: DocumentRecord, generation: string, result: CompleteIngestion): DocumentRecord {
  const pending = document.ingestion?.pending ?? null;
  const applied = pending === null ? {} : { title: pending.title, mediaType: pending.mediaType, metadata: { ...pending.metadata } };
  return { ...document, ...applied, ...completionFields(generation, result) };
}

/** A running ingestion once it failed: the error recorded, its pending values dropped (the current ones stay). */
export function failedIngestion(ingestion: IngestionState, error: { code: string; message: string }): IngestionState {
  return { ...ingestion, status: "FAILED", error: { ...error }, pending: null };
}

/**
 * Collections and documents: who owns them, which embedding model a collection is bound to, and
 * which generation of each document's chunks is the live one. Chunks themselves live in a
 * `ChunkStore`. Two implementations share this contract (and one contract test suite): a JSON file
 * under the data directory (the default) and Redis.
 *
 * Every method is scoped by tenant: a record of another tenant is reported as absent, never leaked.
 */

export interface CollectionRecord {
  id: string;
  tenantId: string;
  /** Unique per tenant. */
  name: string;
  description: string | null;
  /** Registry id of the embedding model (resolved from an alias at creation). */
  embeddingModelId: string;
  /** Length of the model's vectors, fixed at creation. */
  dimensions: number;
  /** Largest chunk, in the embedding model's tokens. */
  chunkMaxTokens: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  chunkOverlapTokens: number;
  /**
   * Default grounding threshold (cosine similarity, -1 to 1) of completions grounded in the
   * collection; null or absent (records kept before it existed): none.
   */
  groundingMinSimilarity?: number | null;
  /**
   * Key of the collection's chunks in the chunk store (`CollectionScope.collectionId`): the
   * collection id until a migration moves the chunks to new storage. Absent on records kept
   * before migrations existed: the collection id.
   */
  storageId?: string;
  /** The newest embedding-model migration, running or finished; absent or null when none ever ran. */
  migration?: CollectionMigration | null;
  /** ISO 8601. */
  createdAt: string;
}

export type CollectionMigrationStatus = "RUNNING" | "COMPLETED" | "FAILED";

/**
 * A change of a collection's embedding model: every chunk of the active generations is embedded
 * again with the target model into new storage (`targetStorageId`) while searches keep using the
 * current model and storage; `completeMigration` then switches both in one atomic step.
 */
export interface CollectionMigration {
  id: string;
  status: CollectionMigrationStatus;
  /** Registry id of the model the collection had when the migration began. */
  sourceEmbeddingModelId: string;
  /** Registry id of the model the collection moves to. */
  targetEmbeddingModelId: string;
  /** Length of the target model's vectors. */
  targetDimensions: number;
  /** Chunk-store key the re-embedded chunks go to; the collection's `storageId` once completed. */
  targetStorageId: string;
  /** Chunks of the active generations when the migration began. */
  chunksTotal: number;
  chunksEmbedded: number;
  /** Recall@10 of the new storage's index against exact search on a sample of chunks; null until checked. */
  recallAtTen: number | null;
  /** The least recall@10 the migration accepts before switching. */
  minimumRecall: number;
  /** Set when `status` is FAILED: the `extensions.code` and message of the error that ended it. */
  error: IngestionFailure | null;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; null while running. */
  finishedAt: string | null;
  /**
   * ISO 8601. While RUNNING, the migration holds the collection (ingestions and another migration
   * are refused) until then; its service extends it with each progress report. Past it, the
   * migration is abandoned (its service stopped): it holds nothing, and a new one may begin.
   */
  leaseExpiresAt: string;
}

export type DocumentStatus = "INGESTING" | "READY" | "FAILED";

/** The descriptive fields an ingestion brings, applied to the document when it completes. */
export interface PendingDocumentFields {
  title: string | null;
  mediaType: string;
  metadata: Record<string, string>;
}

/** Why an ingestion failed: the `extensions.code` and message of its error. */
export interface IngestionFailure {
  code: string;
  message: string;
}

export interface IngestionState {
  /** Generation the running (or failed) ingestion writes. */
  generation: string;
  status: "INGESTING" | "FAILED";
  chunksEmbedded: number;
  /** Known once the whole text is split; null before. */
  chunksTotal: number | null;
  startedAt: string;
  /** Set when `status` is FAILED. */
  error: IngestionFailure | null;
  /**
   * The title, media type and metadata this ingestion brings. While it runs the document keeps
   * its current ones (searches and metadata filters see only those, consistent with the text that
   * still serves); `completeIngestion` applies these in the same atomic step that flips the active
   * generation. Null once the ingestion failed (the values are dropped, the old ones stay), and on
   * records stored before pending values existed (those applied theirs at `beginIngestion`).
   */
  pending: PendingDocumentFields | null;
}

export interface DocumentRecord {
  id: string;
  tenantId: string;
  collectionId: string;
  /** Unique per collection: ingesting the same source again replaces the document. */
  source: string;
  /** Title, media type and metadata as applied: those of the active text (see `IngestionState.pending`). */
  title: string | null;
  /** `text/plain` or `text/markdown`. */
  mediaType: string;
  metadata: Record<string, string>;
  /** Generation whose chunks searches see; null until the first ingestion completes. */
  activeGeneration: string | null;
  /** Of the active generation. */
  chunkCount: number;
  tokenCount: number;
  characterCount: number;
  /** SHA-256 of the active text, hex. */
  contentHash: string | null;
  /** The newest ingestion while it runs or after it failed; null once it completed. */
  ingestion: IngestionState | null;
  createdAt: string;
  updatedAt: string;
}

export interface BeginIngestion {
  tenantId: string;
  collectionId: string;
  /** Id for the document when `source` is new in the collection. */
  newDocumentId: string;
  source: string;
  title: string | null;
  mediaType: string;
  metadata: Record<string, string>;
  generation: string;
  now: string;
}

export interface CompleteIngestion {
  chunkCount: number;
  tokenCount: number;
  characterCount: number;
  contentHash: string;
  now: string;
}

export interface MetadataFilter {
  key: string;
  /** The document matches when its value for `key` is one of these. */
  values: readonly string[];
}

export class CatalogConflictError extends Error {
  readonly reason:
    | "collection-name-taken"
    | "collection-not-found"
    | "document-not-found"
    | "ingestion-superseded"
    /** A migration holds the collection: no ingestion or other migration may begin. */
    | "migration-running"
    /** A document of the collection is being ingested: no migration may begin. */
    | "ingestion-running"
    /** The migration is no longer the collection's running one. */
    | "migration-superseded";

  constructor(reason: CatalogConflictError["reason"]) {
    super(`retrieval catalog conflict: ${reason}`);
    this.name = "CatalogConflictError";
    this.reason = reason;
  }
}

export interface RetrievalCatalog {
  /**
   * Adds a collection; `collection-name-taken` when the tenant already has one by that name (other
   * tenants' names do not matter). Ids are generated by the caller: a repeated id is a bug and
   * fails with a plain Error.
   */
  createCollection(record: CollectionRecord): Promise<void>;
  getCollection(tenantId: string, collectionId: string): Promise<CollectionRecord | undefined>;
  /** The tenant's collections, ordered by name (byte order of the UTF-8 names, independent of locale). */
  listCollections(tenantId: string): Promise<CollectionRecord[]>;
  /**
   * Removes the collection and its document records in one atomic step and returns them, documents
   * ordered by source (undefined when absent). An ingestion racing with it either lands first (its
   * document is returned) or fails with `collection-not-found`. The caller drops the chunks.
   */
  deleteCollection(tenantId: string, collectionId: string): Promise<{ collection: CollectionRecord; documents: DocumentRecord[] } | undefined>;

  /**
   * Starts an ingestion of `source` in one atomic step: creates the document (status INGESTING,
   * no active generation) when the source is new, otherwise records the new pending generation on
   * the existing document (whose active generation keeps serving). A newer `beginIngestion` of the
   * same source supersedes an older one still running. `collection-not-found` when absent.
   *
   * `title`, `mediaType` and `metadata` are recorded as the ingestion's `pending` values. On a
   * document with an active generation the current ones stay until `completeIngestion` applies the
   * pending ones (searches never filter on new metadata while the old text serves); on a document
   * with none yet (new, nothing searchable) they are also set at once, so `getDocument` shows them.
   * On an existing source `newDocumentId` is unused. Concurrent calls for the same new source make
   * one document. Returns the document as stored. `migration-running` when a migration holds the
   * collection at `now` (see `CollectionMigration.leaseExpiresAt`).
   */
  beginIngestion(request: BeginIngestion): Promise<DocumentRecord>;
  /**
   * Records progress of the running ingestion; ignored when `generation` is no longer the pending
   * one (superseded, completed, failed) or the document is gone. Leaves `updatedAt` alone.
   */
  recordIngestionProgress(tenantId: string, documentId: string, generation: string, progress: { chunksEmbedded: number; chunksTotal: number | null }): Promise<void>;
  /**
   * Makes `generation` the active one and applies its pending title, media type and metadata, in
   * one atomic step, and returns the generation it replaced (null when none). `ingestion-superseded` when a newer ingestion began meanwhile (its chunks must then be
   * deleted by the caller); `document-not-found` when the document was deleted meanwhile.
   */
  completeIngestion(tenantId: string, documentId: string, generation: string, result: CompleteIngestion): Promise<{ replacedGeneration: string | null; document: DocumentRecord }>;
  /**
   * Records that the ingestion of `generation` failed. A document that never completed an ingestion
   * is removed (no partial document stays behind) and `removed` is true; otherwise it keeps serving
   * its active generation, title, media type and metadata with `ingestion.status` FAILED and the
   * pending values dropped (`ingestion.pending` null). No-op (`removed` false) when superseded,
   * already completed or failed, or when the document is gone.
   */
  failIngestion(tenantId: string, documentId: string, generation: string, error: { code: string; message: string }, now: string): Promise<{ removed: boolean }>;

  getDocument(tenantId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** One result per id, in order (DataLoader batch function); undefined for missing ids and other tenants' documents. */
  getDocuments(tenantId: string, documentIds: readonly string[]): Promise<(DocumentRecord | undefined)[]>;
  /**
   * Documents of the collection, ordered by source (byte order), optionally only those matching
   * every filter (on applied metadata, never pending); empty when the collection is absent. A
   * document lacking a filter's key does not match it. Reads every record of the collection: collections hold thousands of documents, not millions.
   */
  listDocuments(tenantId: string, collectionId: string, filters?: readonly MetadataFilter[]): Promise<DocumentRecord[]>;
  /** Metadata keys used (applied, not pending) by any document of the collection, sorted (byte order); empty when the collection is absent. */
  metadataKeys(tenantId: string, collectionId: string): Promise<string[]>;
  /** Removes the document record and returns it (undefined when absent). */
  deleteDocument(tenantId: string, documentId: string): Promise<DocumentRecord | undefined>;

  /**
   * Records `migration` (status RUNNING) on the collection in one atomic step and returns the
   * collection as stored, with the migration it replaced (an abandoned or finished one; null when
   * none), whose target storage the caller drops when that one never completed.
   * `collection-not-found`; `migration-running` when another migration holds the collection at
   * `now`; `ingestion-running` when a document of the collection has an ingestion INGESTING
   * (settle abandoned ones first).
   */
  beginMigration(
    tenantId: string,
    collectionId: string,
    migration: CollectionMigration,
    now: string,
  ): Promise<{ collection: CollectionRecord; replaced: CollectionMigration | null }>;
  /** Records progress of the running migration and extends its lease; ignored when `migrationId` is no longer the running one. */
  recordMigrationProgress(tenantId: string, collectionId: string, migrationId: string, progress: { chunksEmbedded: number; chunksTotal: number; leaseExpiresAt: string }): Promise<void>;
  /**
   * Switches the collection to the migration's model, dimensions and storage, and marks the
   * migration COMPLETED with its recall, in one atomic step; returns the collection as it was
   * before (whose storage the caller drops) and as it is now. `collection-not-found`;
   * `migration-superseded` when `migrationId` is not the collection's running migration.
   */
  completeMigration(
    tenantId: string,
    collectionId: string,
    migrationId: string,
    result: { recallAtTen: number; now: string },
  ): Promise<{ previous: CollectionRecord; collection: CollectionRecord }>;
  /**
   * Marks the running migration FAILED with `error` (and the recall measured, when it was); the
   * collection keeps its model and storage. No-op when it is no longer the running one.
   */
  failMigration(tenantId: string, collectionId: string, migrationId: string, outcome: { error: IngestionFailure; recallAtTen: number | null; now: string }): Promise<void>;

  /** Resolves when the store can serve requests. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

import { randomInt } from "node:crypto";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ChunkStore, CollectionScope, StoredChunk } from "./chunk-store/chunk-store.ts";
import { chunkIdOf } from "./chunk-id.ts";
import { CatalogConflictError, type CollectionMigration, type CollectionRecord, type DocumentRecord, type RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import { migrationInProgress } from "./collection-migration-errors.ts";
import { newId, type CollectionService } from "./collection-service.ts";
import { storageScope } from "./collection-storage.ts";
import type { Embedder } from "./embedder.ts";
import { ExactNeighbours } from "./exact-neighbours.ts";
import type { MigrateCollectionInput } from "./generated/resolvers-types.ts";
import type { IngestionService } from "./ingestion-service.ts";

export interface CollectionMigrationOptions {
  /** Chunks read, embedded and stored per step. Default 32 (the retrieval service passes EMBEDDING_BATCH_SIZE). */
  batchSize?: number;
  /**
   * How long a migration holds its collection past its last progress report, in milliseconds;
   * past it, the migration counts as abandoned (its service stopped) and a new one may begin.
   * Default 60,000.
   */
  leaseMillis?: number;
  /** Chunks used as queries for the recall check (fewer when the collection has fewer). Default 100. */
  recallSampleSize?: number;
  /**
   * How long the previous storage stays after the switch, in milliseconds, so that searches that
   * read the collection before it finish on it. Default 10,000.
   */
  retiredStorageGraceMillis?: number;
}

/** Neighbours per query of the recall check: recall@10. */
const recallDepth = 10;

interface RunningMigration {
  tenantId: string;
  collectionId: string;
  cancel: AbortController;
  settled: Promise<void>;
}

/**
 * Moves collections to another embedding model without stopping searches (`migrateCollection`):
 * re-embeds the chunks of every searchable document into new storage in the background, checks the
 * new index's recall against exact search on a sample, then switches the collection's model,
 * dimensions and storage in one catalogue step. While it runs the collection is read-only
 * (MIGRATION_IN_PROGRESS); a failure or a stop leaves the collection as it was and drops the new
 * storage.
 */
export class CollectionMigrationService {
  readonly #catalog: RetrievalCatalog;
  readonly #chunks: ChunkStore;
  readonly #collections: CollectionService;
  readonly #ingestion: IngestionService;
  readonly #embedder: Embedder;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #leaseMillis: number;
  readonly #recallSampleSize: number;
  readonly #retiredStorageGraceMillis: number;
  readonly #running = new Map<string, RunningMigration>();
  /** Previous storages waiting out their grace period, with the timer that drops them. */
  readonly #retiring = new Map<NodeJS.Timeout, CollectionScope>();
  /** Drops of previous storages in flight. */
  readonly #dropping = new Set<Promise<void>>();

  constructor(dependencies: {
    catalog: RetrievalCatalog;
    chunks: ChunkStore;
    collections: CollectionService;
    ingestion: IngestionService;
    embedder: Embedder;
    logger: Logger;
    options?: CollectionMigrationOptions;
  }) {
    this.#catalog = dependencies.catalog;
    this.#chunks = dependencies.chunks;
    this.#collections = dependencies.collections;
    this.#ingestion = dependencies.ingestion;
    this.#embedder = dependencies.embedder;
    this.#logger = dependencies.logger;
    this.#batchSize = dependencies.options?.batchSize ?? 32;
    this.#leaseMillis = dependencies.options?.leaseMillis ?? 60_000;
    this.#recallSampleSize = dependencies.options?.recallSampleSize ?? 100;
    this.#retiredStorageGraceMillis = dependencies.options?.retiredStorageGraceMillis ?? 10_000;
  }

  /** Begins the migration and returns the collection with it RUNNING; the work goes on in the background. */
  async migrate(input: MigrateCollectionInput, context: RequestContext): Promise<CollectionRecord> {
    const minimumRecall = input.minimumRecall ?? 0.9;
    if (!(minimumRecall >= 0 && minimumRecall <= 1)) throw badUserInput("input.minimumRecall", `minimumRecall is a recall, between 0 and 1, got ${minimumRecall}.`);
    const collection = await this.#collections.require(context.tenantId, input.collectionId, "input.collectionId");
    const { model, dimensions } = await this.#collections.requireEmbeddingModel(input.embeddingModel, context, "input.embeddingModel");
    if (model.id === collection.embeddingModelId) throw badUserInput("input.embeddingModel", `Collection ${collection.id} already uses model ${model.id}.`);
    if (collection.chunkMaxTokens > model.contextLength) {
      throw badUserInput(
        "input.embeddingModel",
        `Model ${model.id} reads at most ${model.contextLength} tokens, less than the collection's chunks (chunkMaxTokens ${collection.chunkMaxTokens}): it would cut them.`,
      );
    }
    // Settles ingestions abandoned by a stopped service, which would otherwise block the migration.
    const searchable = async () => (await this.#ingestion.listDocuments(context.tenantId, collection.id)).filter((document) => document.activeGeneration !== null);
    const estimated = await searchable();
    const now = new Date();
    const migration: CollectionMigration = {
      id: newId("mig"),
      status: "RUNNING",
      sourceEmbeddingModelId: collection.embeddingModelId,
      targetEmbeddingModelId: model.id,
      targetDimensions: dimensions,
      targetStorageId: newId("col"),
      chunksTotal: chunksOf(estimated),
      chunksEmbedded: 0,
      recallAtTen: null,
      minimumRecall,
      error: null,
      startedAt: now.toISOString(),
      finishedAt: null,
      leaseExpiresAt: new Date(now.getTime() + this.#leaseMillis).toISOString(),
    };
    const target: CollectionScope = { tenantId: context.tenantId, collectionId: migration.targetStorageId };
    // Storage first: the catalogue never names a target storage that does not exist.
    await this.#chunks.createCollection(target, dimensions);
    let begun: { collection: CollectionRecord; replaced: CollectionMigration | null };
    try {
      begun = await this.#catalog.beginMigration(context.tenantId, collection.id, migration, now.toISOString());
    } catch (error) {
      await this.#chunks.dropCollection(target);
      throw await this.#conflictError(error, collection);
    }
    // An abandoned migration's storage was never switched to: nothing reads it.
    const replaced = begun.replaced;
    if (replaced !== null && replaced.status === "RUNNING") {
      await this.#chunks.dropCollection({ tenantId: context.tenantId, collectionId: replaced.targetStorageId }).catch((error: unknown) => {
        this.#logger.warn("an abandoned migration's storage was not dropped", { collectionId: collection.id, migrationId: replaced.id, error });
      });
    }
    this.#logger.info("collection migration started", { collectionId: collection.id, migrationId: migration.id, from: collection.embeddingModelId, to: model.id, chunks: migration.chunksTotal });
    const cancel = new AbortController();
    // What is copied is read once the migration holds the collection: an ingestion that completed
    // between the estimate above and the hold changed a document's generation.
    const settled = this.#run(begun.collection, migration, searchable, context, cancel.signal).finally(() => this.#running.delete(migration.id));
    this.#running.set(migration.id, { tenantId: context.tenantId, collectionId: collection.id, cancel, settled });
    return begun.collection;
  }

  /** Resolves once every migration running in this process has ended (completed or failed). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((run) => run.settled));
  }

  /** Stops the migration running in this process into the collection (being deleted) and waits until it cleaned up. */
  async stopCollection(tenantId: string, collectionId: string): Promise<void> {
    const stopped = [...this.#running.values()].filter((run) => run.tenantId === tenantId && run.collectionId === collectionId);
    for (const run of stopped) run.cancel.abort(new ServiceError(ErrorCode.RequestCancelled, "The collection was deleted during its migration."));
    await Promise.all(stopped.map((run) => run.settled));
  }

  /** Stops running migrations (each is recorded FAILED, its new storage dropped) and drops retiring storages now. */
  async close(): Promise<void> {
    for (const run of this.#running.values()) run.cancel.abort(new ServiceError(ErrorCode.ServiceUnavailable, "The retrieval service stopped during the migration; start it again."));
    await Promise.all([...this.#running.values()].map((run) => run.settled));
    const retiring = [...this.#retiring];
    this.#retiring.clear();
    for (const [timer] of retiring) clearTimeout(timer);
    for (const [, scope] of retiring) this.#dropRetired(scope);
    await Promise.all(this.#dropping);
  }

  async #run(
    collection: CollectionRecord,
    migration: CollectionMigration,
    searchable: () => Promise<DocumentRecord[]>,
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<void> {
    const source = storageScope(collection);
    const target: CollectionScope = { tenantId: collection.tenantId, collectionId: migration.targetStorageId };
    let recallAtTen: number | null = null;
    try {
      const documents = await searchable();
      const chunkIds = documents.flatMap((document) => Array.from({ length: document.chunkCount }, (_, index) => chunkIdOf(document.id, document.activeGeneration ?? "", index)));
      const sample = await this.#getChunks(source, pickSample(chunkIds, this.#recallSampleSize));
      const sampleVectors = await this.#embed(migration, sample, context, signal);
      const exact = new ExactNeighbours(sampleVectors, recallDepth);
      let embedded = 0;
      for (let start = 0; start < chunkIds.length; start += this.#batchSize) {
        signal.throwIfAborted();
        const chunks = await this.#getChunks(source, chunkIds.slice(start, start + this.#batchSize));
        const vectors = await this.#embed(migration, chunks, context, signal);
        const tokenCounts = await this.#embedder.countTokens(migration.targetEmbeddingModelId, chunks.map((chunk) => chunk.text), context, signal);
        signal.throwIfAborted();
        await this.#chunks.insertChunks(
          target,
          chunks.map((chunk, index) => ({ ...chunk, tokenCount: tokenCounts[index] ?? chunk.tokenCount, vector: vectors[index] as Float32Array })),
        );
        chunks.forEach((chunk, index) => exact.offer(chunk.id, vectors[index] as Float32Array));
        embedded += chunks.length;
        await this.#catalog.recordMigrationProgress(collection.tenantId, collection.id, migration.id, { chunksEmbedded: embedded, chunksTotal: chunkIds.length, leaseExpiresAt: this.#leaseExpiry() });
      }
      signal.throwIfAborted();
      const found = await Promise.all(sampleVectors.map(async (vector) => (await this.#chunks.vectorSearch(target, vector, { limit: recallDepth })).map((hit) => hit.chunk.id)));
      recallAtTen = exact.recall(found);
      if (recallAtTen < migration.minimumRecall) {
        throw new ServiceError(
          ErrorCode.MigrationRecallTooLow,
          `The new index found ${formatShare(recallAtTen)} of the exact 10 nearest chunks of ${sample.length} sampled chunks, under the minimumRecall of ${formatShare(migration.minimumRecall)}; the collection keeps model ${migration.sourceEmbeddingModelId}.`,
        );
      }
      signal.throwIfAborted();
      const { previous } = await this.#catalog.completeMigration(collection.tenantId, collection.id, migration.id, { recallAtTen, now: new Date().toISOString() });
      this.#logger.info("collection migration completed", { collectionId: collection.id, migrationId: migration.id, chunks: embedded, recallAtTen });
      this.#retire(storageScope(previous));
    } catch (error) {
      const failure = toFailure(signal.aborted ? (signal.reason ?? error) : error);
      this.#logger.warn("collection migration failed; the collection keeps its model", { collectionId: collection.id, migrationId: migration.id, code: failure.code, error });
      await this.#catalog.failMigration(collection.tenantId, collection.id, migration.id, { error: failure, recallAtTen, now: new Date().toISOString() }).catch((recordError: unknown) => {
        this.#logger.warn("a failed migration could not be recorded; its lease will expire", { collectionId: collection.id, migrationId: migration.id, error: recordError });
      });
      await this.#chunks.dropCollection(target).catch((dropError: unknown) => {
        this.#logger.warn("a failed migration's storage was not dropped", { collectionId: collection.id, migrationId: migration.id, error: dropError });
      });
    }
  }

  /** Chunks by id from `scope`; every one must be there (the collection is read-only meanwhile). */
  async #getChunks(scope: CollectionScope, ids: readonly string[]): Promise<StoredChunk[]> {
    const chunks = await this.#chunks.getChunks(scope, ids);
    if (chunks.length !== ids.length) throw new Error(`the chunk store returned ${chunks.length} of ${ids.length} chunks of a collection being migrated`);
    return chunks;
  }

  async #embed(migration: CollectionMigration, chunks: readonly StoredChunk[], context: RequestContext, signal: AbortSignal): Promise<Float32Array[]> {
    if (chunks.length === 0) return [];
    signal.throwIfAborted();
    const vectors = await this.#embedder.embed(migration.targetEmbeddingModelId, chunks.map((chunk) => chunk.text), context, signal);
    const mismatch = vectors.find((vector) => vector.length !== migration.targetDimensions);
    if (mismatch !== undefined || vectors.length !== chunks.length) {
      throw new ServiceError(
        ErrorCode.EmbeddingDimensionMismatch,
        `Model ${migration.targetEmbeddingModelId} returned ${mismatch?.length ?? "missing"} vectors; the registry records ${migration.targetDimensions} dimensions.`,
        { details: { expected: migration.targetDimensions, actual: mismatch?.length ?? null } },
      );
    }
    return vectors;
  }

  #leaseExpiry(): string {
    return new Date(Date.now() + this.#leaseMillis).toISOString();
  }

  /** Drops the previous storage once searches that began before the switch are done with it. */
  #retire(scope: CollectionScope): void {
    const timer = setTimeout(() => {
      this.#retiring.delete(timer);
      this.#dropRetired(scope);
    }, this.#retiredStorageGraceMillis);
    this.#retiring.set(timer, scope);
  }

  #dropRetired(scope: CollectionScope): void {
    const dropping = this.#chunks
      .dropCollection(scope)
      .catch((error: unknown) => {
        this.#logger.warn("a migrated collection's previous storage was not dropped", { collectionId: scope.collectionId, error });
      })
      .finally(() => this.#dropping.delete(dropping));
    this.#dropping.add(dropping);
  }

  async #conflictError(error: unknown, collection: CollectionRecord): Promise<unknown> {
    if (!(error instanceof CatalogConflictError)) return error;
    switch (error.reason) {
      case "collection-not-found":
        return new ServiceError(ErrorCode.CollectionNotFound, `No collection has the id "${collection.id}".`, { field: "input.collectionId" });
      case "migration-running":
        return migrationInProgress((await this.#catalog.getCollection(collection.tenantId, collection.id)) ?? collection, "input.collectionId");
      case "ingestion-running": {
        const ingesting = (await this.#catalog.listDocuments(collection.tenantId, collection.id)).filter((document) => document.ingestion?.status === "INGESTING");
        return new ServiceError(
          ErrorCode.IngestionInProgress,
          `Documents of collection ${collection.id} are being ingested; a migration can begin once they are done.`,
          { field: "input.collectionId", details: { documentIds: ingesting.slice(0, 10).map((document) => document.id) } },
        );
      }
      default:
        return error;
    }
  }
}

/** Up to `size` ids picked at random without repeats (a partial Fisher-Yates shuffle). */
function pickSample(ids: readonly string[], size: number): string[] {
  const pool = [...ids];
  const count = Math.min(size, pool.length);
  for (let index = 0; index < count; index += 1) {
    const swap = index + randomInt(pool.length - index);
    [pool[index], pool[swap]] = [pool[swap] as string, pool[index] as string];
  }
  return pool.slice(0, count);
}

function toFailure(error: unknown): { code: string; message: string } {
  if (error instanceof ServiceError) return { code: String(error.extensions.code), message: error.message };
  return { code: ErrorCode.InternalServerError, message: "The migration failed unexpectedly; the collection keeps its model. See the retrieval service's log." };
}

function formatShare(value: number): string {
  return value.toFixed(3);
}

function chunksOf(documents: readonly DocumentRecord[]): number {
  return documents.reduce((total, document) => total + document.chunkCount, 0);
}

import { inSpan } from "../../platform/tracing/tracer.ts";
import { createHash, randomBytes } from "node:crypto";
import { defineRetrievalMetrics } from "../../platform/metrics/retrieval-metrics.ts";
import type { ServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ChunkInput, ChunkStore, CollectionScope } from "./chunk-store/chunk-store.ts";
import { chunkIdOf } from "./chunk-id.ts";
import { migrationHolds } from "./catalog/migration-transitions.ts";
import { migrationInProgress } from "./collection-migration-errors.ts";
import { storageScope } from "./collection-storage.ts";
import { chunkDocument, type TextChunk } from "./chunking/chunk-document.ts";
import { CatalogConflictError, type CollectionRecord, type DocumentRecord, type MetadataFilter, type RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import type { CollectionService } from "./collection-service.ts";
import { newId } from "./collection-service.ts";
import type { ValidatedDocument } from "./document-input.ts";
import type { Embedder } from "./embedder.ts";
import type { RetrievalLimits } from "./retrieval-limits.ts";

/** Least time between two progress writes to the catalogue, in milliseconds. */
const progressIntervalMillis = 500;

/**
 * How long past its deadline an ingestion must be before a reader takes it for abandoned, in
 * milliseconds. The service running an ingestion fails it itself at the deadline; the margin
 * keeps readers from racing it.
 */
const abandonedMarginMillis = 60_000;

/** An ingestion running in this process, so that deleting its document or collection can stop it. */
interface RunningIngestion {
  tenantId: string;
  collectionId: string;
  documentId: string;
  /** Aborts the ingestion; its reason becomes the ingestion's error. */
  cancel: AbortController;
  /** Settles (never rejects) once the ingestion stopped and cleaned up after itself. */
  settled: Promise<unknown>;
}

/**
 * Splits, embeds and stores documents. A document's new chunks are written under a fresh
 * generation that searches ignore; one atomic catalogue step then makes it the active generation,
 * and only after that are the old chunks deleted. So a re-ingest is never half-visible, and a
 * failed one deletes what it wrote and leaves the previous version serving.
 *
 * Memory stays bounded for large documents: chunks are produced lazily and at most one batch of
 * `embeddingBatchSize` chunks (with its vectors) is held at a time.
 *
 * An ingestion that runs past `ingestionTimeoutMillis` fails with INGESTION_TIMED_OUT. One whose
 * service stopped mid-way is settled the same way by whoever reads its document after the deadline
 * (`settleAbandoned`), so no document stays INGESTING forever and no chunks stay behind.
 *
 * Deleting a document or its collection stops its ingestion at once: in this process the delete
 * aborts it (chunking stops at its next slice, embedding at its next batch or in flight) and waits
 * until it has removed what it wrote, so nothing of the document is written after the delete
 * returned. An ingestion in another replica notices before its next batch, when it finds the
 * catalogue no longer runs it.
 */
export class IngestionService {
  readonly #catalog: RetrievalCatalog;
  readonly #chunks: ChunkStore;
  readonly #collections: CollectionService;
  readonly #embedder: Embedder;
  readonly #limits: RetrievalLimits;
  readonly #logger: Logger;
  readonly #metrics: ServiceMetrics | undefined;
  /** Ingestions running after their request returned (`waitForCompletion: false`). */
  readonly #background = new Map<Promise<unknown>, AbortController>();
  /** Ingestions running in this process, by `ingestionKey`. */
  readonly #running = new Map<string, RunningIngestion>();

  constructor(dependencies: {
    catalog: RetrievalCatalog;
    chunks: ChunkStore;
    collections: CollectionService;
    embedder: Embedder;
    limits: RetrievalLimits;
    logger: Logger;
    metrics?: ServiceMetrics;
  }) {
    this.#catalog = dependencies.catalog;
    this.#chunks = dependencies.chunks;
    this.#collections = dependencies.collections;
    this.#embedder = dependencies.embedder;
    this.#limits = dependencies.limits;
    this.#logger = dependencies.logger;
    this.#metrics = dependencies.metrics;
  }

  /**
   * Ingests `document`. Waiting (the default), it returns the searchable document or throws the
   * ingestion's error; a client that goes away cancels it. Not waiting, it returns the document
   * with the ingestion running, which then outlives the request.
   */
  async ingest(document: ValidatedDocument, context: RequestContext, signal: AbortSignal): Promise<DocumentRecord> {
    const requested = await this.#collections.require(context.tenantId, document.collectionId, "input.collectionId");
    const generation = randomBytes(6).toString("hex");
    let record: DocumentRecord;
    try {
      record = await this.#catalog.beginIngestion({
        tenantId: context.tenantId,
        collectionId: requested.id,
        newDocumentId: newId("doc"),
        source: document.source,
        title: document.title,
        mediaType: document.mediaType,
        metadata: document.metadata,
        generation,
        now: new Date().toISOString(),
      });
    } catch (error) {
      if (error instanceof CatalogConflictError && error.reason === "collection-not-found") {
        throw new ServiceError(ErrorCode.CollectionNotFound, `No collection has the id "${requested.id}".`, { field: "input.collectionId" });
      }
      if (error instanceof CatalogConflictError && error.reason === "migration-running") throw migrationInProgress(requested, "input.collectionId");
      throw error;
    }
    // Read again now that the ingestion is recorded: from here no migration can begin until it
    // ends, so this is the model and storage it must use (one may have completed since `requested`).
    const collection = await this.#collections.require(context.tenantId, requested.id, "input.collectionId");
    const cancel = new AbortController();
    // A timer of our own rather than AbortSignal.timeout, whose timer does not keep the process
    // alive and would linger for the whole timeout after the ingestion ended.
    const deadline = new AbortController();
    const deadlineTimer = setTimeout(() => deadline.abort(new DOMException("The ingestion's deadline passed.", "TimeoutError")), this.#limits.ingestionTimeoutMillis);
    const key = ingestionKey(context.tenantId, record.id, generation);
    // The whole ingestion is one span (chunking, embedding and storing steps under it), even when it outlives the request.
    const run = inSpan("retrieval ingest", { attributes: { "retrieval.document.media_type": document.mediaType } }, () =>
      this.#run(collection, record.id, generation, document, context, { signal: AbortSignal.any([cancel.signal, deadline.signal]), deadline: deadline.signal }),
    ).finally(() => {
      clearTimeout(deadlineTimer);
      this.#running.delete(key);
    });
    this.#running.set(key, { tenantId: context.tenantId, collectionId: collection.id, documentId: record.id, cancel, settled: run.catch(() => undefined) });
    if (!document.waitForCompletion) {
      const tracked = run.catch(() => undefined).finally(() => this.#background.delete(tracked));
      this.#background.set(tracked, cancel);
      return record;
    }
    const onClientGone = () => cancel.abort();
    signal.addEventListener("abort", onClientGone, { once: true });
    try {
      return await run;
    } finally {
      signal.removeEventListener("abort", onClientGone);
    }
  }

  /**
   * `documents` with their abandoned ingestions settled: a document still INGESTING a minute past
   * its deadline, with no ingestion of it running in this process (the service running it
   * stopped), gets the failure that service would have recorded (INGESTION_TIMED_OUT) and loses
   * that ingestion's chunks. Then it reads as the failure left it: still serving its previous
   * version with status FAILED, or gone (undefined) when it never completed an ingestion.
   */
  async settleAbandoned(documents: readonly (DocumentRecord | undefined)[]): Promise<(DocumentRecord | undefined)[]> {
    const now = Date.now();
    return Promise.all(
      documents.map(async (document) => {
        const ingestion = document?.ingestion;
        if (document === undefined || ingestion === null || ingestion === undefined || ingestion.status !== "INGESTING") return document;
        if (Date.parse(ingestion.startedAt) + this.#limits.ingestionTimeoutMillis + abandonedMarginMillis > now) return document;
        if (this.#running.has(ingestionKey(document.tenantId, document.id, ingestion.generation))) return document;
        const { generation } = ingestion;
        try {
          const failure = this.#timedOut();
          this.#logger.warn("an abandoned ingestion is failed: its service stopped before the end", { documentId: document.id, generation, startedAt: ingestion.startedAt });
          await this.#catalog.failIngestion(document.tenantId, document.id, generation, { code: failure.code, message: failure.message }, new Date(now).toISOString());
          const settled = await this.#catalog.getDocument(document.tenantId, document.id);
          // The record read above may be stale: if that ingestion completed meanwhile (another
          // replica, a paused process), failIngestion changed nothing and its chunks now serve.
          const collection = await this.#collections.find(document.tenantId, document.collectionId);
          if (settled?.activeGeneration !== generation && collection !== undefined) {
            await this.#chunks.deleteDocumentChunks(storageScope(collection), document.id, { generation }).catch((error: unknown) => {
              this.#logger.warn("chunks of an abandoned ingestion not deleted; searches ignore them", { documentId: document.id, error });
            });
          }
          return settled;
        } catch (error) {
          // A read must not fail because settling failed (catalogue unreachable); the next read tries again.
          this.#logger.warn("an abandoned ingestion could not be settled; the document reads as it is", { documentId: document.id, error });
          return document;
        }
      }),
    );
  }

  /** The collection's documents (optionally filtered) as readers see them: abandoned ingestions settled. */
  async listDocuments(tenantId: string, collectionId: string, filters?: readonly MetadataFilter[]): Promise<DocumentRecord[]> {
    const settled = await this.settleAbandoned(await this.#catalog.listDocuments(tenantId, collectionId, filters));
    return settled.filter((document) => document !== undefined);
  }

  #timedOut(cause?: unknown): ServiceError {
    const timeoutMillis = this.#limits.ingestionTimeoutMillis;
    return new ServiceError(
      ErrorCode.IngestionTimedOut,
      `The ingestion did not complete within ${timeoutMillis} ms (INGESTION_TIMEOUT_MILLIS), or the service running it stopped; nothing of it was kept. Ingest the document again.`,
      { details: { timeoutMillis }, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /**
   * Deletes the document's record, stops its ingestion running in this process (waiting until it
   * cleaned up), then deletes all its chunks. False when the tenant has no such document.
   */
  async deleteDocument(tenantId: string, documentId: string): Promise<boolean> {
    const existing = await this.#catalog.getDocument(tenantId, documentId);
    if (existing === undefined) return false;
    // A collection being migrated is read-only: the migration copies what its documents hold.
    const collection = await this.#collections.find(tenantId, existing.collectionId);
    if (collection !== undefined && migrationHolds(collection.migration, new Date().toISOString())) throw migrationInProgress(collection, "id");
    const removed = await this.#catalog.deleteDocument(tenantId, documentId);
    if (removed === undefined) return false;
    // After the record: cancelled first, a first ingestion would remove the record itself on failing.
    await this.#stopRunning((run) => run.tenantId === tenantId && run.documentId === documentId, "The document was deleted while it was being ingested.");
    if (collection !== undefined) await this.#chunks.deleteDocumentChunks(storageScope(collection), documentId);
    return true;
  }

  /**
   * Stops every ingestion running in this process into the collection and waits until each cleaned
   * up. Called once the catalogue forgot the collection (so no new one starts), before its chunks go.
   */
  async stopCollection(tenantId: string, collectionId: string): Promise<void> {
    await this.#stopRunning((run) => run.tenantId === tenantId && run.collectionId === collectionId, "The collection was deleted while the document was being ingested.");
  }

  async #stopRunning(matches: (run: RunningIngestion) => boolean, message: string): Promise<void> {
    const stopped = [...this.#running.values()].filter(matches);
    for (const run of stopped) run.cancel.abort(new ServiceError(ErrorCode.RequestCancelled, message, { field: "input.source" }));
    await Promise.all(stopped.map((run) => run.settled));
  }

  /** Cancels background ingestions (each cleans up after itself) and waits for them. */
  async close(): Promise<void> {
    for (const controller of this.#background.values()) controller.abort();
    await Promise.all(this.#background.keys());
  }

  async #run(
    collection: CollectionRecord,
    documentId: string,
    generation: string,
    document: ValidatedDocument,
    context: RequestContext,
    { signal, deadline }: { signal: AbortSignal; deadline: AbortSignal },
  ): Promise<DocumentRecord> {
    const scope = storageScope(collection);
    const startedAt = performance.now();
    try {
      const totals = await this.#writeChunks(collection, scope, documentId, generation, document, context, signal);
      if (totals.chunkCount === 0) throw badUserInput("input.content", "The document has no text to index.");
      signal.throwIfAborted();
      const { replacedGeneration, document: completed } = await this.#catalog.completeIngestion(context.tenantId, documentId, generation, {
        ...totals,
        characterCount: document.content.length,
        contentHash: createHash("sha256").update(document.content).digest("hex"),
        now: new Date().toISOString(),
      });
      // Every other generation goes, not just the replaced one: this also sweeps chunks an earlier
      // crashed ingestion left behind (never visible, since they were never active).
      await this.#chunks.deleteDocumentChunks(scope, documentId, { keepGeneration: generation }).catch((error: unknown) => {
        this.#logger.warn("old chunks not deleted; searches ignore them", { documentId, replacedGeneration, error });
      });
      this.#logger.info("document ingested", {
        documentId,
        collectionId: collection.id,
        chunks: totals.chunkCount,
        tokens: totals.tokenCount,
        millis: Math.round(performance.now() - startedAt),
      });
      this.#recordIngestion(startedAt, "succeeded", "", totals);
      return completed;
    } catch (error) {
      await this.#chunks.deleteDocumentChunks(scope, documentId, { generation }).catch((cleanupError: unknown) => {
        this.#logger.warn("chunks of a failed ingestion not deleted; searches ignore them", { documentId, generation, error: cleanupError });
      });
      if (error instanceof CatalogConflictError) {
        // Superseded by a newer ingestion of the same source, or the document was deleted meanwhile.
        throw new ServiceError(
          ErrorCode.RequestCancelled,
          error.reason === "ingestion-superseded"
            ? `A newer ingestion of "${document.source}" replaced this one.`
            : `The document was deleted while it was being ingested.`,
          { field: "input.source" },
        );
      }
      // Whatever the deadline's abort made fail (an embeddings call, a store write) failed because of it.
      const failure = deadline.aborted ? this.#timedOut(error) : toIngestionError(error, signal);
      this.#recordIngestion(startedAt, "failed", failure.code);
      await this.#catalog
        .failIngestion(context.tenantId, documentId, generation, { code: failure.code, message: failure.message }, new Date().toISOString())
        .catch((catalogError: unknown) => this.#logger.error("ingestion failure not recorded", { documentId, error: catalogError }));
      throw failure;
    }
  }

  #recordIngestion(startedAt: number, outcome: "succeeded" | "failed", code: string, totals?: { chunkCount: number; tokenCount: number }): void {
    if (this.#metrics === undefined) return;
    const series = this.#metrics.concern(defineRetrievalMetrics);
    series.ingestionSeconds.observe({ outcome }, (performance.now() - startedAt) / 1000);
    series.ingestions.inc({ outcome, code });
    if (totals !== undefined) {
      series.ingestedChunks.inc(totals.chunkCount);
      series.ingestedTokens.inc(totals.tokenCount);
    }
  }

  async #writeChunks(
    collection: CollectionRecord,
    scope: CollectionScope,
    documentId: string,
    generation: string,
    document: ValidatedDocument,
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<{ chunkCount: number; tokenCount: number }> {
    const chunks = chunkDocument(
      document.content,
      { maxTokens: collection.chunkMaxTokens, overlapTokens: collection.chunkOverlapTokens, mediaType: document.mediaType, signal },
      (texts) => this.#embedder.countTokens(collection.embeddingModelId, texts, context, signal),
    );
    let batch: TextChunk[] = [];
    let chunkCount = 0;
    let tokenCount = 0;
    let lastProgressAt = performance.now();
    let chunksTotal: number | null = null;
    const flush = async () => {
      if (batch.length === 0) return;
      // Another replica may have deleted the document (or started a newer ingestion): stop before embedding more.
      await this.#assertStillRunning(context.tenantId, documentId, generation);
      signal.throwIfAborted();
      const texts = batch.map((chunk) => chunk.text);
      const vectors = await inSpan("retrieval embed_chunks", { attributes: { "retrieval.chunk.count": texts.length } }, () => this.#embedder.embed(collection.embeddingModelId, texts, context, signal));
      const mismatch = vectors.find((vector) => vector.length !== collection.dimensions);
      if (mismatch !== undefined) {
        throw new ServiceError(
          ErrorCode.EmbeddingDimensionMismatch,
          `Model ${collection.embeddingModelId} now returns ${mismatch.length}-dimensional vectors; the collection holds ${collection.dimensions}-dimensional ones. Create a new collection for this model.`,
          { field: "input.collectionId", details: { expected: collection.dimensions, actual: mismatch.length } },
        );
      }
      const rows: ChunkInput[] = batch.map((chunk, position) => ({
        id: chunkIdOf(documentId, generation, chunk.index),
        documentId,
        generation,
        index: chunk.index,
        text: chunk.text,
        headingPath: chunk.headingPath,
        tokenCount: chunk.tokenCount,
        vector: vectors[position] ?? new Float32Array(),
      }));
      signal.throwIfAborted();
      await inSpan("retrieval store_chunks", { attributes: { "retrieval.chunk.count": rows.length } }, () => this.#chunks.insertChunks(scope, rows));
      chunkCount += rows.length;
      tokenCount += rows.reduce((sum, row) => sum + row.tokenCount, 0);
      batch = [];
      if (performance.now() - lastProgressAt >= progressIntervalMillis) {
        lastProgressAt = performance.now();
        await this.#catalog.recordIngestionProgress(context.tenantId, documentId, generation, { chunksEmbedded: chunkCount, chunksTotal });
      }
    };
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      batch.push(chunk);
      if (batch.length >= this.#limits.embeddingBatchSize) await flush();
    }
    // The whole text is split now: the total is known while the last batch embeds.
    chunksTotal = chunkCount + batch.length;
    await this.#catalog.recordIngestionProgress(context.tenantId, documentId, generation, { chunksEmbedded: chunkCount, chunksTotal });
    await flush();
    return { chunkCount, tokenCount };
  }

  /** Throws the catalogue's conflict when the document is gone or no longer runs this ingestion. */
  async #assertStillRunning(tenantId: string, documentId: string, generation: string): Promise<void> {
    const current = await this.#catalog.getDocument(tenantId, documentId);
    if (current === undefined) throw new CatalogConflictError("document-not-found");
    if (current.ingestion?.generation !== generation || current.ingestion.status !== "INGESTING") throw new CatalogConflictError("ingestion-superseded");
  }
}

function ingestionKey(tenantId: string, documentId: string, generation: string): string {
  return `${tenantId}\u0000${documentId}\u0000${generation}`;
}

function toIngestionError(error: unknown, signal: AbortSignal): ServiceError {
  // A delete's reason (a ServiceError) wins over whatever the abort made fail (an AbortError from fetch).
  if (signal.aborted && signal.reason instanceof ServiceError) return signal.reason;
  if (error instanceof ServiceError) return error;
  if (signal.aborted) return new ServiceError(ErrorCode.RequestCancelled, "The ingestion was cancelled; nothing of it was kept.", { cause: error });
  return new ServiceError(ErrorCode.ServiceUnavailable, `The ingestion failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * Embedding-model migrations (`migrateCollection`) against each chunk store: searches keep using
 * the old model until one atomic switch, the collection is read-only meanwhile, the new index's
 * recall is checked, and a failure or a stop leaves the old model serving with nothing lost.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { EmbeddedModelStore } from "../../../subgraphs/model-registry/store/embedded-model-store.ts";
import { EmbeddedRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import type { ChunkHit, ChunkSearchOptions, ChunkStore, CollectionScope } from "../../../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { LanceDbChunkStore } from "../../../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { MilvusChunkStore } from "../../../subgraphs/retrieval/chunk-store/milvus-chunk-store.ts";
import { storageScope } from "../../../subgraphs/retrieval/collection-storage.ts";
import type { ValidatedDocument } from "../../../subgraphs/retrieval/document-input.ts";
import type { Embedder } from "../../../subgraphs/retrieval/embedder.ts";
import { asReported } from "../../../subgraphs/retrieval/resolvers.ts";
import { defaultRetrievalLimits } from "../../../subgraphs/retrieval/retrieval-limits.ts";
import { RetrievalService } from "../../../subgraphs/retrieval/retrieval-service.ts";
import { provisionMilvus, requireMilvus } from "../../harness/milvus-server.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { unusedReranker } from "../../harness/unused-reranker.ts";
import { modelRecord } from "../model-registry/model-fixtures.ts";

const caller: RequestContext = { requestId: "r", tenantId: "tenant-a", apiKeyId: "k", roles: ["member"] };
const never = new AbortController().signal;

/**
 * TEST DOUBLE: embeds with a bag of hashed words, `words-<n>` giving n-dimensional vectors, so two
 * models disagree on the vectors but agree on what is similar. Calls of a held model wait until
 * released; a model set to fail rejects from its `failAfterCalls`th call on.
 */
class HashedWordsEmbedder implements Embedder {
  readonly calls = new Map<string, number>();
  #held: { modelId: string; released: Promise<void>; release: () => void } | undefined;
  failing: { modelId: string; failAfterCalls: number } | undefined;

  hold(modelId: string): () => void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#held = { modelId, released, release };
    return () => {
      this.#held = undefined;
      release();
    };
  }

  async countTokens(_modelId: string, texts: readonly string[]): Promise<number[]> {
    return texts.map((text) => words(text).length);
  }

  async embed(modelId: string, texts: readonly string[], _context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]> {
    const call = (this.calls.get(modelId) ?? 0) + 1;
    this.calls.set(modelId, call);
    if (this.#held?.modelId === modelId) await Promise.race([this.#held.released, aborted(signal)]);
    if (this.failing?.modelId === modelId && call >= this.failing.failAfterCalls) throw new Error(`${modelId} is down (test double)`);
    const dimensions = Number(modelId.split("-")[1]);
    return texts.map((text) => {
      const vector = new Float32Array(dimensions);
      for (const word of words(text)) vector[hashOf(word) % dimensions] = (vector[hashOf(word) % dimensions] ?? 0) + 1;
      return vector;
    });
  }
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

function hashOf(word: string): number {
  let hash = 7;
  for (const character of word) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return hash;
}

function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted === true) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** TEST DOUBLE: a chunk store whose vector search in `forgetful` storages returns the worst matches first. */
class ForgetfulIndexStore implements ChunkStore {
  readonly #store: ChunkStore;
  forgetful = new Set<string>();
  constructor(store: ChunkStore) {
    this.#store = store;
  }
  createCollection = (scope: CollectionScope, dimensions: number) => this.#store.createCollection(scope, dimensions);
  dropCollection = (scope: CollectionScope) => this.#store.dropCollection(scope);
  insertChunks: ChunkStore["insertChunks"] = (scope, chunks) => this.#store.insertChunks(scope, chunks);
  deleteDocumentChunks: ChunkStore["deleteDocumentChunks"] = (scope, documentId, selection) => this.#store.deleteDocumentChunks(scope, documentId, selection);
  async vectorSearch(scope: CollectionScope, vector: Float32Array, options: ChunkSearchOptions): Promise<ChunkHit[]> {
    if (!this.forgetful.has(scope.collectionId)) return this.#store.vectorSearch(scope, vector, options);
    return (await this.#store.vectorSearch(scope, vector, { ...options, limit: 1_000 })).reverse().slice(0, options.limit);
  }
  keywordSearch: ChunkStore["keywordSearch"] = (scope, query, options) => this.#store.keywordSearch(scope, query, options);
  getChunks: ChunkStore["getChunks"] = (scope, ids) => this.#store.getChunks(scope, ids);
  countChunks = (scope: CollectionScope) => this.#store.countChunks(scope);
  checkHealth = () => this.#store.checkHealth();
  close = () => this.#store.close();
}

const topics = ["volcanoes erupt molten lava", "penguins swim in cold antarctic water", "espresso needs finely ground coffee", "orbits of planets follow gravity", "violins have four strings"];

/** Document `index`: 12 paragraphs about one topic, so chunks of a topic are each other's neighbours. */
function documentAbout(collectionId: string, index: number): ValidatedDocument {
  const topic = topics[index % topics.length] as string;
  return {
    collectionId,
    source: `doc-${index}.txt`,
    title: null,
    content: Array.from({ length: 12 }, (_, paragraph) => `${topic} paragraph ${paragraph} of document ${index}`).join("\n\n"),
    mediaType: "text/plain",
    metadata: {},
    waitForCompletion: true,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<ServiceError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return error instanceof ServiceError && error.extensions.code === code;
  });
  return caught as ServiceError;
}

function migrationScenarios(createStore: () => Promise<ChunkStore>): void {
  let number = 0;
  /** A service over a fresh catalogue, with models words-32, words-64 and a chat model, and a 5-document collection on words-32. */
  async function setUp() {
    number += 1;
    const directory = await temporaryDirectory(`migration-${number}`);
    const models = new EmbeddedModelStore(directory);
    for (const [id, dimensions] of [["words-32", 32], ["words-64", 64]] as const) {
      await models.create(modelRecord({ id, capabilities: ["EMBEDDING"], embeddingDimensions: dimensions, contextLength: 512 }));
    }
    await models.create(modelRecord({ id: "chat-only" }));
    await models.create(modelRecord({ id: "short-64", capabilities: ["EMBEDDING"], embeddingDimensions: 64, contextLength: 32 }));
    const store = new ForgetfulIndexStore(await createStore());
    const catalog = new EmbeddedRetrievalCatalog(directory);
    const embedder = new HashedWordsEmbedder();
    const retrieval = new RetrievalService({
      catalog,
      reranker: unusedReranker,
      chunks: store,
      models,
      embedder,
      limits: { ...defaultRetrievalLimits, embeddingBatchSize: 8 },
      logger: createLogger("migration-test", "error"),
      migrations: { retiredStorageGraceMillis: 0, recallSampleSize: 20 },
    });
    const collection = await retrieval.collections.create({ name: `handbook${number}`, embeddingModel: "words-32", chunkMaxTokens: 64, chunkOverlapTokens: 0 }, caller);
    for (let index = 0; index < 5; index += 1) await retrieval.ingestion.ingest(documentAbout(collection.id, index), caller, never);
    const topHit = async (query: string) => {
      const result = await retrieval.search.search({ collectionId: collection.id, query, mode: "VECTOR", topK: 3 }, caller, never);
      return result.hits[0]?.chunk.documentId;
    };
    const sourceOf = async (documentId: string | undefined) => (documentId === undefined ? undefined : (await catalog.getDocument(caller.tenantId, documentId))?.source);
    const cleanUp = async () => {
      await retrieval.close();
      await store.close();
    };
    return { retrieval, store, catalog, embedder, collection, topHit, sourceOf, cleanUp };
  }

  it("re-embeds into new storage while searches use the old model, then switches model, dimensions and storage in one step", async () => {
    const { retrieval, store, catalog, embedder, collection, topHit, sourceOf, cleanUp } = await setUp();
    try {
      const oldScope = storageScope(collection);
      const chunksBefore = await store.countChunks(oldScope);
      assert.ok(chunksBefore >= 5);
      const release = embedder.hold("words-64");
      const started = await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller);
      const migration = started.migration;
      assert.ok(migration !== null && migration !== undefined);
      assert.deepEqual([migration.status, migration.sourceEmbeddingModelId, migration.targetEmbeddingModelId, migration.targetDimensions, migration.chunksTotal], ["RUNNING", "words-32", "words-64", 64, chunksBefore]);
      assert.equal(started.embeddingModelId, "words-32", "nothing switches before the end");

      // While it runs: searches answer from the old model and storage; writes and another migration wait.
      assert.equal(await sourceOf(await topHit("penguins antarctic")), "doc-1.txt");
      const refused = await expectCode(retrieval.ingestion.ingest(documentAbout(collection.id, 7), caller, never), "MIGRATION_IN_PROGRESS");
      assert.equal(refused.extensions.retryable, true);
      assert.equal(refused.extensions.migrationId, migration.id);
      const document = (await catalog.listDocuments(caller.tenantId, collection.id))[0];
      await expectCode(retrieval.ingestion.deleteDocument(caller.tenantId, document?.id ?? ""), "MIGRATION_IN_PROGRESS");
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller), "MIGRATION_IN_PROGRESS");

      release();
      await retrieval.migrations.whenIdle();
      const migrated = await catalog.getCollection(caller.tenantId, collection.id);
      assert.ok(migrated !== undefined);
      assert.deepEqual([migrated.embeddingModelId, migrated.dimensions, migrated.storageId], ["words-64", 64, migration.targetStorageId]);
      assert.deepEqual([migrated.migration?.status, migrated.migration?.chunksEmbedded, migrated.migration?.recallAtTen], ["COMPLETED", chunksBefore, 1]);
      assert.equal(await store.countChunks(storageScope(migrated)), chunksBefore, "every chunk is in the new storage");
      for (const [query, source] of [["penguins antarctic", "doc-1.txt"], ["espresso coffee", "doc-2.txt"], ["violins strings", "doc-4.txt"]]) {
        assert.equal(await sourceOf(await topHit(query as string)), source, `"${query}" finds its document with the new model`);
      }
      // The previous storage goes once its grace period is over (0 here; close() drops what waits).
      await retrieval.migrations.close();
      assert.equal(await store.countChunks(oldScope), 0, "the previous storage is dropped");
      // Writable again, into the new storage with the new model.
      const added = await retrieval.ingestion.ingest(documentAbout(collection.id, 10), caller, never);
      assert.equal(added.activeGeneration !== null, true);
      assert.equal(await store.countChunks(storageScope(migrated)), chunksBefore + added.chunkCount);
    } finally {
      await cleanUp();
    }
  });

  it("a migration that fails part way leaves the old model serving, drops the new storage and unlocks the collection", async () => {
    const { retrieval, store, catalog, embedder, collection, topHit, sourceOf, cleanUp } = await setUp();
    try {
      embedder.failing = { modelId: "words-64", failAfterCalls: 3 };
      const started = await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller);
      await retrieval.migrations.whenIdle();
      const after = await catalog.getCollection(caller.tenantId, collection.id);
      assert.deepEqual([after?.embeddingModelId, after?.dimensions, after?.storageId], ["words-32", 32, undefined]);
      assert.equal(after?.migration?.status, "FAILED");
      assert.equal(after?.migration?.error?.code, "INTERNAL_SERVER_ERROR");
      assert.ok((after?.migration?.chunksEmbedded ?? 0) > 0 && (after?.migration?.chunksEmbedded ?? 0) < (after?.migration?.chunksTotal ?? 0), "it failed part way");
      assert.equal(await store.countChunks({ tenantId: caller.tenantId, collectionId: started.migration?.targetStorageId ?? "" }), 0, "the new storage is dropped");
      assert.equal(await sourceOf(await topHit("espresso coffee")), "doc-2.txt");
      await retrieval.ingestion.ingest(documentAbout(collection.id, 6), caller, never);
    } finally {
      await cleanUp();
    }
  });

  it("does not switch to an index whose recall is under minimumRecall (MIGRATION_RECALL_TOO_LOW)", async () => {
    const { retrieval, store, catalog, collection, topHit, sourceOf, cleanUp } = await setUp();
    try {
      const started = await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64", minimumRecall: 0.95 }, caller);
      // Before the first batch is stored: the test double turns the new storage's index upside down.
      store.forgetful.add(started.migration?.targetStorageId ?? "");
      await retrieval.migrations.whenIdle();
      const after = await catalog.getCollection(caller.tenantId, collection.id);
      assert.equal(after?.migration?.status, "FAILED");
      assert.equal(after?.migration?.error?.code, "MIGRATION_RECALL_TOO_LOW");
      assert.ok((after?.migration?.recallAtTen ?? 1) < 0.95, `recall ${after?.migration?.recallAtTen}`);
      assert.equal(after?.embeddingModelId, "words-32");
      assert.equal(await sourceOf(await topHit("volcanoes lava")), "doc-0.txt");
    } finally {
      await cleanUp();
    }
  });

  it("refuses to begin while a document is being ingested, and a bad request with the field at fault", async () => {
    const { retrieval, embedder, collection, cleanUp } = await setUp();
    try {
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-32" }, caller), "BAD_USER_INPUT");
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64", minimumRecall: 1.5 }, caller), "BAD_USER_INPUT");
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "chat-only" }, caller), "CAPABILITY_NOT_SUPPORTED");
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "nobody" }, caller), "MODEL_NOT_FOUND");
      const tooShort = await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "short-64" }, caller), "BAD_USER_INPUT");
      assert.match(tooShort.message, /chunkMaxTokens 64/);
      await expectCode(retrieval.migrations.migrate({ collectionId: "col_nothere", embeddingModel: "words-64" }, caller), "COLLECTION_NOT_FOUND");
      await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, { ...caller, tenantId: "tenant-b" }), "COLLECTION_NOT_FOUND");

      const callsBefore = embedder.calls.get("words-32") ?? 0;
      const release = embedder.hold("words-32");
      const ingesting = retrieval.ingestion.ingest(documentAbout(collection.id, 8), caller, never);
      // Its first batch is held in the embedder: the document is INGESTING.
      while ((embedder.calls.get("words-32") ?? 0) === callsBefore) await new Promise((resolve) => setImmediate(resolve));
      const refused = await expectCode(retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller), "INGESTION_IN_PROGRESS");
      assert.equal((refused.extensions.documentIds as string[]).length, 1);
      release();
      await ingesting;
      await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller);
      await retrieval.migrations.whenIdle();
    } finally {
      await cleanUp();
    }
  });

  it("deleting the collection during a migration stops it and drops both storages", async () => {
    const { retrieval, store, embedder, collection, cleanUp } = await setUp();
    try {
      embedder.hold("words-64");
      const started = await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller);
      assert.equal(await retrieval.collections.delete(caller.tenantId, collection.id), true);
      await retrieval.migrations.whenIdle();
      assert.equal(await store.countChunks(storageScope(collection)), 0);
      assert.equal(await store.countChunks({ tenantId: caller.tenantId, collectionId: started.migration?.targetStorageId ?? "" }), 0);
    } finally {
      await cleanUp();
    }
  });

  it("a migration abandoned by a stopped service reads FAILED once its lease expired, and a new one takes over", async () => {
    const { retrieval, store, catalog, collection, cleanUp } = await setUp();
    try {
      const abandonedStorage: CollectionScope = { tenantId: caller.tenantId, collectionId: "col_abandoned" };
      await store.createCollection(abandonedStorage, 64);
      const startedAt = new Date(Date.now() - 120_000).toISOString();
      const { collection: stuck } = await catalog.beginMigration(
        caller.tenantId,
        collection.id,
        {
          id: "mig_abandoned",
          status: "RUNNING",
          sourceEmbeddingModelId: "words-32",
          targetEmbeddingModelId: "words-64",
          targetDimensions: 64,
          targetStorageId: abandonedStorage.collectionId,
          chunksTotal: 60,
          chunksEmbedded: 16,
          recallAtTen: null,
          minimumRecall: 0.9,
          error: null,
          startedAt,
          finishedAt: null,
          leaseExpiresAt: new Date(Date.now() - 60_000).toISOString(),
        },
        startedAt,
      );
      const reported = asReported(stuck.migration ?? assert.fail("no migration"), new Date().toISOString());
      assert.deepEqual([reported.status, reported.error?.code], ["FAILED", "SERVICE_UNAVAILABLE"]);
      // The collection is writable, and a new migration takes over and drops the abandoned storage.
      await retrieval.ingestion.ingest(documentAbout(collection.id, 9), caller, never);
      await retrieval.migrations.migrate({ collectionId: collection.id, embeddingModel: "words-64" }, caller);
      await retrieval.migrations.whenIdle();
      assert.equal((await catalog.getCollection(caller.tenantId, collection.id))?.migration?.status, "COMPLETED");
      assert.equal(await store.countChunks(abandonedStorage), 0);
    } finally {
      await cleanUp();
    }
  });
}

describe("collection migration on LanceDB", () => {
  migrationScenarios(async () => new LanceDbChunkStore({ directory: await temporaryDirectory("migration-lancedb") }));
});

const milvus = await provisionMilvus();
describe("collection migration on Milvus", { skip: milvus.skip }, () => {
  let prefix = 0;
  migrationScenarios(async () => new MilvusChunkStore({ address: requireMilvus(milvus).address, collectionPrefix: `migration${(prefix += 1)}_` }));
});

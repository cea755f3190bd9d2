import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { EmbeddedModelStore } from "../../../subgraphs/model-registry/store/embedded-model-store.ts";
import type { CollectionRecord, DocumentRecord } from "../../../subgraphs/retrieval/catalog/retrieval-catalog.ts";
import { EmbeddedRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import { LanceDbChunkStore } from "../../../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import type { ValidatedDocument } from "../../../subgraphs/retrieval/document-input.ts";
import type { Embedder } from "../../../subgraphs/retrieval/embedder.ts";
import { defaultRetrievalLimits } from "../../../subgraphs/retrieval/retrieval-limits.ts";
import { RetrievalService } from "../../../subgraphs/retrieval/retrieval-service.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { unusedReranker } from "../../harness/unused-reranker.ts";

const dimensions = 4;
const caller: RequestContext = { requestId: "r", tenantId: "tenant-a", apiKeyId: "k", roles: ["member"] };

/**
 * TEST DOUBLE: counts a token per word; each `embed` call (a batch) waits until the test releases
 * it, or rejects with its signal's reason when aborted, as a call to the inference service would.
 * No timing: the test moves the ingestion on batch by batch.
 */
class GatedEmbedder implements Embedder {
  /** Embedding calls started so far. */
  calls = 0;
  /** Calls whose signal aborted while they waited. */
  aborted = 0;
  readonly #held: (() => void)[] = [];
  readonly #waiters: (() => void)[] = [];

  async countTokens(_modelId: string, texts: readonly string[]): Promise<number[]> {
    return texts.map((text) => text.split(/\s+/).filter(Boolean).length);
  }

  embed(_modelId: string, texts: readonly string[], _context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]> {
    this.calls += 1;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.aborted += 1;
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#held.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(texts.map(() => new Float32Array([1, 0, 0, 0])));
      });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once `count` calls have started (some may be held). */
  async started(count: number): Promise<void> {
    while (this.calls < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Lets the oldest held call return its vectors. */
  releaseOne(): void {
    const release = this.#held.shift();
    assert.ok(release !== undefined, "a batch is held");
    release();
  }
}

describe("deleting a document or collection stops its ingestion", () => {
  let directory: string;
  let catalog: EmbeddedRetrievalCatalog;
  let chunks: LanceDbChunkStore;
  let retrieval: RetrievalService;
  let embedder: GatedEmbedder;
  let collectionNumber = 0;

  /** A fresh collection (catalogue and store), chunks of at most 8 words. */
  const newCollection = async (): Promise<CollectionRecord> => {
    collectionNumber += 1;
    const collection: CollectionRecord = {
      id: `col_cancel${collectionNumber}`,
      tenantId: caller.tenantId,
      name: `cancel${collectionNumber}`,
      description: null,
      embeddingModelId: "embedder",
      dimensions,
      chunkMaxTokens: 16,
      chunkOverlapTokens: 0,
      createdAt: new Date().toISOString(),
    };
    await catalog.createCollection(collection);
    await chunks.createCollection({ tenantId: caller.tenantId, collectionId: collection.id }, dimensions);
    return collection;
  };
  /** 400 paragraphs of 8 words: 200 chunks, 100 batches of 2. */
  const largeDocument = (collectionId: string, waitForCompletion: boolean): ValidatedDocument => ({
    collectionId,
    source: "large.txt",
    title: null,
    content: Array.from({ length: 400 }, (_, paragraph) => `paragraph ${paragraph} has exactly eight words in it`).join("\n\n"),
    mediaType: "text/plain",
    metadata: {},
    waitForCompletion,
  });
  const chunksOf = (collection: CollectionRecord) => chunks.countChunks({ tenantId: caller.tenantId, collectionId: collection.id });

  before(async () => {
    directory = await temporaryDirectory("ingestion-cancel");
    catalog = new EmbeddedRetrievalCatalog(directory);
    chunks = new LanceDbChunkStore({ directory: `${directory}/lancedb` });
  });
  /** A service per test, so each starts with a fresh embedder and no background work. */
  const start = () => {
    embedder = new GatedEmbedder();
    retrieval = new RetrievalService({
      catalog,
      reranker: unusedReranker,
      chunks,
      models: new EmbeddedModelStore(directory),
      embedder,
      limits: { ...defaultRetrievalLimits, embeddingBatchSize: 2 },
      logger: createLogger("ingestion-cancel-test", "error"),
    });
  };
  after(async () => {
    await chunks.close();
    await catalog.close();
  });

  it("deleteDocument cancels a background ingestion: no batch is embedded or written after it returns", async () => {
    start();
    const collection = await newCollection();
    const record = await retrieval.ingestion.ingest(largeDocument(collection.id, false), caller, new AbortController().signal);
    await embedder.started(1);
    embedder.releaseOne();
    await embedder.started(2); // batch 1 was written; batch 2 is being embedded
    assert.equal(await retrieval.ingestion.deleteDocument(caller.tenantId, record.id), true);
    const callsAtDelete = embedder.calls;
    assert.equal(embedder.aborted, 1, "the batch in flight was aborted");
    // Whatever the ingestion would still do has had every chance: close() waits for background work.
    await retrieval.close();
    assert.equal(embedder.calls, callsAtDelete, "no batch started after the delete returned");
    assert.equal(callsAtDelete, 2, "of 100 batches, only the two started before the delete");
    assert.equal(await catalog.getDocument(caller.tenantId, record.id), undefined);
    assert.equal(await chunksOf(collection), 0, "nothing of the document is left in the store");
  });

  it("deleteDocument fails a waiting ingestion with REQUEST_CANCELLED saying the document was deleted", async () => {
    start();
    const collection = await newCollection();
    const ingestion = retrieval.ingestion.ingest(largeDocument(collection.id, true), caller, new AbortController().signal);
    const outcome = ingestion.then(
      () => assert.fail("the ingestion should fail"),
      (error: unknown) => error,
    );
    await embedder.started(1);
    const [document] = await catalog.listDocuments(caller.tenantId, collection.id);
    assert.ok(document !== undefined);
    assert.equal(await retrieval.ingestion.deleteDocument(caller.tenantId, document.id), true);
    const error = await outcome;
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, "REQUEST_CANCELLED");
    assert.match(error.message, /document was deleted/);
    assert.equal(embedder.calls, 1);
    assert.equal(await chunksOf(collection), 0);
    await retrieval.close();
  });

  it("deleteCollection cancels the ingestions running into it before dropping its chunks", async () => {
    start();
    const collection = await newCollection();
    const first = await retrieval.ingestion.ingest(largeDocument(collection.id, false), caller, new AbortController().signal);
    const second = await retrieval.ingestion.ingest({ ...largeDocument(collection.id, false), source: "second.txt" }, caller, new AbortController().signal);
    await embedder.started(2); // one batch of each is in flight
    assert.equal(await retrieval.collections.delete(caller.tenantId, collection.id), true);
    const callsAtDelete = embedder.calls;
    assert.equal(embedder.aborted, 2);
    await retrieval.close();
    assert.equal(embedder.calls, callsAtDelete, "no batch started after the delete returned");
    assert.equal(await catalog.getCollection(caller.tenantId, collection.id), undefined);
    for (const record of [first, second]) assert.equal(await catalog.getDocument(caller.tenantId, record.id), undefined);
  });

  it("an ingestion whose document another replica deleted stops before its next batch", async () => {
    start();
    const collection = await newCollection();
    const ingestion = retrieval.ingestion.ingest(largeDocument(collection.id, true), caller, new AbortController().signal);
    const outcome = ingestion.then(
      (): DocumentRecord => assert.fail("the ingestion should fail"),
      (error: unknown) => error,
    );
    await embedder.started(1);
    const [document] = await catalog.listDocuments(caller.tenantId, collection.id);
    assert.ok(document !== undefined);
    // Another replica deletes it: through the catalogue, not this service, so nothing aborts here.
    await catalog.deleteDocument(caller.tenantId, document.id);
    embedder.releaseOne();
    const error = await outcome;
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, "REQUEST_CANCELLED");
    assert.equal(embedder.calls, 1, "the catalogue was checked before the next batch");
    assert.equal(await chunksOf(collection), 0, "the batch written meanwhile was removed");
    await retrieval.close();
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { EmbeddedModelStore } from "../../../subgraphs/model-registry/store/embedded-model-store.ts";
import type { CollectionRecord } from "../../../subgraphs/retrieval/catalog/retrieval-catalog.ts";
import { EmbeddedRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import { LanceDbChunkStore } from "../../../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { chunkIdOf } from "../../../subgraphs/retrieval/chunk-id.ts";
import type { Embedder } from "../../../subgraphs/retrieval/embedder.ts";
import { defaultRetrievalLimits } from "../../../subgraphs/retrieval/retrieval-limits.ts";
import { RetrievalService } from "../../../subgraphs/retrieval/retrieval-service.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { unusedReranker } from "../../harness/unused-reranker.ts";

const dimensions = 4;
const caller: RequestContext = { requestId: "r", tenantId: "tenant-a", apiKeyId: "k", roles: ["member"] };

/**
 * TEST DOUBLE: counts a token per word and embeds each text as a fixed vector; with `hang`, embedding
 * waits until its signal aborts, as a call to a stalled inference service would.
 */
class WordEmbedder implements Embedder {
  hang = false;

  async countTokens(_modelId: string, texts: readonly string[]): Promise<number[]> {
    return texts.map((text) => text.split(/\s+/).filter(Boolean).length);
  }

  embed(_modelId: string, texts: readonly string[], _context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]> {
    if (!this.hang) return Promise.resolve(texts.map(() => new Float32Array([1, 0, 0, 0])));
    return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
  }
}

describe("ingestion deadline (INGESTION_TIMEOUT_MILLIS)", () => {
  let retrieval: RetrievalService;
  let catalog: EmbeddedRetrievalCatalog;
  let chunks: LanceDbChunkStore;
  const embedder = new WordEmbedder();
  const collection: CollectionRecord = {
    id: "col_deadline",
    tenantId: caller.tenantId,
    name: "deadline",
    description: null,
    embeddingModelId: "embedder",
    dimensions,
    chunkMaxTokens: 64,
    chunkOverlapTokens: 0,
    createdAt: new Date().toISOString(),
  };
  const scope = { tenantId: caller.tenantId, collectionId: collection.id };
  const document = (source: string, content: string) => ({ collectionId: collection.id, source, title: null, content, mediaType: "text/plain" as const, metadata: {}, waitForCompletion: true });
  /** An ingestion begun `hoursAgo` by a service that then stopped, having written one chunk. */
  const abandon = async (source: string, generation: string, hoursAgo: number) => {
    const record = await catalog.beginIngestion({
      tenantId: caller.tenantId,
      collectionId: collection.id,
      newDocumentId: `doc_${source}`,
      source,
      title: null,
      mediaType: "text/plain",
      metadata: {},
      generation,
      now: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
    });
    await chunks.insertChunks(scope, [
      { id: chunkIdOf(record.id, generation, 0), documentId: record.id, generation, index: 0, text: "left behind", headingPath: "", tokenCount: 2, vector: new Float32Array([0, 1, 0, 0]) },
    ]);
    return record;
  };

  before(async () => {
    const directory = await temporaryDirectory("ingestion-deadline");
    catalog = new EmbeddedRetrievalCatalog(directory);
    chunks = new LanceDbChunkStore({ directory: `${directory}/lancedb` });
    retrieval = new RetrievalService({
      catalog,
      reranker: unusedReranker,
      chunks,
      models: new EmbeddedModelStore(directory),
      embedder,
      limits: { ...defaultRetrievalLimits, ingestionTimeoutMillis: 300 },
      logger: createLogger("ingestion-deadline-test", "error"),
    });
    await catalog.createCollection(collection);
    await chunks.createCollection(scope, dimensions);
  });
  after(async () => {
    await retrieval.close();
    await chunks.close();
    await catalog.close();
  });

  it("fails an ingestion still running at its deadline with INGESTION_TIMED_OUT, keeping nothing", async () => {
    embedder.hang = true;
    try {
      await assert.rejects(retrieval.ingestion.ingest(document("slow", "words that will never be embedded"), caller, new AbortController().signal), (error: unknown) => {
        assert.ok(error instanceof ServiceError);
        assert.equal(error.code, "INGESTION_TIMED_OUT");
        assert.equal(error.extensions.timeoutMillis, 300);
        assert.equal(error.extensions.retryable, true);
        return true;
      });
    } finally {
      embedder.hang = false;
    }
    assert.deepEqual(await catalog.listDocuments(caller.tenantId, collection.id), [], "a document that never completed is removed");
    assert.equal(await chunks.countChunks(scope), 0);
  });

  it("settles on read an ingestion whose service stopped: a new document goes, with its chunks", async () => {
    const record = await abandon("crashed-new", "gen1", 2);
    const [settled] = await retrieval.ingestion.settleAbandoned([record]);
    assert.equal(settled, undefined);
    assert.equal(await catalog.getDocument(caller.tenantId, record.id), undefined);
    assert.equal(await chunks.countChunks(scope), 0);
  });

  it("settles on read a re-ingestion whose service stopped: the previous version keeps serving, status FAILED", async () => {
    const served = await retrieval.ingestion.ingest(document("crashed-again", "the version that serves"), caller, new AbortController().signal);
    const servedChunks = await chunks.countChunks(scope);
    const record = await abandon("crashed-again", "gen2", 2);
    assert.equal(record.id, served.id);
    const loaders = retrieval.createLoaders(caller);
    const settled = await loaders.documents.load(record.id);
    assert.equal(settled?.activeGeneration, served.activeGeneration);
    assert.equal(settled?.ingestion?.status, "FAILED");
    assert.equal(settled?.ingestion?.error?.code, "INGESTION_TIMED_OUT");
    assert.equal(await chunks.countChunks(scope), servedChunks, "the abandoned generation's chunk is gone, the served ones stay");
  });

  it("keeps the chunks of an ingestion that completed after the record was read (another replica finished it)", async () => {
    const stale = await abandon("raced", "gen4", 2);
    const before = await chunks.countChunks(scope);
    await catalog.completeIngestion(caller.tenantId, stale.id, "gen4", { chunkCount: 1, tokenCount: 2, characterCount: 11, contentHash: "0".repeat(64), now: new Date().toISOString() });
    const [settled] = await retrieval.ingestion.settleAbandoned([stale]);
    assert.equal(settled?.activeGeneration, "gen4");
    assert.equal(settled?.ingestion, null);
    assert.equal(await chunks.countChunks(scope), before, "the now active chunk stays");
    await retrieval.ingestion.deleteDocument(caller.tenantId, stale.id);
  });

  it("leaves alone an ingestion still within its deadline and margin", async () => {
    const record = await abandon("recent", "gen3", 0);
    const [settled] = await retrieval.ingestion.settleAbandoned([record]);
    assert.equal(settled?.ingestion?.status, "INGESTING");
    await retrieval.ingestion.deleteDocument(caller.tenantId, record.id);
  });
});

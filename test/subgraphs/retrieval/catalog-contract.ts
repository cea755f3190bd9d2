import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import {
  CatalogConflictError,
  type BeginIngestion,
  type CollectionMigration,
  type CollectionRecord,
  type CompleteIngestion,
  type RetrievalCatalog,
} from "../../../subgraphs/retrieval/catalog/retrieval-catalog.ts";

const tenant = "tenant-a";
const otherTenant = "tenant-b";

function collectionRecord(overrides: Partial<CollectionRecord> = {}): CollectionRecord {
  return {
    id: "c1",
    tenantId: tenant,
    name: "handbook",
    description: null,
    embeddingModelId: "tiny-embed",
    dimensions: 8,
    chunkMaxTokens: 256,
    chunkOverlapTokens: 32,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function beginRequest(overrides: Partial<BeginIngestion> = {}): BeginIngestion {
  return {
    tenantId: tenant,
    collectionId: "c1",
    newDocumentId: "d1",
    source: "docs/intro.md",
    title: "Intro",
    mediaType: "text/markdown",
    metadata: { lang: "en" },
    generation: "g1",
    now: "2026-01-02T00:00:00.000Z",
    ...overrides,
  };
}

function completion(overrides: Partial<CompleteIngestion> = {}): CompleteIngestion {
  return { chunkCount: 3, tokenCount: 120, characterCount: 600, contentHash: "ab".repeat(32), now: "2026-01-03T00:00:00.000Z", ...overrides };
}

const failure = { code: "EMBEDDING_FAILED", message: "the embedder is down" };

/** A running migration of `c1` to a 16-dimensional model, its lease held until 2026-01-05. */
function migrationRecord(overrides: Partial<CollectionMigration> = {}): CollectionMigration {
  return {
    id: "m1",
    status: "RUNNING",
    sourceEmbeddingModelId: "tiny-embed",
    targetEmbeddingModelId: "wide-embed",
    targetDimensions: 16,
    targetStorageId: "s1",
    chunksTotal: 3,
    chunksEmbedded: 0,
    recallAtTen: null,
    minimumRecall: 0.9,
    error: null,
    startedAt: "2026-01-04T00:00:00.000Z",
    finishedAt: null,
    leaseExpiresAt: "2026-01-05T00:00:00.000Z",
    ...overrides,
  };
}
const whileHeld = "2026-01-04T12:00:00.000Z";
const afterLease = "2026-01-06T00:00:00.000Z";

async function assertConflict(promise: Promise<unknown>, reason: CatalogConflictError["reason"]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CatalogConflictError, `expected a catalogue conflict, got ${String(error)}`);
    assert.equal(error.reason, reason);
    return true;
  });
}

/**
 * The behaviour every RetrievalCatalog must have; run against each implementation. `createCatalog`
 * gives a new, empty catalogue for each test.
 */
export function retrievalCatalogContract(createCatalog: () => Promise<RetrievalCatalog>): void {
  let catalog: RetrievalCatalog;
  beforeEach(async () => {
    catalog = await createCatalog();
  });

  /** A collection `c1` of the tenant and a completed document `d1` in it. */
  async function readyDocument(): Promise<void> {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest());
    await catalog.completeIngestion(tenant, "d1", "g1", completion());
  }

  it("creates collections, gets them and lists the tenant's by name", async () => {
    const first = collectionRecord({ id: "c1", name: "zeta", description: "last" });
    await catalog.createCollection(first);
    await catalog.createCollection(collectionRecord({ id: "c2", name: "alpha" }));
    await catalog.createCollection(collectionRecord({ id: "c3", name: "mid", tenantId: otherTenant }));
    assert.deepEqual(await catalog.getCollection(tenant, "c1"), first);
    assert.equal(await catalog.getCollection(tenant, "missing"), undefined);
    assert.deepEqual((await catalog.listCollections(tenant)).map((collection) => collection.name), ["alpha", "zeta"]);
    assert.deepEqual(await catalog.listCollections("nobody"), []);
  });

  it("refuses a second collection of the same name for a tenant, but not for another tenant", async () => {
    await catalog.createCollection(collectionRecord({ id: "c1", name: "shared" }));
    await assertConflict(catalog.createCollection(collectionRecord({ id: "c2", name: "shared" })), "collection-name-taken");
    assert.equal(await catalog.getCollection(tenant, "c2"), undefined, "a refused create writes nothing");
    await catalog.createCollection(collectionRecord({ id: "c3", name: "shared", tenantId: otherTenant }));
    assert.equal((await catalog.getCollection(otherTenant, "c3"))?.name, "shared");
  });

  it("reports another tenant's collection as absent everywhere", async () => {
    await readyDocument();
    assert.equal(await catalog.getCollection(otherTenant, "c1"), undefined);
    assert.deepEqual(await catalog.listCollections(otherTenant), []);
    assert.deepEqual(await catalog.listDocuments(otherTenant, "c1"), []);
    assert.deepEqual(await catalog.metadataKeys(otherTenant, "c1"), []);
    assert.equal(await catalog.deleteCollection(otherTenant, "c1"), undefined);
    await assertConflict(catalog.beginIngestion(beginRequest({ tenantId: otherTenant, newDocumentId: "d9" })), "collection-not-found");
    assert.ok(await catalog.getCollection(tenant, "c1"), "the owner's collection is untouched");
    assert.equal((await catalog.listDocuments(tenant, "c1")).length, 1);
  });

  it("reports another tenant's document as absent everywhere", async () => {
    await readyDocument();
    assert.equal(await catalog.getDocument(otherTenant, "d1"), undefined);
    assert.deepEqual(await catalog.getDocuments(otherTenant, ["d1"]), [undefined]);
    assert.equal(await catalog.deleteDocument(otherTenant, "d1"), undefined);
    await assertConflict(catalog.completeIngestion(otherTenant, "d1", "g1", completion()), "document-not-found");
    assert.deepEqual(await catalog.failIngestion(otherTenant, "d1", "g1", failure, "2026-01-04T00:00:00.000Z"), { removed: false });
    assert.equal((await catalog.getDocument(tenant, "d1"))?.activeGeneration, "g1", "the owner's document is untouched");
  });

  it("creates a document for a new source with its ingestion running and nothing active", async () => {
    await catalog.createCollection(collectionRecord());
    const document = await catalog.beginIngestion(beginRequest());
    assert.deepEqual(document, {
      id: "d1",
      tenantId: tenant,
      collectionId: "c1",
      source: "docs/intro.md",
      title: "Intro",
      mediaType: "text/markdown",
      metadata: { lang: "en" },
      activeGeneration: null,
      chunkCount: 0,
      tokenCount: 0,
      characterCount: 0,
      contentHash: null,
      ingestion: {
        generation: "g1",
        status: "INGESTING",
        chunksEmbedded: 0,
        chunksTotal: null,
        startedAt: "2026-01-02T00:00:00.000Z",
        error: null,
        pending: { title: "Intro", mediaType: "text/markdown", metadata: { lang: "en" } },
      },
      createdAt: "2026-01-02T00:00:00.000Z",
      updatedAt: "2026-01-02T00:00:00.000Z",
    });
    assert.deepEqual(await catalog.getDocument(tenant, "d1"), document);
  });

  it("refuses an ingestion into a missing collection", async () => {
    await assertConflict(catalog.beginIngestion(beginRequest()), "collection-not-found");
    assert.equal(await catalog.getDocument(tenant, "d1"), undefined);
  });

  it("re-ingests an existing source on the same document, keeping its active generation serving", async () => {
    await readyDocument();
    const restarted = await catalog.beginIngestion(
      beginRequest({ newDocumentId: "d2", generation: "g2", title: "Intro v2", mediaType: "text/plain", metadata: { lang: "de" }, now: "2026-01-05T00:00:00.000Z" }),
    );
    assert.equal(restarted.id, "d1", "the source keeps its document");
    assert.equal(restarted.activeGeneration, "g1");
    assert.equal(restarted.chunkCount, 3);
    assert.equal(restarted.contentHash, "ab".repeat(32));
    assert.deepEqual(restarted.ingestion, {
      generation: "g2",
      status: "INGESTING",
      chunksEmbedded: 0,
      chunksTotal: null,
      startedAt: "2026-01-05T00:00:00.000Z",
      error: null,
      pending: { title: "Intro v2", mediaType: "text/plain", metadata: { lang: "de" } },
    });
    assert.equal(restarted.title, "Intro", "the active text's title stays until completion");
    assert.equal(restarted.mediaType, "text/markdown");
    assert.deepEqual(restarted.metadata, { lang: "en" });
    assert.equal(restarted.createdAt, "2026-01-02T00:00:00.000Z");
    assert.equal(restarted.updatedAt, "2026-01-05T00:00:00.000Z");
    assert.deepEqual(await catalog.getDocument(tenant, "d1"), restarted);
    assert.equal(await catalog.getDocument(tenant, "d2"), undefined, "no second document");
    assert.equal((await catalog.listDocuments(tenant, "c1")).length, 1);

    // Empty metadata, a null title and non-ASCII text survive a rewrite of the stored record.
    const emptied = await catalog.beginIngestion(beginRequest({ generation: "g3", title: null, metadata: {}, source: "docs/intro.md" }));
    assert.deepEqual(emptied.ingestion?.pending, { title: null, mediaType: "text/markdown", metadata: {} });
    assert.equal((await catalog.completeIngestion(tenant, "d1", "g3", completion())).document.title, null);
    assert.deepEqual((await catalog.getDocument(tenant, "d1"))?.metadata, {});
    await catalog.beginIngestion(beginRequest({ generation: "g4", title: "Einführung — 入門 😀", metadata: { "x.y": "ü/ß" } }));
    assert.deepEqual((await catalog.getDocument(tenant, "d1"))?.metadata, {}, "empty applied metadata survives a rewrite");
    assert.equal((await catalog.getDocument(tenant, "d1"))?.title, null);
    await catalog.completeIngestion(tenant, "d1", "g4", completion());
    const reread = await catalog.getDocument(tenant, "d1");
    assert.equal(reread?.title, "Einführung — 入門 😀");
    assert.deepEqual(reread?.metadata, { "x.y": "ü/ß" });
    await catalog.beginIngestion(beginRequest({ generation: "g5", metadata: {} }));
    await catalog.completeIngestion(tenant, "d1", "g5", completion());
    assert.deepEqual((await catalog.getDocument(tenant, "d1"))?.metadata, {});
  });

  it("keeps a re-ingested document's metadata, and filters on it, until the ingestion completes", async () => {
    await readyDocument();
    const sources = async (filters: { key: string; values: string[] }[]) => (await catalog.listDocuments(tenant, "c1", filters)).map((document) => document.source);
    await catalog.beginIngestion(beginRequest({ generation: "g2", title: "Intro v2", mediaType: "text/plain", metadata: { lang: "de", team: "docs" } }));
    await catalog.recordIngestionProgress(tenant, "d1", "g2", { chunksEmbedded: 2, chunksTotal: 4 });
    const running = await catalog.getDocument(tenant, "d1");
    assert.deepEqual([running?.title, running?.mediaType, running?.metadata], ["Intro", "text/markdown", { lang: "en" }]);
    assert.deepEqual(running?.ingestion?.pending, { title: "Intro v2", mediaType: "text/plain", metadata: { lang: "de", team: "docs" } }, "progress keeps the pending values");
    assert.deepEqual(await sources([{ key: "lang", values: ["en"] }]), ["docs/intro.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["de"] }]), [], "pending metadata does not match");
    assert.deepEqual(await sources([{ key: "team", values: ["docs"] }]), []);
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), ["lang"], "pending keys are not listed");

    const { document: completed } = await catalog.completeIngestion(tenant, "d1", "g2", completion({ now: "2026-01-06T00:00:00.000Z" }));
    assert.deepEqual([completed.title, completed.mediaType, completed.metadata], ["Intro v2", "text/plain", { lang: "de", team: "docs" }]);
    assert.equal(completed.activeGeneration, "g2");
    assert.equal(completed.ingestion, null);
    assert.deepEqual(await catalog.getDocument(tenant, "d1"), completed);
    assert.deepEqual(await sources([{ key: "lang", values: ["de"] }]), ["docs/intro.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["en"] }]), []);
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), ["lang", "team"]);
  });

  it("keeps a re-ingested document's metadata when the ingestion fails, dropping the pending values", async () => {
    await readyDocument();
    await catalog.beginIngestion(beginRequest({ generation: "g2", title: "Intro v2", mediaType: "text/plain", metadata: { lang: "de" } }));
    assert.deepEqual(await catalog.failIngestion(tenant, "d1", "g2", failure, "2026-01-04T00:00:00.000Z"), { removed: false });
    const failed = await catalog.getDocument(tenant, "d1");
    assert.deepEqual([failed?.title, failed?.mediaType, failed?.metadata], ["Intro", "text/markdown", { lang: "en" }]);
    assert.equal(failed?.ingestion?.status, "FAILED");
    assert.equal(failed?.ingestion?.pending, null);
    assert.deepEqual((await catalog.listDocuments(tenant, "c1", [{ key: "lang", values: ["en"] }])).map((document) => document.id), ["d1"]);
    assert.deepEqual(await catalog.listDocuments(tenant, "c1", [{ key: "lang", values: ["de"] }]), []);
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), ["lang"]);

    // The next re-ingestion brings its own values, applied when it completes.
    await catalog.beginIngestion(beginRequest({ generation: "g3", metadata: { lang: "fr" } }));
    assert.deepEqual((await catalog.getDocument(tenant, "d1"))?.metadata, { lang: "en" });
    assert.deepEqual((await catalog.completeIngestion(tenant, "d1", "g3", completion())).document.metadata, { lang: "fr" });
  });

  it("sets the values of a document whose first ingestion still runs at once, the newest ingestion's winning", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest({ generation: "g1", title: "First", metadata: { lang: "en" } }));
    const second = await catalog.beginIngestion(beginRequest({ generation: "g2", title: "Second", mediaType: "text/plain", metadata: { lang: "de" } }));
    assert.deepEqual([second.title, second.mediaType, second.metadata], ["Second", "text/plain", { lang: "de" }]);
    assert.deepEqual(await catalog.getDocument(tenant, "d1"), second);
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), ["lang"]);
    await assertConflict(catalog.completeIngestion(tenant, "d1", "g1", completion()), "ingestion-superseded");
    const { document } = await catalog.completeIngestion(tenant, "d1", "g2", completion());
    assert.deepEqual([document.title, document.mediaType, document.metadata], ["Second", "text/plain", { lang: "de" }]);
  });

  it("completes an ingestion by making its generation active and returns the one it replaced", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest());
    const first = await catalog.completeIngestion(tenant, "d1", "g1", completion());
    assert.equal(first.replacedGeneration, null);
    assert.equal(first.document.activeGeneration, "g1");
    assert.equal(first.document.ingestion, null);
    assert.deepEqual(
      [first.document.chunkCount, first.document.tokenCount, first.document.characterCount, first.document.contentHash, first.document.updatedAt],
      [3, 120, 600, "ab".repeat(32), "2026-01-03T00:00:00.000Z"],
    );
    assert.deepEqual(await catalog.getDocument(tenant, "d1"), first.document);

    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    const second = await catalog.completeIngestion(tenant, "d1", "g2", completion({ chunkCount: 5, contentHash: "cd".repeat(32) }));
    assert.equal(second.replacedGeneration, "g1");
    assert.equal(second.document.activeGeneration, "g2");
    assert.equal(second.document.chunkCount, 5);
  });

  it("refuses to complete a superseded, finished or deleted ingestion", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest({ generation: "g1" }));
    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    await assertConflict(catalog.completeIngestion(tenant, "d1", "g1", completion()), "ingestion-superseded");
    assert.equal((await catalog.getDocument(tenant, "d1"))?.activeGeneration, null, "a refused completion changes nothing");
    await catalog.completeIngestion(tenant, "d1", "g2", completion());
    await assertConflict(catalog.completeIngestion(tenant, "d1", "g2", completion()), "ingestion-superseded");
    await catalog.deleteDocument(tenant, "d1");
    await assertConflict(catalog.completeIngestion(tenant, "d1", "g2", completion()), "document-not-found");
  });

  it("records progress of the running ingestion only", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest({ generation: "g1" }));
    await catalog.recordIngestionProgress(tenant, "d1", "g1", { chunksEmbedded: 4, chunksTotal: null });
    assert.deepEqual(pick((await catalog.getDocument(tenant, "d1"))?.ingestion), { chunksEmbedded: 4, chunksTotal: null });
    await catalog.recordIngestionProgress(tenant, "d1", "g1", { chunksEmbedded: 8, chunksTotal: 10 });
    assert.deepEqual(pick((await catalog.getDocument(tenant, "d1"))?.ingestion), { chunksEmbedded: 8, chunksTotal: 10 });

    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    await catalog.recordIngestionProgress(tenant, "d1", "g1", { chunksEmbedded: 10, chunksTotal: 10 });
    const afterStale = await catalog.getDocument(tenant, "d1");
    assert.equal(afterStale?.ingestion?.generation, "g2");
    assert.deepEqual(pick(afterStale?.ingestion), { chunksEmbedded: 0, chunksTotal: null }, "a superseded ingestion's progress is ignored");

    await catalog.completeIngestion(tenant, "d1", "g2", completion());
    await catalog.recordIngestionProgress(tenant, "d1", "g2", { chunksEmbedded: 1, chunksTotal: 1 });
    assert.equal((await catalog.getDocument(tenant, "d1"))?.ingestion, null, "progress after completion is ignored");
    await catalog.recordIngestionProgress(tenant, "missing", "g1", { chunksEmbedded: 1, chunksTotal: 1 });
    await catalog.recordIngestionProgress(otherTenant, "d1", "g2", { chunksEmbedded: 1, chunksTotal: 1 });
  });

  it("removes a document whose first ingestion failed, freeing its source", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest());
    assert.deepEqual(await catalog.failIngestion(tenant, "d1", "g1", failure, "2026-01-04T00:00:00.000Z"), { removed: true });
    assert.equal(await catalog.getDocument(tenant, "d1"), undefined);
    assert.deepEqual(await catalog.listDocuments(tenant, "c1"), []);
    const again = await catalog.beginIngestion(beginRequest({ newDocumentId: "d2", generation: "g2" }));
    assert.equal(again.id, "d2", "the source is new again");
    assert.equal(again.activeGeneration, null);
  });

  it("keeps a completed document serving when its re-ingestion fails", async () => {
    await readyDocument();
    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    assert.deepEqual(await catalog.failIngestion(tenant, "d1", "g2", failure, "2026-01-04T00:00:00.000Z"), { removed: false });
    const document = await catalog.getDocument(tenant, "d1");
    assert.equal(document?.activeGeneration, "g1");
    assert.equal(document?.chunkCount, 3);
    assert.deepEqual(document?.ingestion, {
      generation: "g2",
      status: "FAILED",
      chunksEmbedded: 0,
      chunksTotal: null,
      startedAt: "2026-01-02T00:00:00.000Z",
      error: failure,
      pending: null,
    });
    assert.equal(document?.updatedAt, "2026-01-04T00:00:00.000Z");
    await assertConflict(catalog.completeIngestion(tenant, "d1", "g2", completion()), "ingestion-superseded");
  });

  it("ignores the failure of a superseded ingestion", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.beginIngestion(beginRequest({ generation: "g1" }));
    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    assert.deepEqual(await catalog.failIngestion(tenant, "d1", "g1", failure, "2026-01-04T00:00:00.000Z"), { removed: false });
    const document = await catalog.getDocument(tenant, "d1");
    assert.equal(document?.ingestion?.generation, "g2");
    assert.equal(document?.ingestion?.status, "INGESTING");
    assert.deepEqual(await catalog.failIngestion(tenant, "missing", "g1", failure, "2026-01-04T00:00:00.000Z"), { removed: false });
  });

  it("lists a collection's documents by source, filtered with AND across filters and OR within values", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.createCollection(collectionRecord({ id: "c2", name: "other" }));
    const documents: [string, string, Record<string, string>][] = [
      ["d1", "c.md", { lang: "en", team: "search" }],
      ["d2", "a.md", { lang: "de", team: "search" }],
      ["d3", "b.md", { lang: "en", team: "infra" }],
      ["d4", "d.md", {}],
    ];
    for (const [id, source, metadata] of documents) await catalog.beginIngestion(beginRequest({ newDocumentId: id, source, metadata }));
    await catalog.beginIngestion(beginRequest({ collectionId: "c2", newDocumentId: "d5", source: "a.md", metadata: { lang: "en" } }));
    const sources = async (filters?: { key: string; values: string[] }[]) => (await catalog.listDocuments(tenant, "c1", filters)).map((document) => document.source);
    assert.deepEqual(await sources(), ["a.md", "b.md", "c.md", "d.md"]);
    assert.deepEqual(await sources([]), ["a.md", "b.md", "c.md", "d.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["en"] }]), ["b.md", "c.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["en", "de"] }]), ["a.md", "b.md", "c.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["en", "de"] }, { key: "team", values: ["search"] }]), ["a.md", "c.md"]);
    assert.deepEqual(await sources([{ key: "lang", values: ["fr"] }]), []);
    assert.deepEqual(await sources([{ key: "missing", values: [""] }]), [], "a document without the key does not match an empty value");
    assert.deepEqual(await catalog.listDocuments(tenant, "missing"), []);
  });

  it("lists the metadata keys of a collection's documents, sorted, each once", async () => {
    await catalog.createCollection(collectionRecord());
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), []);
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d1", source: "a", metadata: { team: "x", lang: "en" } }));
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d2", source: "b", metadata: { lang: "de", audience: "ops" } }));
    assert.deepEqual(await catalog.metadataKeys(tenant, "c1"), ["audience", "lang", "team"]);
  });

  it("deletes a document and frees its source", async () => {
    await readyDocument();
    const deleted = await catalog.deleteDocument(tenant, "d1");
    assert.equal(deleted?.id, "d1");
    assert.equal(deleted?.activeGeneration, "g1");
    assert.equal(await catalog.getDocument(tenant, "d1"), undefined);
    assert.deepEqual(await catalog.listDocuments(tenant, "c1"), []);
    assert.equal(await catalog.deleteDocument(tenant, "d1"), undefined);
    assert.equal((await catalog.beginIngestion(beginRequest({ newDocumentId: "d2" }))).id, "d2");
  });

  it("deletes a collection with its documents and returns them", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.createCollection(collectionRecord({ id: "c2", name: "kept" }));
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d1", source: "b.md" }));
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d2", source: "a.md" }));
    await catalog.beginIngestion(beginRequest({ collectionId: "c2", newDocumentId: "d3", source: "a.md" }));
    const deleted = await catalog.deleteCollection(tenant, "c1");
    assert.equal(deleted?.collection.id, "c1");
    assert.deepEqual(deleted?.documents.map((document) => document.id).sort(), ["d1", "d2"]);
    assert.equal(await catalog.getCollection(tenant, "c1"), undefined);
    assert.deepEqual(await catalog.getDocuments(tenant, ["d1", "d2", "d3"]).then((documents) => documents.map((document) => document?.id)), [undefined, undefined, "d3"]);
    assert.deepEqual((await catalog.listCollections(tenant)).map((collection) => collection.id), ["c2"]);
    assert.equal(await catalog.deleteCollection(tenant, "c1"), undefined);
    await catalog.createCollection(collectionRecord({ id: "c4" }));
    assert.deepEqual(await catalog.listDocuments(tenant, "c4"), [], "the name is free again and the new collection starts empty");
  });

  it("loads many documents in the order of the ids, with gaps for missing ones", async () => {
    await catalog.createCollection(collectionRecord());
    await catalog.createCollection(collectionRecord({ id: "c9", tenantId: otherTenant }));
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d1", source: "a" }));
    await catalog.beginIngestion(beginRequest({ newDocumentId: "d2", source: "b" }));
    await catalog.beginIngestion(beginRequest({ tenantId: otherTenant, collectionId: "c9", newDocumentId: "d3", source: "c" }));
    const loaded = await catalog.getDocuments(tenant, ["d2", "missing", "d3", "d1", "d2"]);
    assert.deepEqual(loaded.map((document) => document?.id), ["d2", undefined, undefined, "d1", "d2"]);
    assert.deepEqual(await catalog.getDocuments(tenant, []), []);
  });

  it("makes one document of concurrent first ingestions of the same source", async () => {
    await catalog.createCollection(collectionRecord());
    const attempts = Array.from({ length: 10 }, (_, index) => catalog.beginIngestion(beginRequest({ newDocumentId: `d${index}`, generation: `g${index}` })));
    const documents = await Promise.all(attempts);
    assert.equal(new Set(documents.map((document) => document.id)).size, 1, "every call landed on the same document");
    const listed = await catalog.listDocuments(tenant, "c1");
    assert.equal(listed.length, 1);
    assert.ok(documents.some((document) => document.ingestion?.generation === listed[0]?.ingestion?.generation), "the last writer's generation is pending");
  });

  it("begins a migration that holds the collection against ingestions and other migrations until its lease expires", async () => {
    await readyDocument();
    const begun = await catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld);
    assert.equal(begun.replaced, null);
    assert.deepEqual(begun.collection.migration, migrationRecord());
    assert.deepEqual((await catalog.getCollection(tenant, "c1"))?.migration, migrationRecord());
    await assertConflict(catalog.beginMigration(tenant, "c1", migrationRecord({ id: "m2" }), whileHeld), "migration-running");
    await assertConflict(catalog.beginIngestion(beginRequest({ generation: "g2", now: whileHeld })), "migration-running");
    await assertConflict(catalog.beginIngestion(beginRequest({ newDocumentId: "d2", source: "new.md", generation: "g2", now: whileHeld })), "migration-running");
    // Abandoned (its lease expired): it holds nothing any more.
    const ingesting = await catalog.beginIngestion(beginRequest({ generation: "g3", now: afterLease }));
    assert.equal(ingesting.ingestion?.generation, "g3");
    await catalog.completeIngestion(tenant, "d1", "g3", completion());
    const next = await catalog.beginMigration(tenant, "c1", migrationRecord({ id: "m2", targetStorageId: "s2", leaseExpiresAt: "2026-01-07T00:00:00.000Z" }), afterLease);
    assert.equal(next.replaced?.id, "m1", "the abandoned migration is returned, so its storage can be dropped");
    assert.equal(next.collection.migration?.id, "m2");
  });

  it("refuses to begin a migration while a document of the collection is being ingested, or in another tenant's collection", async () => {
    await readyDocument();
    await catalog.beginIngestion(beginRequest({ generation: "g2" }));
    await assertConflict(catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld), "ingestion-running");
    await catalog.failIngestion(tenant, "d1", "g2", failure, whileHeld);
    await assertConflict(catalog.beginMigration(otherTenant, "c1", migrationRecord(), whileHeld), "collection-not-found");
    await catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld);
  });

  it("records a migration's progress and extends its lease; ignores another migration's", async () => {
    await readyDocument();
    await catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld);
    await catalog.recordMigrationProgress(tenant, "c1", "m1", { chunksEmbedded: 2, chunksTotal: 4, leaseExpiresAt: "2026-01-08T00:00:00.000Z" });
    await catalog.recordMigrationProgress(tenant, "c1", "m0", { chunksEmbedded: 3, chunksTotal: 9, leaseExpiresAt: "2026-01-09T00:00:00.000Z" });
    await catalog.recordMigrationProgress(otherTenant, "c1", "m1", { chunksEmbedded: 3, chunksTotal: 9, leaseExpiresAt: "2026-01-09T00:00:00.000Z" });
    const migration = (await catalog.getCollection(tenant, "c1"))?.migration;
    assert.deepEqual([migration?.chunksEmbedded, migration?.chunksTotal, migration?.leaseExpiresAt], [2, 4, "2026-01-08T00:00:00.000Z"]);
    await assertConflict(catalog.beginIngestion(beginRequest({ generation: "g2", now: afterLease })), "migration-running");
  });

  it("completes a migration by switching model, dimensions and storage in one step", async () => {
    await readyDocument();
    await catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld);
    await assertConflict(catalog.completeMigration(tenant, "c1", "m0", { recallAtTen: 1, now: whileHeld }), "migration-superseded");
    await assertConflict(catalog.completeMigration(otherTenant, "c1", "m1", { recallAtTen: 1, now: whileHeld }), "collection-not-found");
    const { previous, collection } = await catalog.completeMigration(tenant, "c1", "m1", { recallAtTen: 0.97, now: whileHeld });
    assert.deepEqual([previous.embeddingModelId, previous.dimensions, previous.storageId ?? previous.id], ["tiny-embed", 8, "c1"]);
    assert.deepEqual([collection.embeddingModelId, collection.dimensions, collection.storageId], ["wide-embed", 16, "s1"]);
    assert.deepEqual(collection.migration, migrationRecord({ status: "COMPLETED", recallAtTen: 0.97, finishedAt: whileHeld }));
    assert.deepEqual(await catalog.getCollection(tenant, "c1"), collection);
    await assertConflict(catalog.completeMigration(tenant, "c1", "m1", { recallAtTen: 1, now: whileHeld }), "migration-superseded");
    // A finished migration holds nothing.
    await catalog.beginIngestion(beginRequest({ generation: "g2", now: whileHeld }));
  });

  it("fails a migration, keeping the collection's model and storage; ignores another migration's failure", async () => {
    await readyDocument();
    await catalog.beginMigration(tenant, "c1", migrationRecord(), whileHeld);
    await catalog.failMigration(tenant, "c1", "m0", { error: failure, recallAtTen: null, now: whileHeld });
    assert.equal((await catalog.getCollection(tenant, "c1"))?.migration?.status, "RUNNING");
    await catalog.failMigration(tenant, "c1", "m1", { error: failure, recallAtTen: 0.5, now: whileHeld });
    const collection = await catalog.getCollection(tenant, "c1");
    assert.deepEqual([collection?.embeddingModelId, collection?.dimensions, collection?.storageId], ["tiny-embed", 8, undefined]);
    assert.deepEqual(collection?.migration, migrationRecord({ status: "FAILED", error: failure, recallAtTen: 0.5, finishedAt: whileHeld }));
    await assertConflict(catalog.completeMigration(tenant, "c1", "m1", { recallAtTen: 1, now: whileHeld }), "migration-superseded");
    await catalog.beginIngestion(beginRequest({ generation: "g2", now: whileHeld }));
  });

  it("reports healthy", async () => {
    await catalog.checkHealth();
  });
}

function pick(ingestion: { chunksEmbedded: number; chunksTotal: number | null } | null | undefined): { chunksEmbedded: number; chunksTotal: number | null } | undefined {
  return ingestion === null || ingestion === undefined ? undefined : { chunksEmbedded: ingestion.chunksEmbedded, chunksTotal: ingestion.chunksTotal };
}

import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import type { ChunkHit, ChunkInput, ChunkStore, CollectionScope } from "../../../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { cosineSimilarity } from "../../harness/cosine-similarity.ts";

const dimensions = 8;
const scope: CollectionScope = { tenantId: "tenant-a", collectionId: "collection-1" };

/** A deterministic generator, so a failing case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

export function randomVector(random: () => number, length: number): Float32Array {
  return Float32Array.from({ length }, () => random() * 2 - 1);
}


/** A chunk with the id layout the retrieval service uses; every field overridable. */
export function chunk(overrides: Partial<ChunkInput> & { documentId: string }, length = dimensions): ChunkInput {
  const generation = overrides.generation ?? "g1";
  const index = overrides.index ?? 0;
  return {
    id: `${overrides.documentId}:${generation}:${index}`,
    generation,
    index,
    text: `text of ${overrides.documentId} ${index}`,
    headingPath: "",
    tokenCount: 5,
    vector: randomVector(seededRandom(index + 1), length),
    ...overrides,
  };
}

function ids(hits: readonly ChunkHit[]): string[] {
  return hits.map((hit) => hit.chunk.id);
}

function assertDescending(hits: readonly ChunkHit[]): void {
  hits.forEach((hit, position) => {
    const previous = hits[position - 1];
    if (previous !== undefined) assert.ok(previous.score >= hit.score, `hits are not best first: ${previous.score} before ${hit.score}`);
  });
}

/** Texts for keyword tests: "zebra" is in 2 of 10 chunks, "giraffe" in 2, both in one. */
const animalTexts = [
  "the zebra crossed the river at dawn",
  "a zebra and a giraffe share the savanna",
  "the giraffe eats leaves from tall trees",
  "lions rest in the shade during the day",
  "elephants walk long distances for water",
  "hippos spend the day in the water",
  "birds sing in the morning light",
  "the river flows slowly to the sea",
  "rain falls on the dry plains in spring",
  "the day ends with a red sunset",
];

/**
 * The behaviour every ChunkStore must have; run against each implementation. `createStore` gives
 * a new, empty store for each test (closed after it).
 */
export function chunkStoreContract(createStore: () => Promise<ChunkStore>): void {
  let store: ChunkStore;
  beforeEach(async () => {
    store = await createStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("creates and drops collections idempotently", async () => {
    await store.createCollection(scope, dimensions);
    await store.createCollection(scope, dimensions);
    assert.equal(await store.countChunks(scope), 0);
    await store.insertChunks(scope, [chunk({ documentId: "d1" })]);
    await store.createCollection(scope, dimensions);
    assert.equal(await store.countChunks(scope), 1, "a second create keeps the chunks");
    await store.dropCollection(scope);
    await store.dropCollection(scope);
    await store.dropCollection({ tenantId: "tenant-a", collectionId: "never-created" });
    assert.equal(await store.countChunks(scope), 0);
  });

  it("refuses to create an existing collection with other dimensions, and to insert into a missing one", async () => {
    await store.createCollection(scope, dimensions);
    await assert.rejects(store.createCollection(scope, dimensions + 1), /dimensions/);
    await assert.rejects(store.insertChunks({ tenantId: "tenant-a", collectionId: "missing" }, [chunk({ documentId: "d1" })]), /does not exist/);
  });

  it("answers reads of a collection that does not exist as empty", async () => {
    const missing = { tenantId: "tenant-a", collectionId: "missing" };
    assert.equal(await store.countChunks(missing), 0);
    assert.deepEqual(await store.getChunks(missing, ["x"]), []);
    assert.deepEqual(await store.vectorSearch(missing, randomVector(seededRandom(1), dimensions), { limit: 5 }), []);
    assert.deepEqual(await store.keywordSearch(missing, "zebra", { limit: 5 }), []);
    await store.deleteDocumentChunks(missing, "d1");
  });

  it("finds the nearest chunks first, scored by cosine similarity", async () => {
    const random = seededRandom(42);
    // Not normalised, so a store ranking by dot product or L2 would fail.
    const chunks = Array.from({ length: 40 }, (_, index) =>
      chunk({ documentId: `d${index % 4}`, index, vector: randomVector(random, dimensions).map((value) => value * (1 + index)) }),
    );
    await store.createCollection(scope, dimensions);
    await store.insertChunks(scope, chunks);
    for (let round = 0; round < 3; round += 1) {
      const query = randomVector(random, dimensions);
      const exact = chunks.map((entry) => ({ id: entry.id, score: cosineSimilarity(query, entry.vector) })).sort((left, right) => right.score - left.score);
      const hits = await store.vectorSearch(scope, query, { limit: 10 });
      assert.deepEqual(ids(hits), exact.slice(0, 10).map((entry) => entry.id));
      hits.forEach((hit, position) => {
        assert.ok(Math.abs(hit.score - (exact[position]?.score ?? Number.NaN)) < 1e-4, `score ${hit.score} is not the cosine similarity ${exact[position]?.score}`);
      });
    }
    const own = chunks[7];
    assert.ok(own !== undefined);
    const [best] = await store.vectorSearch(scope, own.vector, { limit: 1 });
    assert.equal(best?.chunk.id, own.id);
    assert.ok(Math.abs((best?.score ?? 0) - 1) < 1e-4);
  });

  it("returns every stored field with a hit", async () => {
    const stored = chunk({ documentId: "d1", generation: "g7", index: 3, text: "the zebra", headingPath: "Guide > Animals", tokenCount: 42 });
    await store.createCollection(scope, dimensions);
    await store.insertChunks(scope, [stored]);
    const { vector: _vector, ...expected } = stored;
    assert.deepEqual((await store.vectorSearch(scope, stored.vector, { limit: 1 }))[0]?.chunk, expected);
    assert.deepEqual((await store.keywordSearch(scope, "zebra", { limit: 1 }))[0]?.chunk, expected);
    assert.deepEqual(await store.getChunks(scope, [stored.id]), [expected]);
  });

  it("ranks chunks containing the query's words first in keyword search", async () => {
    await store.createCollection(scope, dimensions);
    await store.insertChunks(
      scope,
      animalTexts.map((text, index) => chunk({ documentId: `d${index}`, text })),
    );
    const zebra = await store.keywordSearch(scope, "zebra", { limit: 5 });
    assert.deepEqual(new Set(ids(zebra).slice(0, 2)), new Set(["d0:g1:0", "d1:g1:0"]));
    assertDescending(zebra);
    // More matches than the limit: the best must be chosen, not the first found.
    assert.deepEqual(ids(await store.keywordSearch(scope, "giraffe zebra", { limit: 1 })), ["d1:g1:0"]);
    const both = await store.keywordSearch(scope, "giraffe zebra", { limit: 5 });
    assert.equal(both[0]?.chunk.id, "d1:g1:0", "the chunk with both words ranks first");
    assert.deepEqual(new Set(ids(both).slice(0, 3)), new Set(["d0:g1:0", "d1:g1:0", "d2:g1:0"]));
    assertDescending(both);
    assert.deepEqual(await store.keywordSearch(scope, "   ", { limit: 5 }), [], "a query without words finds nothing");
  });

  it("keeps keyword ranking right after a document is replaced", async () => {
    // The retrieval service's re-ingest: a new generation is written, then the old one deleted.
    // (LanceDB 0.37 ranked nothing here, returning the first matches in row order, until an optimize.)
    await store.createCollection(scope, dimensions);
    await store.insertChunks(scope, animalTexts.map((text, index) => chunk({ documentId: "d1", generation: "g1", index, text })));
    const reversed = [...animalTexts].reverse();
    await store.insertChunks(scope, reversed.map((text, index) => chunk({ documentId: "d1", generation: "g2", index, text: `${text} again` })));
    await store.deleteDocumentChunks(scope, "d1", { keepGeneration: "g2" });
    // Matches are g2:7 (giraffe), g2:8 (both words) and g2:9 (zebra), in that row order.
    assert.deepEqual(ids(await store.keywordSearch(scope, "giraffe zebra", { limit: 1 })), ["d1:g2:8"]);
    const hits = await store.keywordSearch(scope, "giraffe zebra", { limit: 3 });
    assert.equal(hits[0]?.chunk.id, "d1:g2:8");
    assert.deepEqual(new Set(ids(hits)), new Set(["d1:g2:7", "d1:g2:8", "d1:g2:9"]));
  });

  it("restricts both searches to the given documents", async () => {
    await store.createCollection(scope, dimensions);
    const chunks = animalTexts.map((text, index) => chunk({ documentId: `d${index}`, text }));
    await store.insertChunks(scope, chunks);
    const query = chunks[0]?.vector ?? new Float32Array(dimensions);
    const vectorHits = await store.vectorSearch(scope, query, { limit: 10, documentIds: ["d3", "d1"] });
    assert.deepEqual(new Set(ids(vectorHits)), new Set(["d1:g1:0", "d3:g1:0"]));
    const keywordHits = await store.keywordSearch(scope, "zebra giraffe", { limit: 10, documentIds: ["d2", "d5"] });
    assert.deepEqual(ids(keywordHits), ["d2:g1:0"]);
    assert.deepEqual(await store.vectorSearch(scope, query, { limit: 10, documentIds: [] }), []);
    assert.deepEqual(await store.keywordSearch(scope, "zebra", { limit: 10, documentIds: [] }), []);
  });

  it("respects the limit", async () => {
    await store.createCollection(scope, dimensions);
    await store.insertChunks(scope, Array.from({ length: 12 }, (_, index) => chunk({ documentId: "d1", index, text: `zebra number ${index}` })));
    assert.equal((await store.vectorSearch(scope, randomVector(seededRandom(9), dimensions), { limit: 3 })).length, 3);
    assert.equal((await store.keywordSearch(scope, "zebra", { limit: 4 })).length, 4);
    assert.equal((await store.vectorSearch(scope, randomVector(seededRandom(9), dimensions), { limit: 100 })).length, 12);
  });

  it("keeps tenants apart, even with the same collection id", async () => {
    const other = { tenantId: "tenant-b", collectionId: scope.collectionId };
    await store.createCollection(scope, dimensions);
    await store.createCollection(other, dimensions);
    const mine = chunk({ documentId: "shared-doc", generation: "ga", text: "zebra in tenant a" });
    const theirs = chunk({ documentId: "shared-doc", generation: "gb", text: "zebra in tenant b" });
    await store.insertChunks(scope, [mine]);
    await store.insertChunks(other, [theirs]);
    assert.deepEqual(ids(await store.vectorSearch(scope, theirs.vector, { limit: 10 })), [mine.id]);
    assert.deepEqual(ids(await store.keywordSearch(scope, "zebra", { limit: 10 })), [mine.id]);
    assert.deepEqual(await store.getChunks(scope, [theirs.id]), []);
    assert.equal(await store.countChunks(scope), 1);
    await store.deleteDocumentChunks(scope, "shared-doc");
    assert.equal(await store.countChunks(other), 1, "a delete in one tenant leaves the other's chunks");
    await store.dropCollection(scope);
    assert.deepEqual(ids(await store.keywordSearch(other, "zebra", { limit: 10 })), [theirs.id]);
  });

  it("keeps collections of one tenant apart", async () => {
    const sibling = { tenantId: scope.tenantId, collectionId: "collection-2" };
    await store.createCollection(scope, dimensions);
    await store.createCollection(sibling, dimensions);
    const first = chunk({ documentId: "d1", text: "zebra one" });
    const second = chunk({ documentId: "d2", text: "zebra two" });
    await store.insertChunks(scope, [first]);
    await store.insertChunks(sibling, [second]);
    assert.deepEqual(ids(await store.vectorSearch(scope, second.vector, { limit: 10 })), [first.id]);
    assert.deepEqual(ids(await store.keywordSearch(sibling, "zebra", { limit: 10 })), [second.id]);
    await store.dropCollection(sibling);
    assert.equal(await store.countChunks(scope), 1);
    assert.equal(await store.countChunks(sibling), 0);
  });

  it("deletes a document's chunks by generation, all but one generation, or all", async () => {
    await store.createCollection(scope, dimensions);
    const generations = ["g1", "g2", "g3"];
    await store.insertChunks(scope, [
      ...generations.flatMap((generation) => [0, 1].map((index) => chunk({ documentId: "d1", generation, index }))),
      chunk({ documentId: "d2", generation: "g1" }),
    ]);
    assert.equal(await store.countChunks(scope), 7, "every generation counts");
    await store.deleteDocumentChunks(scope, "d1", { generation: "g1" });
    assert.deepEqual((await store.getChunks(scope, ["d1:g1:0", "d1:g2:0", "d1:g3:1"])).map((entry) => entry.id), ["d1:g2:0", "d1:g3:1"]);
    await store.deleteDocumentChunks(scope, "d1", { keepGeneration: "g3" });
    assert.deepEqual((await store.getChunks(scope, ["d1:g2:0", "d1:g3:0", "d1:g3:1", "d2:g1:0"])).map((entry) => entry.id), ["d1:g3:0", "d1:g3:1", "d2:g1:0"]);
    await store.deleteDocumentChunks(scope, "d1");
    assert.equal(await store.countChunks(scope), 1);
    assert.deepEqual(ids(await store.vectorSearch(scope, randomVector(seededRandom(3), dimensions), { limit: 10 })), ["d2:g1:0"]);
  });

  it("gets chunks in the order asked, skipping unknown ids", async () => {
    await store.createCollection(scope, dimensions);
    await store.insertChunks(scope, [0, 1, 2].map((index) => chunk({ documentId: "d1", index })));
    const found = await store.getChunks(scope, ["d1:g1:2", "unknown", "d1:g1:0", "d1:g1:1"]);
    assert.deepEqual(found.map((entry) => entry.id), ["d1:g1:2", "d1:g1:0", "d1:g1:1"]);
    assert.deepEqual(await store.getChunks(scope, []), []);
  });

  it("removes everything with dropCollection, and lets the collection be created again", async () => {
    await store.createCollection(scope, dimensions);
    const stored = chunk({ documentId: "d1", text: "zebra" });
    await store.insertChunks(scope, [stored]);
    await store.dropCollection(scope);
    assert.equal(await store.countChunks(scope), 0);
    assert.deepEqual(await store.getChunks(scope, [stored.id]), []);
    assert.deepEqual(await store.keywordSearch(scope, "zebra", { limit: 5 }), []);
    await store.createCollection(scope, dimensions + 4);
    assert.equal(await store.countChunks(scope), 0);
    assert.deepEqual(await store.vectorSearch(scope, randomVector(seededRandom(2), dimensions + 4), { limit: 5 }), []);
    await store.insertChunks(scope, [chunk({ documentId: "d1" }, dimensions + 4)]);
    assert.equal(await store.countChunks(scope), 1);
  });

  it("takes quotes and backslashes in ids, texts and queries literally", async () => {
    await store.createCollection(scope, dimensions);
    const awkward = [`it's`, `say "hi"`, `back\\slash`, `mixed '" \\ ) OR 1=1 --`, "line\nbreak"];
    const chunks = awkward.map((documentId, index) => chunk({ documentId, generation: `gen'"${index}`, text: `zebra ${documentId} ${index}` }));
    await store.insertChunks(scope, chunks);
    for (const entry of chunks) {
      assert.deepEqual((await store.getChunks(scope, [entry.id])).map((found) => found.id), [entry.id]);
      assert.deepEqual(ids(await store.vectorSearch(scope, entry.vector, { limit: 10, documentIds: [entry.documentId] })), [entry.id]);
    }
    assert.equal((await store.keywordSearch(scope, `zebra "quoted" it's (AND) OR \\ --`, { limit: 10 })).length, chunks.length);
    const [first, second] = chunks;
    assert.ok(first !== undefined && second !== undefined);
    await store.deleteDocumentChunks(scope, first.documentId, { generation: first.generation });
    await store.deleteDocumentChunks(scope, second.documentId, { keepGeneration: second.generation });
    assert.equal(await store.countChunks(scope), chunks.length - 1);
  });

  it("rejects vectors whose length is not the collection's", async () => {
    await store.createCollection(scope, dimensions);
    await assert.rejects(store.insertChunks(scope, [chunk({ documentId: "d1" }), chunk({ documentId: "d2" }, dimensions - 1)]), /dimensions/);
    assert.equal(await store.countChunks(scope), 0, "a rejected insert writes nothing");
    await assert.rejects(store.vectorSearch(scope, new Float32Array(dimensions + 1), { limit: 5 }), /dimensions/);
  });

  it("reports healthy", async () => {
    await store.checkHealth();
  });
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as lancedb from "@lancedb/lancedb";
import { createLogger } from "../../../platform/logging/logger.ts";
import type { ChunkInput, CollectionScope } from "../../../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { LanceDbChunkStore } from "../../../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { MilvusChunkStore } from "../../../subgraphs/retrieval/chunk-store/milvus-chunk-store.ts";
import { provisionMilvus, requireMilvus } from "../../harness/milvus-server.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { cosineSimilarity } from "../../harness/cosine-similarity.ts";
import { chunk, chunkStoreContract, randomVector, seededRandom } from "./chunk-store-contract.ts";

const milvus = await provisionMilvus();
let counter = 0;

describe("LanceDbChunkStore", () => {
  chunkStoreContract(async () => new LanceDbChunkStore({ directory: await temporaryDirectory(`chunk-store-${(counter += 1)}`) }));

  for (const [vectorIndex, indexType] of [["ivf-pq", "IvfPq"], ["hnsw", "IvfHnswSq"]] as const) {
  it(`builds an ANN index (${vectorIndex}) once the table is large enough, and it finds what exact search finds`, async () => {
    const directory = await temporaryDirectory(`chunk-store-ann-${vectorIndex}`);
    const store = new LanceDbChunkStore({ directory, indexMinRows: 1_000, vectorIndex, logger: createLogger("chunk-store-test", "warn") });
    const scope: CollectionScope = { tenantId: "tenant-a", collectionId: "large" };
    const dimensions = 64;
    const random = seededRandom(7);
    const chunks: ChunkInput[] = Array.from({ length: 2_000 }, (_, index) =>
      chunk({ documentId: `d${index % 50}`, index, text: `chunk ${index}`, vector: randomVector(random, dimensions) }, dimensions),
    );
    try {
      await store.createCollection(scope, dimensions);
      // The index is built by the insert that crosses 1,000 rows; the later rows stay unindexed
      // until an optimize, and must be found all the same.
      for (let start = 0; start < chunks.length; start += 400) await store.insertChunks(scope, chunks.slice(start, start + 400));
      assert.equal(await store.countChunks(scope), chunks.length);

      let found = 0;
      const queries = 20;
      for (let round = 0; round < queries; round += 1) {
        const query = randomVector(random, dimensions);
        const exact = new Set(
          chunks
            .map((entry) => ({ id: entry.id, score: cosineSimilarity(query, entry.vector) }))
            .sort((left, right) => right.score - left.score)
            .slice(0, 10)
            .map((entry) => entry.id),
        );
        const hits = await store.vectorSearch(scope, query, { limit: 10 });
        assert.equal(hits.length, 10);
        found += hits.filter((hit) => exact.has(hit.chunk.id)).length;
      }
      const recall = found / (10 * queries);
      assert.ok(recall >= 0.9, `recall@10 ${recall} is below 0.9`);
    } finally {
      await store.close();
    }

    const connection = await lancedb.connect(directory);
    const [name] = await connection.tableNames();
    assert.ok(name !== undefined);
    const table = await connection.openTable(name);
    const indexTypes = (await table.listIndices()).map((index) => index.indexType);
    table.close();
    connection.close();
    assert.ok(indexTypes.includes(indexType), `expected an ${indexType} index, found ${indexTypes.join(", ")}`);
  });
  }

  it("rebuilds an HNSW index whole once optimize() has split it into more than hnswMaximumParts parts", async () => {
    const lines: string[] = [];
    const logger = createLogger("chunk-store-test", "info", { destination: { write: (line: string) => lines.push(line) } });
    const store = new LanceDbChunkStore({ directory: await temporaryDirectory("chunk-store-parts"), vectorIndex: "hnsw", indexMinRows: 200, maxUnindexedRows: 50, hnswMaximumParts: 2, logger });
    const scope: CollectionScope = { tenantId: "tenant-a", collectionId: "parts" };
    const random = seededRandom(31);
    try {
      await store.createCollection(scope, 16);
      // Each insert of 60 leaves more than 50 rows outside the indexes: optimize() adds a part.
      for (let start = 0; start < 1_200; start += 60) {
        await store.insertChunks(scope, Array.from({ length: 60 }, (_, offset) => chunk({ documentId: `d${(start + offset) % 7}`, index: start + offset, vector: randomVector(random, 16) }, 16)));
      }
      const probe = randomVector(random, 16);
      assert.equal((await store.vectorSearch(scope, probe, { limit: 10 })).length, 10);
    } finally {
      await store.close();
    }
    const builds = lines.map((line) => JSON.parse(line) as { message?: string; rows?: number }).filter((line) => line.message === "built the vector index of a chunk table");
    // Built at 240 rows; without the parts rule the next build would wait for 16 x 240 rows.
    assert.ok(builds.length >= 3 && (builds.at(-1)?.rows ?? 0) < 240 * 16, JSON.stringify(builds.map((line) => line.rows)));
  });

  it("auto keeps an HNSW index where it reaches the recall target on the table's own rows, and builds IVF_PQ where it does not", async () => {
    const lines: string[] = [];
    const logger = createLogger("chunk-store-test", "info", { destination: { write: (line: string) => lines.push(line) } });
    const random = seededRandom(23);
    // Clustered: 200 tight clusters of 11 points far apart, so each point's 10 nearest are its cluster mates.
    const dimensions = 32;
    const clustered: ChunkInput[] = [];
    for (let cluster = 0; cluster < 200; cluster += 1) {
      const centre = randomVector(random, dimensions);
      for (let member = 0; member < 11; member += 1) {
        const vector = centre.map((value) => value + (random() - 0.5) * 0.002);
        clustered.push(chunk({ documentId: `d${cluster}`, index: clustered.length, text: `c${clustered.length}`, vector }, dimensions));
      }
    }
    // Uniform random 384-d vectors searched with a tiny candidate list: the sampled recall cannot reach 1.
    const uniform: ChunkInput[] = Array.from({ length: 2_200 }, (_, index) => chunk({ documentId: `d${index % 50}`, index, text: `u${index}`, vector: randomVector(random, 384) }, 384));
    for (const [name, chunks, options] of [
      ["clustered", clustered, {}],
      ["uniform", uniform, { minimumIndexRecall: 1, hnswSearchCandidates: 11 }],
    ] as const) {
      const store = new LanceDbChunkStore({ directory: await temporaryDirectory(`chunk-store-auto-${name}`), indexMinRows: 2_000, logger, ...options });
      const scope: CollectionScope = { tenantId: "tenant-a", collectionId: name };
      try {
        await store.createCollection(scope, chunks[0]?.vector.length ?? 0);
        await store.insertChunks(scope, chunks);
        const probe = chunks[5] as ChunkInput;
        const hits = await store.vectorSearch(scope, probe.vector, { limit: 5 });
        assert.equal(hits[0]?.chunk.id, probe.id, `${name}: a stored vector finds itself first`);
      } finally {
        await store.close();
      }
    }
    const builds = lines.map((line) => JSON.parse(line) as { message?: string; index?: string; recallAtTen?: number }).filter((line) => line.message === "built the vector index of a chunk table");
    assert.deepEqual(builds.map((line) => line.index), ["IVF_HNSW_SQ", "IVF_PQ"], JSON.stringify(builds));
    assert.ok((builds[0]?.recallAtTen ?? 0) >= 0.95, `clustered recall ${builds[0]?.recallAtTen}`);
    assert.ok(lines.some((line) => line.includes("missed the recall target")), "the uniform table's HNSW index was measured and dropped");
  });

  it("keeps the rows its indexes do not cover bounded, and rebuilds the vector index as the table doubles", async () => {
    const directory = await temporaryDirectory("chunk-store-upkeep");
    const lines: string[] = [];
    const logger = createLogger("chunk-store-test", "info", { destination: { write: (line: string) => lines.push(line) } });
    const maxUnindexedRows = 300;
    const store = new LanceDbChunkStore({ directory, indexMinRows: 500, maxUnindexedRows, indexRebuildGrowth: 2, optimizeEveryWrites: 1_000, logger });
    const scope: CollectionScope = { tenantId: "tenant-a", collectionId: "growing" };
    const dimensions = 16;
    const random = seededRandom(11);
    const connection = await lancedb.connect(directory);
    try {
      await store.createCollection(scope, dimensions);
      for (let start = 0; start < 2_600; start += 200) {
        const batch = Array.from({ length: 200 }, (_, offset) =>
          chunk({ documentId: `d${(start + offset) % 30}`, index: start + offset, text: `word${start + offset} common`, vector: randomVector(random, dimensions) }, dimensions),
        );
        await store.insertChunks(scope, batch);
        const [name] = await connection.tableNames();
        assert.ok(name !== undefined);
        const table = await connection.openTable(name);
        const indexes = await table.listIndices();
        table.close();
        const columns = indexes.flatMap((index) => index.columns).sort();
        assert.deepEqual(columns, start + 200 >= 500 ? ["document_id", "text", "vector"] : ["document_id", "text"]);
        for (const index of indexes) {
          assert.ok((index.numUnindexedRows ?? 0) <= maxUnindexedRows, `${index.name} leaves ${index.numUnindexedRows} rows uncovered after ${start + 200} rows`);
        }
        // The newest rows are found by keyword at once, whether or not an index covers them yet.
        const hits = await store.keywordSearch(scope, `word${start + 199}`, { limit: 3 });
        assert.equal(hits[0]?.chunk.text, `word${start + 199} common`);
      }
      // Built at 600 rows, rebuilt at 1,200 and 2,400: each time the table doubled.
      const builds = lines.map((line) => JSON.parse(line) as { message?: string; rows?: number }).filter((line) => line.message === "built the vector index of a chunk table");
      assert.deepEqual(builds.map((line) => line.rows), [600, 1_200, 2_400]);
    } finally {
      connection.close();
      await store.close();
    }
  });

  it("keeps chunks across a restart", async () => {
    const directory = await temporaryDirectory("chunk-store-restart");
    const scope: CollectionScope = { tenantId: "tenant-a", collectionId: "kept" };
    const first = new LanceDbChunkStore({ directory });
    await first.createCollection(scope, 8);
    await first.insertChunks(scope, [chunk({ documentId: "d1", text: "zebra" })]);
    await first.close();
    const second = new LanceDbChunkStore({ directory });
    try {
      assert.equal(await second.countChunks(scope), 1);
      assert.deepEqual((await second.keywordSearch(scope, "zebra", { limit: 5 })).map((hit) => hit.chunk.id), ["d1:g1:0"]);
      await assert.rejects(second.vectorSearch(scope, new Float32Array(4), { limit: 5 }), /dimensions/, "the dimensions are read back from the table");
    } finally {
      await second.close();
    }
  });
});

describe("MilvusChunkStore", { skip: milvus.skip }, () => {
  // A prefix per test: its own Milvus collections, so BM25 statistics and leftovers never cross tests.
  chunkStoreContract(async () => new MilvusChunkStore({ address: requireMilvus(milvus).address, collectionPrefix: `test${(counter += 1)}_` }));
});

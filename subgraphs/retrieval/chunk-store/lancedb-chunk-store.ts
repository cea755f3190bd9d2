import { createHash, randomInt } from "node:crypto";
import { mkdir } from "node:fs/promises";
import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from "apache-arrow";
import { createLogger, type Logger } from "../../../platform/logging/logger.ts";
import type { ChunkHit, ChunkInput, ChunkSearchOptions, ChunkStore, CollectionScope, StoredChunk } from "./chunk-store.ts";
import { assertDimensions, describeScope, positiveInteger, searchLimit } from "./chunk-store-checks.ts";

export interface LanceDbChunkStoreOptions {
  /** Directory holding one LanceDB table per collection (rows, full-text and vector indexes); created when missing. */
  directory: string;
  /**
   * Rows a collection's table must reach before its ANN index is built, by the insert that crosses
   * it; below it every vector search is exact. Default 10,000.
   */
  indexMinRows?: number;
  /**
   * Which ANN index a table gets. `auto` (the default) builds an HNSW graph (IVF_HNSW_SQ, one
   * partition), measures its recall@10 against exact search on a sample of the table's own rows,
   * and keeps it when that reaches `minimumIndexRecall`; otherwise it builds IVF_PQ with every
   * partition probed and exact re-ranking, which finds neighbours even where vectors have no
   * neighbourhood structure (uniform random vectors), at a higher latency. `hnsw` and `ivf-pq` force
   * one. See docs/BENCHMARKS.md, "Search on 100,000 real embeddings".
   */
  vectorIndex?: "auto" | "hnsw" | "ivf-pq";
  /** The recall@10 an HNSW index must reach on the sample for `auto` to keep it. Default 0.95. */
  minimumIndexRecall?: number;
  /** Rows of the table used as queries for that check (fewer when the table has fewer). Default 32. */
  indexRecallSampleSize?: number;
  /** Graph neighbours per node of the HNSW index (`m`). Default 20. */
  hnswNeighbours?: number;
  /** Candidates kept while building the HNSW graph (`efConstruction`). Default 150. */
  hnswConstructionCandidates?: number;
  /**
   * Candidates an HNSW search keeps (`ef`), at least the search's limit. Default 80: on 100,000 real
   * MiniLM embeddings, recall@10 0.98-0.99 at 1.5-1.7 ms p50 (ef 40: 0.96-0.98 at 1.2-1.5 ms).
   */
  hnswSearchCandidates?: number;
  /**
   * Parts an HNSW index may be split into before it is rebuilt whole: each `optimize()` adds a part
   * for the rows written since, and every part is searched (46 parts after 100 inserts of 1,000
   * rows: vector p50 18-21 ms; rebuilt whenever over 4: 3.3-3.7 ms, for 82 s of rebuilds over the
   * whole fill, about 15 s per 100,000 rows on 2 cores). Default 4.
   */
  hnswMaximumParts?: number;
  /**
   * IVF partitions of the ANN index. Default 1: on random 384-d vectors the true neighbours scatter
   * over partitions, so recall@10 ≥ 0.95 needed every partition probed (0.42 with 16 of 64, 0.70
   * with 32, 0.99 with all; measured at 100,000 rows), and then partitions only cost: each
   * `optimize()` adds a delta index whose every partition is loaded per search (64 partitions:
   * vector p50 50 ms after a 100-insert fill; 1 partition: 11.6 ms, recall@10 0.99).
   */
  indexPartitions?: number;
  /**
   * IVF partitions probed per search. Default 64, meaning all of them: LanceDB may train more than
   * `indexPartitions` asks (it searched 4 per delta for 1 asked), probes no more than there are,
   * and 1 probe there gave recall@10 0.32.
   */
  searchProbes?: number;
  /**
   * Dimensions per product-quantisation sub-vector (each coded in 8 bits): 4 keeps the codes
   * accurate enough for `refineFactor` to restore exact order (8 gave recall@10 0.80, measured).
   * Must divide the vector length; otherwise LanceDB's default is used. Default 4.
   */
  indexSubVectorDimensions?: number;
  /**
   * ANN candidates re-ranked by exact distance, as a multiple of `limit`: corrects the error of the
   * quantised codes the index compares. Default 20: at 100,000 random 384-d vectors, refine 5 / 10
   * / 20 gave recall@10 0.87 / 0.965 / 0.998 at 17.9 / 18.3 / 19.4 ms p50 (the re-ranking is cheap).
   */
  refineFactor?: number;
  /**
   * Rows a table may hold outside its indexes (vector, full-text, `document_id`) before a write
   * runs `optimize()` to fold them in; searches scan such rows exactly (about 1.4 to 2.9 µs a row
   * for a 384-d vector query, 5 µs for a keyword query, measured at 100,000 rows). Default 1,000.
   */
  maxUnindexedRows?: number;
  /**
   * The vector index is rebuilt (partitions and codebook retrained on every row) once the table holds
   * this multiple of the rows it was last built on; in between `optimize()` codes new rows with the
   * trained codebook, which is cheap. Default 16 (a rebuild at 100,000 rows of 384 dimensions took
   * 216 s on 2 cores, measured).
   */
  indexRebuildGrowth?: number;
  /**
   * Writes (inserts and deletes) to a table between two `optimize()` runs, which compact its files
   * and delete old versions, whatever `maxUnindexedRows` says. Default 20.
   */
  optimizeEveryWrites?: number;
  /** Age of table versions `optimize()` deletes, in milliseconds. Default 3,600,000 (1 hour). */
  keepVersionsMillis?: number;
  /** Where failures of background maintenance are reported. Default: a logger for "retrieval". */
  logger?: Logger;
}

/** Columns besides the vector, in `StoredChunk` order. */
const chunkColumns = ["id", "document_id", "generation", "chunk_index", "text", "heading_path", "token_count"];
/** Ids per `IN (...)` list, to keep SQL filters a reasonable size. */
const idsPerQuery = 1_000;

interface OpenTable {
  table: lancedb.Table;
  dimensions: number;
  hasVectorIndex: boolean;
  /** The vector index is an HNSW one (IVF_HNSW_SQ), searched with `ef`; otherwise IVF_PQ, searched with probes and re-ranking. */
  vectorIndexIsHnsw: boolean;
  /** Rows the vector index was last built on (for a table opened from disk: the rows it covered then). */
  vectorIndexBuiltRows: number;
  writesSinceOptimize: number;
}

/**
 * Chunks in LanceDB under a local directory: the default store, needing no server. One table per
 * collection, with a full-text (BM25) index on `text` and a B-tree on `document_id` from the start
 * and an ANN index on `vector` once the table is large enough for exact search to be slow (HNSW
 * where it meets the recall target on the table's vectors, else IVF_PQ: `vectorIndex`); rows the
 * indexes do not cover yet stay bounded (`maxUnindexedRows`).
 */
export class LanceDbChunkStore implements ChunkStore {
  readonly #directory: string;
  readonly #indexMinRows: number;
  readonly #vectorIndex: "auto" | "hnsw" | "ivf-pq";
  readonly #minimumIndexRecall: number;
  readonly #indexRecallSampleSize: number;
  readonly #hnswNeighbours: number;
  readonly #hnswConstructionCandidates: number;
  readonly #hnswSearchCandidates: number;
  readonly #hnswMaximumParts: number;
  readonly #indexPartitions: number;
  readonly #searchProbes: number;
  readonly #indexSubVectorDimensions: number;
  readonly #refineFactor: number;
  readonly #maxUnindexedRows: number;
  readonly #indexRebuildGrowth: number;
  readonly #optimizeEveryWrites: number;
  readonly #keepVersionsMillis: number;
  readonly #logger: Logger;
  #connection: Promise<lancedb.Connection> | undefined;
  readonly #tables = new Map<string, OpenTable>();
  /** Tail of each table's write queue: LanceDB commits concurrent writes optimistically, retrying on conflict; one writer per table avoids that. */
  readonly #writeQueues = new Map<string, Promise<unknown>>();

  constructor(options: LanceDbChunkStoreOptions) {
    this.#directory = options.directory;
    this.#indexMinRows = positiveInteger("indexMinRows", options.indexMinRows ?? 10_000);
    this.#vectorIndex = options.vectorIndex ?? "auto";
    const minimumRecall = options.minimumIndexRecall ?? 0.95;
    if (!(minimumRecall >= 0 && minimumRecall <= 1)) throw new Error(`minimumIndexRecall is between 0 and 1, not ${minimumRecall}.`);
    this.#minimumIndexRecall = minimumRecall;
    this.#indexRecallSampleSize = positiveInteger("indexRecallSampleSize", options.indexRecallSampleSize ?? 32);
    this.#hnswNeighbours = positiveInteger("hnswNeighbours", options.hnswNeighbours ?? 20);
    this.#hnswConstructionCandidates = positiveInteger("hnswConstructionCandidates", options.hnswConstructionCandidates ?? 150);
    this.#hnswSearchCandidates = positiveInteger("hnswSearchCandidates", options.hnswSearchCandidates ?? 80);
    this.#hnswMaximumParts = positiveInteger("hnswMaximumParts", options.hnswMaximumParts ?? 4);
    this.#indexPartitions = positiveInteger("indexPartitions", options.indexPartitions ?? 1);
    this.#searchProbes = positiveInteger("searchProbes", options.searchProbes ?? 64);
    this.#indexSubVectorDimensions = positiveInteger("indexSubVectorDimensions", options.indexSubVectorDimensions ?? 4);
    this.#refineFactor = positiveInteger("refineFactor", options.refineFactor ?? 20);
    this.#maxUnindexedRows = positiveInteger("maxUnindexedRows", options.maxUnindexedRows ?? 1_000);
    const growth = options.indexRebuildGrowth ?? 16;
    if (!(growth > 1)) throw new Error(`indexRebuildGrowth must be above 1, not ${growth}.`);
    this.#indexRebuildGrowth = growth;
    this.#optimizeEveryWrites = positiveInteger("optimizeEveryWrites", options.optimizeEveryWrites ?? 20);
    this.#keepVersionsMillis = options.keepVersionsMillis ?? 3_600_000;
    this.#logger = options.logger ?? createLogger("retrieval");
  }

  createCollection(scope: CollectionScope, dimensions: number): Promise<void> {
    positiveInteger("dimensions", dimensions);
    const name = tableName(scope);
    return this.#serialize(name, async () => {
      const existing = await this.#open(name);
      if (existing !== undefined) {
        if (existing.dimensions !== dimensions) {
          throw new Error(`Chunk collection ${describeScope(scope)} already exists with ${existing.dimensions} dimensions, not ${dimensions}.`);
        }
        await this.#ensureScalarIndexes(existing.table);
        return;
      }
      const connection = await this.#connect();
      const table = await connection.createEmptyTable(name, chunkSchema(dimensions), { mode: "create", existOk: true });
      // Created up front, on the empty table: rows added later are found at once (LanceDB scans
      // what an index does not cover yet), and `#maintain` folds them in.
      await this.#ensureScalarIndexes(table);
      this.#tables.set(name, { table, dimensions, hasVectorIndex: false, vectorIndexIsHnsw: false, vectorIndexBuiltRows: 0, writesSinceOptimize: 0 });
    });
  }

  dropCollection(scope: CollectionScope): Promise<void> {
    const name = tableName(scope);
    return this.#serialize(name, async () => {
      this.#tables.get(name)?.table.close();
      this.#tables.delete(name);
      try {
        await (await this.#connect()).dropTable(name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  insertChunks(scope: CollectionScope, chunks: readonly ChunkInput[]): Promise<void> {
    if (chunks.length === 0) return Promise.resolve();
    const name = tableName(scope);
    return this.#serialize(name, async () => {
      const open = await this.#open(name);
      if (open === undefined) throw new Error(`Chunk collection ${describeScope(scope)} does not exist; create it first.`);
      // All checked before anything is written: LanceDB would silently store a vector of the wrong length.
      for (const chunk of chunks) assertDimensions(scope, open.dimensions, chunk.vector, `chunk ${chunk.id}`);
      await open.table.add(chunks.map(toRow));
      await this.#maintain(name, open);
    });
  }

  deleteDocumentChunks(scope: CollectionScope, documentId: string, selection: { generation?: string; keepGeneration?: string } = {}): Promise<void> {
    const name = tableName(scope);
    return this.#serialize(name, async () => {
      const open = await this.#open(name);
      if (open === undefined) return;
      const conditions = [`document_id = ${sqlString(documentId)}`];
      if (selection.generation !== undefined) conditions.push(`generation = ${sqlString(selection.generation)}`);
      else if (selection.keepGeneration !== undefined) conditions.push(`generation <> ${sqlString(selection.keepGeneration)}`);
      await open.table.delete(conditions.join(" AND "));
      await this.#maintain(name, open);
    });
  }

  async vectorSearch(scope: CollectionScope, vector: Float32Array, options: ChunkSearchOptions): Promise<ChunkHit[]> {
    const open = await this.#open(tableName(scope));
    if (open === undefined) return [];
    assertDimensions(scope, open.dimensions, vector, "the query vector");
    const documentFilter = documentIdFilter(options.documentIds);
    if (documentFilter === null) return [];
    const limit = searchLimit(options.limit);
    let query = open.table
      .vectorSearch(vector)
      .distanceType("cosine")
      .select([...chunkColumns, "_distance"])
      .limit(limit);
    if (open.hasVectorIndex) query = this.#withIndexSettings(query, open, limit);
    if (documentFilter !== undefined) query = query.where(documentFilter);
    const rows: unknown[] = await query.toArray();
    // Cosine distance is 1 - cosine similarity.
    return rows.map((row) => ({ chunk: readChunk(row), score: 1 - readNumber(row, "_distance") }));
  }

  async keywordSearch(scope: CollectionScope, query: string, options: ChunkSearchOptions): Promise<ChunkHit[]> {
    if (query.trim() === "") return [];
    const open = await this.#open(tableName(scope));
    if (open === undefined) return [];
    const documentFilter = documentIdFilter(options.documentIds);
    if (documentFilter === null) return [];
    // A MatchQuery takes the text as words: quotes, AND/OR or parentheses in it are not syntax.
    let search = open.table
      .query()
      .fullTextSearch(new lancedb.MatchQuery(query, "text"))
      .select([...chunkColumns, "_score"])
      .limit(searchLimit(options.limit));
    if (documentFilter !== undefined) search = search.where(documentFilter);
    const rows: unknown[] = await search.toArray();
    const hits = rows.map((row) => ({ chunk: readChunk(row), score: readNumber(row, "_score") }));
    // Hits from the indexed part and from rows not yet indexed arrive unordered.
    return hits.sort((left, right) => right.score - left.score);
  }

  async getChunks(scope: CollectionScope, ids: readonly string[]): Promise<StoredChunk[]> {
    const open = await this.#open(tableName(scope));
    if (open === undefined || ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const found = new Map<string, StoredChunk>();
    for (let start = 0; start < unique.length; start += idsPerQuery) {
      const batch = unique.slice(start, start + idsPerQuery);
      const rows: unknown[] = await open.table
        .query()
        .where(`id IN (${batch.map(sqlString).join(", ")})`)
        .select(chunkColumns)
        .toArray();
      for (const row of rows) {
        const chunk = readChunk(row);
        found.set(chunk.id, chunk);
      }
    }
    return ids.flatMap((id) => {
      const chunk = found.get(id);
      return chunk === undefined ? [] : [chunk];
    });
  }

  async countChunks(scope: CollectionScope): Promise<number> {
    const open = await this.#open(tableName(scope));
    return open === undefined ? 0 : open.table.countRows();
  }

  async checkHealth(): Promise<void> {
    await (await this.#connect()).tableNames({ limit: 1 });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#writeQueues.values()]);
    for (const open of this.#tables.values()) open.table.close();
    this.#tables.clear();
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) (await connection).close();
  }

  #connect(): Promise<lancedb.Connection> {
    if (this.#connection !== undefined) return this.#connection;
    const connecting = mkdir(this.#directory, { recursive: true }).then(() => lancedb.connect(this.#directory));
    this.#connection = connecting;
    // Do not remember a failed connection: the next call tries again.
    connecting.catch(() => {
      if (this.#connection === connecting) this.#connection = undefined;
    });
    return connecting;
  }

  /** The table, from the cache or the directory; undefined when the collection does not exist. */
  async #open(name: string): Promise<OpenTable | undefined> {
    const cached = this.#tables.get(name);
    if (cached !== undefined) return cached;
    let table: lancedb.Table;
    try {
      table = await (await this.#connect()).openTable(name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const vectorIndex = (await table.listIndices()).find((index) => index.columns.includes("vector"));
    const opened: OpenTable = {
      table,
      dimensions: vectorDimensions(await table.schema()),
      hasVectorIndex: vectorIndex !== undefined,
      vectorIndexIsHnsw: isHnswIndex(vectorIndex),
      vectorIndexBuiltRows: vectorIndex?.numIndexedRows ?? 0,
      writesSinceOptimize: 0,
    };
    // Another caller may have opened it meanwhile: keep one handle per table.
    const raced = this.#tables.get(name);
    if (raced !== undefined) {
      table.close();
      return raced;
    }
    this.#tables.set(name, opened);
    return opened;
  }

  /**
   * The full-text (BM25) index on `text` and the B-tree on `document_id` (which makes a search's
   * document filter a cheap prefilter, and deletes by document fast), created when missing.
   */
  async #ensureScalarIndexes(table: lancedb.Table, known?: readonly lancedb.IndexConfig[]): Promise<void> {
    const indexes = known ?? (await table.listIndices());
    if (!indexes.some((index) => index.columns.includes("text"))) await table.createIndex("text", { config: lancedb.Index.fts() });
    if (!indexes.some((index) => index.columns.includes("document_id"))) await table.createIndex("document_id", { config: lancedb.Index.btree() });
  }

  /**
   * Index upkeep after a write, inside the table's write queue: builds the vector index once the
   * table is large enough and rebuilds it when the table has grown `indexRebuildGrowth`-fold since
   * or, for HNSW, when `optimize()` has split it into more than `hnswMaximumParts` parts;
   * runs `optimize()` when an index leaves more than `maxUnindexedRows` rows uncovered, every
   * `optimizeEveryWrites` writes, or at once when the full-text index covers no live row while
   * others exist. LanceDB 0.37 then returns the wrong top hits (measured: 76 of 100 top-k checks
   * failed after a document was re-ingested into an otherwise empty collection); any live indexed
   * row avoids it.
   */
  async #maintain(name: string, open: OpenTable): Promise<void> {
    open.writesSinceOptimize += 1;
    let indexes = await open.table.listIndices();
    await this.#ensureScalarIndexes(open.table, indexes);
    const rows = await open.table.countRows();
    const vectorIndex = indexes.find((index) => index.columns.includes("vector"));
    // LanceDB drops the vector index when every row is deleted: built again once the table is large again.
    open.hasVectorIndex = vectorIndex !== undefined;
    open.vectorIndexIsHnsw = isHnswIndex(vectorIndex);
    const tooManyParts = open.vectorIndexIsHnsw && (vectorIndex?.numSegments ?? 0) > this.#hnswMaximumParts;
    if (rows >= this.#indexMinRows && (!open.hasVectorIndex || tooManyParts || rows >= open.vectorIndexBuiltRows * this.#indexRebuildGrowth)) {
      // Rejoining parts keeps the kind of index its recall check chose; a new or grown index is checked again.
      await this.#buildVectorIndex(name, open, rows, tooManyParts && rows < open.vectorIndexBuiltRows * this.#indexRebuildGrowth ? "hnsw" : this.#vectorIndex);
      indexes = await open.table.listIndices();
    }
    const fullText = indexes.find((index) => index.columns.includes("text"));
    const uncovered = fullText !== undefined && fullText.numIndexedRows === 0 && (fullText.numUnindexedRows ?? 0) > 0;
    const mostUnindexed = Math.max(0, ...indexes.map((index) => index.numUnindexedRows ?? 0));
    if (uncovered || mostUnindexed > this.#maxUnindexedRows || open.writesSinceOptimize >= this.#optimizeEveryWrites) {
      open.writesSinceOptimize = 0;
      await this.#optimize(name, open, uncovered);
    }
  }

  async #optimize(name: string, open: OpenTable, required: boolean): Promise<void> {
    try {
      await open.table.optimize({ cleanupOlderThan: new Date(Date.now() - this.#keepVersionsMillis) });
    } catch (error) {
      // The write itself succeeded. A routine optimize may wait for the next; a required one may not.
      if (required) throw error;
      this.#logger.warn("optimizing a chunk table failed", { table: name, error });
    }
  }

  /** The search settings of the table's ANN index: `ef` for HNSW; probes and exact re-ranking for IVF_PQ. */
  #withIndexSettings(query: lancedb.VectorQuery, open: OpenTable, limit: number): lancedb.VectorQuery {
    // One IVF partition holds the graph; LanceDB refuses an ef below the rows asked for.
    if (open.vectorIndexIsHnsw) return query.nprobes(1).ef(Math.max(this.#hnswSearchCandidates, limit));
    return query.refineFactor(this.#refineFactor).nprobes(this.#searchProbes);
  }

  /** Builds the table's ANN index of `kind`: for `auto`, HNSW when its measured recall is enough, else IVF_PQ. */
  async #buildVectorIndex(name: string, open: OpenTable, rows: number, kind: "auto" | "hnsw" | "ivf-pq"): Promise<void> {
    const started = Date.now();
    if (kind !== "ivf-pq") {
      await open.table.createIndex("vector", {
        config: lancedb.Index.hnswSq({ distanceType: "cosine", numPartitions: 1, m: this.#hnswNeighbours, efConstruction: this.#hnswConstructionCandidates }),
        replace: true,
      });
      open.hasVectorIndex = true;
      open.vectorIndexIsHnsw = true;
      open.vectorIndexBuiltRows = rows;
      const recall = kind === "auto" ? await this.#sampledRecall(open, rows) : undefined;
      if (recall === undefined || recall >= this.#minimumIndexRecall) {
        this.#logger.info("built the vector index of a chunk table", { table: name, rows, index: "IVF_HNSW_SQ", recallAtTen: recall, millis: Date.now() - started });
        return;
      }
      this.#logger.info("an HNSW index missed the recall target on this table's vectors; building IVF_PQ instead", { table: name, rows, recallAtTen: recall });
    }
    await open.table.createIndex("vector", {
      config: lancedb.Index.ivfPq({
        distanceType: "cosine",
        // Never more partitions than a few hundred rows each can train.
        numPartitions: Math.max(1, Math.min(this.#indexPartitions, Math.floor(rows / 256))),
        ...(open.dimensions % this.#indexSubVectorDimensions === 0 ? { numSubVectors: open.dimensions / this.#indexSubVectorDimensions } : {}),
      }),
      replace: true,
    });
    open.hasVectorIndex = true;
    open.vectorIndexIsHnsw = false;
    open.vectorIndexBuiltRows = rows;
    this.#logger.info("built the vector index of a chunk table", { table: name, rows, index: "IVF_PQ", millis: Date.now() - started });
  }

  /**
   * Recall@10 of the table's ANN index against exact search, with up to `indexRecallSampleSize`
   * of its own rows (from a random offset) as queries; each query's own row is left out of both
   * answers, so what counts is finding its neighbours.
   */
  async #sampledRecall(open: OpenTable, rows: number): Promise<number> {
    const size = Math.min(this.#indexRecallSampleSize, rows);
    const sample: unknown[] = await open.table.query().select(["id", "vector"]).offset(randomInt(Math.max(1, rows - size + 1))).limit(size).toArray();
    let total = 0;
    for (const row of sample) {
      const id = readString(row, "id");
      const vector = Float32Array.from(readColumn(row, "vector") as Iterable<number>);
      const neighbours = async (exact: boolean) => {
        let query = open.table.vectorSearch(vector).distanceType("cosine").select(["id", "_distance"]).limit(recallDepth + 1);
        query = exact ? query.bypassVectorIndex() : this.#withIndexSettings(query, open, recallDepth + 1);
        const found: unknown[] = await query.toArray();
        return found.map((hit) => readString(hit, "id")).filter((hitId) => hitId !== id).slice(0, recallDepth);
      };
      const [approximate, exact] = [await neighbours(false), await neighbours(true)];
      const returned = new Set(approximate);
      total += exact.length === 0 ? 1 : exact.filter((hitId) => returned.has(hitId)).length / exact.length;
    }
    return sample.length === 0 ? 1 : total / sample.length;
  }

  /** Runs `task` after every earlier write to the same table has settled. */
  #serialize<Result>(name: string, task: () => Promise<Result>): Promise<Result> {
    const previous = this.#writeQueues.get(name) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#writeQueues.set(name, tail);
    void tail.then(() => {
      if (this.#writeQueues.get(name) === tail) this.#writeQueues.delete(name);
    });
    return result;
  }
}

/**
 * A name safe on any filesystem: ids may differ only in letter case, which a case-insensitive
 * filesystem would merge, and may be long. The hash keeps tenant and collection apart unambiguously.
 */
export function tableName(scope: CollectionScope): string {
  const digest = createHash("sha256").update(JSON.stringify([scope.tenantId, scope.collectionId])).digest("hex");
  return `chunks_${digest.slice(0, 40)}`;
}

function chunkSchema(dimensions: number): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("document_id", new Utf8(), false),
    new Field("generation", new Utf8(), false),
    new Field("chunk_index", new Int32(), false),
    new Field("text", new Utf8(), false),
    new Field("heading_path", new Utf8(), false),
    new Field("token_count", new Int32(), false),
    new Field("vector", new FixedSizeList(dimensions, new Field("item", new Float32(), true)), false),
  ]);
}

function toRow(chunk: ChunkInput): Record<string, unknown> {
  return {
    id: chunk.id,
    document_id: chunk.documentId,
    generation: chunk.generation,
    chunk_index: chunk.index,
    text: chunk.text,
    heading_path: chunk.headingPath,
    token_count: chunk.tokenCount,
    vector: chunk.vector,
  };
}

/** Length of the `vector` column's lists. (Schema types come from LanceDB's own copy of Arrow, so no `instanceof`.) */
function vectorDimensions(schema: { fields: { name: string; type: unknown }[] }): number {
  const type = schema.fields.find((field) => field.name === "vector")?.type;
  if (typeof type === "object" && type !== null && "listSize" in type && typeof type.listSize === "number") return type.listSize;
  throw new Error("A chunk table has no fixed-size `vector` column.");
}

function readChunk(row: unknown): StoredChunk {
  return {
    id: readString(row, "id"),
    documentId: readString(row, "document_id"),
    generation: readString(row, "generation"),
    index: readNumber(row, "chunk_index"),
    text: readString(row, "text"),
    headingPath: readString(row, "heading_path"),
    tokenCount: readNumber(row, "token_count"),
  };
}

function readString(row: unknown, column: string): string {
  const value = readColumn(row, column);
  if (typeof value !== "string") throw new Error(`LanceDB returned a non-string ${column}.`);
  return value;
}

function readNumber(row: unknown, column: string): number {
  const value = readColumn(row, column);
  if (typeof value !== "number") throw new Error(`LanceDB returned a non-numeric ${column}.`);
  return value;
}

function readColumn(row: unknown, column: string): unknown {
  if (typeof row !== "object" || row === null) throw new Error("LanceDB returned a row that is not an object.");
  return (row as Record<string, unknown>)[column];
}

/** A SQL string literal: DataFusion takes backslashes literally, so only quotes need doubling. */
function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The `document_id IN (...)` filter; undefined for no filter, null when no document can match. */
function documentIdFilter(documentIds: readonly string[] | undefined): string | undefined | null {
  if (documentIds === undefined) return undefined;
  if (documentIds.length === 0) return null;
  return `document_id IN (${[...new Set(documentIds)].map(sqlString).join(", ")})`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /was not found/i.test(error.message);
}

/** Neighbours per query of the recall check: recall@10. */
const recallDepth = 10;

function isHnswIndex(index: { indexType: string } | undefined): boolean {
  return index !== undefined && /hnsw/i.test(index.indexType);
}

import { ConsistencyLevelEnum, DataType, FunctionType, MilvusClient, type FieldType, type ResStatus } from "@zilliz/milvus2-sdk-node";
import type { ChunkHit, ChunkInput, ChunkSearchOptions, ChunkStore, CollectionScope, StoredChunk } from "./chunk-store.ts";
import { assertDimensions, describeScope, positiveInteger, searchLimit } from "./chunk-store-checks.ts";

export type MilvusConsistencyLevel = "Strong" | "Session" | "Bounded" | "Eventually";

export interface MilvusChunkStoreOptions {
  /** `host:port` of the Milvus gRPC API, for example `milvus:19530`. */
  address: string;
  /** `user:password` or an API key; unset when Milvus runs without authentication. */
  token?: string;
  /** Milvus database (must exist); the server's default database when unset. */
  database?: string;
  /** Prefix of every Milvus collection this store creates. Default "aig_". */
  collectionPrefix?: string;
  /** HNSW `M`: graph edges per vector. Default 16. */
  hnswM?: number;
  /** HNSW `efConstruction`: candidates kept while building the graph. Default 200. */
  hnswEfConstruction?: number;
  /** HNSW `ef`: candidates kept while searching; raised to the search limit when smaller. Default 128. */
  hnswEf?: number;
  /** Consistency of every read; "Strong" makes a write visible to the next read. Default "Strong". */
  consistencyLevel?: MilvusConsistencyLevel;
  /** Chunks per insert request, to stay well below gRPC's message size limit. Default 500. */
  insertBatchSize?: number;
  /** Deadline of each Milvus call, in milliseconds. Default 30,000. */
  requestTimeoutMillis?: number;
}

/** Longest values the VarChar fields take, in bytes; Milvus refuses longer ones with a clear reason. */
const maxLength = { id: 1_024, tenant: 256, collection: 256, document: 512, generation: 256, headingPath: 8_192, text: 65_535, scopeKey: 1_024 };
/** Scalar fields a hit or lookup returns: `chunk_id` because milvus-lite leaves the primary key out of search hits. */
const chunkOutputFields = ["chunk_id", "document_id", "generation", "chunk_index", "text", "heading_path", "token_count"];
/** Ids per `id in [...]` query. */
const idsPerQuery = 1_000;

/**
 * Chunks in Milvus, shared by all tenants: one Milvus collection per vector length
 * (`<prefix>chunks_<dimensions>`) with `tenant_id` as its partition key, so a tenant's searches
 * touch only its partitions; every request filters on tenant and collection. `text` feeds a BM25
 * function whose sparse output makes keyword search. A small registry collection
 * (`<prefix>chunk_collections`) records each chunk collection's vector length, which the calls
 * without a vector need to find it.
 */
export class MilvusChunkStore implements ChunkStore {
  readonly #client: MilvusClient;
  readonly #prefix: string;
  readonly #hnswM: number;
  readonly #hnswEfConstruction: number;
  readonly #hnswEf: number;
  readonly #consistencyLevel: MilvusConsistencyLevel;
  readonly #insertBatchSize: number;
  /** Milvus collections known to exist, indexed and loaded, by name; a failed attempt is forgotten. */
  readonly #readyCollections = new Map<string, Promise<void>>();
  /** Vector length of each chunk collection seen, by scope key. Another process may drop and recreate one: a mismatch re-reads the registry. */
  readonly #dimensionsByScope = new Map<string, number>();

  constructor(options: MilvusChunkStoreOptions) {
    this.#prefix = options.collectionPrefix ?? "aig_";
    this.#hnswM = positiveInteger("hnswM", options.hnswM ?? 16);
    this.#hnswEfConstruction = positiveInteger("hnswEfConstruction", options.hnswEfConstruction ?? 200);
    this.#hnswEf = positiveInteger("hnswEf", options.hnswEf ?? 128);
    this.#consistencyLevel = options.consistencyLevel ?? "Strong";
    this.#insertBatchSize = positiveInteger("insertBatchSize", options.insertBatchSize ?? 500);
    this.#client = new MilvusClient({
      address: options.address,
      timeout: options.requestTimeoutMillis ?? 30_000,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.database === undefined ? {} : { database: options.database }),
    });
  }

  async createCollection(scope: CollectionScope, dimensions: number): Promise<void> {
    positiveInteger("dimensions", dimensions);
    const existing = await this.#dimensions(scope, { refresh: true });
    if (existing !== undefined && existing !== dimensions) {
      throw new Error(`Chunk collection ${describeScope(scope)} already exists with ${existing} dimensions, not ${dimensions}.`);
    }
    // The chunk collection first: a registry row always names a collection that exists.
    await this.#ensureChunkCollection(dimensions);
    if (existing === undefined) {
      const registry = await this.#ensureRegistry();
      const row = { scope_key: scopeKey(scope), tenant_id: scope.tenantId, collection_id: scope.collectionId, dimensions, placeholder_vector: [0, 0] };
      checkStatus("upsert into the chunk collection registry", (await this.#client.upsert({ collection_name: registry, data: [row] })).status);
    }
    this.#dimensionsByScope.set(scopeKey(scope), dimensions);
  }

  async dropCollection(scope: CollectionScope): Promise<void> {
    const dimensions = await this.#dimensions(scope, { refresh: true });
    if (dimensions === undefined) return;
    const collection = await this.#ensureChunkCollection(dimensions);
    checkStatus("delete chunks", (await this.#client.delete({ collection_name: collection, filter: scopeFilter(scope) })).status);
    const registry = await this.#ensureRegistry();
    checkStatus("delete from the chunk collection registry", (await this.#client.delete({ collection_name: registry, filter: `scope_key == ${literal(scopeKey(scope))}` })).status);
    this.#dimensionsByScope.delete(scopeKey(scope));
  }

  async insertChunks(scope: CollectionScope, chunks: readonly ChunkInput[]): Promise<void> {
    if (chunks.length === 0) return;
    const dimensions = await this.#dimensionsFor(scope, chunks[0]?.vector.length ?? 0);
    if (dimensions === undefined) throw new Error(`Chunk collection ${describeScope(scope)} does not exist; create it first.`);
    // All checked before anything is written.
    for (const chunk of chunks) assertDimensions(scope, dimensions, chunk.vector, `chunk ${chunk.id}`);
    const collection = await this.#ensureChunkCollection(dimensions);
    for (let start = 0; start < chunks.length; start += this.#insertBatchSize) {
      const data = chunks.slice(start, start + this.#insertBatchSize).map((chunk) => ({
        id: chunk.id,
        chunk_id: chunk.id,
        tenant_id: scope.tenantId,
        collection_id: scope.collectionId,
        document_id: chunk.documentId,
        generation: chunk.generation,
        chunk_index: chunk.index,
        heading_path: chunk.headingPath,
        token_count: chunk.tokenCount,
        text: chunk.text,
        vector: Array.from(chunk.vector),
      }));
      checkStatus("insert chunks", (await this.#client.insert({ collection_name: collection, data })).status);
    }
  }

  async deleteDocumentChunks(scope: CollectionScope, documentId: string, selection: { generation?: string; keepGeneration?: string } = {}): Promise<void> {
    const dimensions = await this.#dimensions(scope);
    if (dimensions === undefined) return;
    const collection = await this.#ensureChunkCollection(dimensions);
    const conditions = [scopeFilter(scope), `document_id == ${literal(documentId)}`];
    if (selection.generation !== undefined) conditions.push(`generation == ${literal(selection.generation)}`);
    else if (selection.keepGeneration !== undefined) conditions.push(`generation != ${literal(selection.keepGeneration)}`);
    checkStatus("delete chunks", (await this.#client.delete({ collection_name: collection, filter: conditions.join(" and ") })).status);
  }

  async vectorSearch(scope: CollectionScope, vector: Float32Array, options: ChunkSearchOptions): Promise<ChunkHit[]> {
    const limit = searchLimit(options.limit);
    const dimensions = await this.#dimensionsFor(scope, vector.length);
    if (dimensions === undefined) return [];
    assertDimensions(scope, dimensions, vector, "the query vector");
    const filter = searchFilter(scope, options.documentIds);
    if (filter === null) return [];
    const result = await this.#client.search({
      collection_name: await this.#ensureChunkCollection(dimensions),
      anns_field: "vector",
      data: Array.from(vector),
      limit,
      filter,
      output_fields: chunkOutputFields,
      // Always explicit: an empty metric fails on milvus-lite's unflushed data.
      metric_type: "COSINE",
      params: { ef: Math.max(this.#hnswEf, limit) },
      consistency_level: ConsistencyLevelEnum[this.#consistencyLevel],
    });
    checkStatus("vector search", result.status);
    // With COSINE, Milvus's score is the cosine similarity itself.
    return hitRows(result.results).map((row) => ({ chunk: readChunk(row), score: readNumber(row, "score") }));
  }

  async keywordSearch(scope: CollectionScope, query: string, options: ChunkSearchOptions): Promise<ChunkHit[]> {
    const limit = searchLimit(options.limit);
    if (query.trim() === "") return [];
    const dimensions = await this.#dimensions(scope);
    if (dimensions === undefined) return [];
    const filter = searchFilter(scope, options.documentIds);
    if (filter === null) return [];
    const result = await this.#client.search({
      collection_name: await this.#ensureChunkCollection(dimensions),
      anns_field: "text_sparse",
      // Raw text: the collection's BM25 function tokenizes it with the field's analyzer.
      data: query,
      limit,
      filter,
      output_fields: chunkOutputFields,
      metric_type: "BM25",
      consistency_level: ConsistencyLevelEnum[this.#consistencyLevel],
    });
    checkStatus("keyword search", result.status);
    // Hits come best first. A BM25 score is never negative, but milvus-lite reports it negated
    // (as a distance); the absolute value is the score on both it and Milvus.
    return hitRows(result.results).map((row) => ({ chunk: readChunk(row), score: Math.abs(readNumber(row, "score")) }));
  }

  async getChunks(scope: CollectionScope, ids: readonly string[]): Promise<StoredChunk[]> {
    if (ids.length === 0) return [];
    const dimensions = await this.#dimensions(scope);
    if (dimensions === undefined) return [];
    const collection = await this.#ensureChunkCollection(dimensions);
    const unique = [...new Set(ids)];
    const found = new Map<string, StoredChunk>();
    for (let start = 0; start < unique.length; start += idsPerQuery) {
      const batch = unique.slice(start, start + idsPerQuery);
      // A filter of our own rather than `get({ ids })`: the SDK puts ids into its filter unescaped.
      const result = await this.#client.query({
        collection_name: collection,
        filter: `${scopeFilter(scope)} and id in [${batch.map(literal).join(", ")}]`,
        output_fields: chunkOutputFields,
        limit: batch.length,
        consistency_level: ConsistencyLevelEnum[this.#consistencyLevel],
      });
      checkStatus("get chunks", result.status);
      for (const row of result.data) {
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
    const dimensions = await this.#dimensions(scope);
    if (dimensions === undefined) return 0;
    const result = await this.#client.count({ collection_name: await this.#ensureChunkCollection(dimensions), filter: scopeFilter(scope) });
    checkStatus("count chunks", result.status);
    return result.data;
  }

  async checkHealth(): Promise<void> {
    const health = await this.#client.checkHealth();
    if (!health.isHealthy) throw new Error(`Milvus reports itself unhealthy: ${JSON.stringify(health.reasons)}`);
  }

  async close(): Promise<void> {
    await this.#client.closeConnection();
  }

  /** The scope's vector length (undefined when the collection does not exist), from the cache unless `refresh`. */
  async #dimensions(scope: CollectionScope, options: { refresh?: boolean } = {}): Promise<number | undefined> {
    const key = scopeKey(scope);
    const cached = this.#dimensionsByScope.get(key);
    if (cached !== undefined && options.refresh !== true) return cached;
    const result = await this.#client.query({
      collection_name: await this.#ensureRegistry(),
      filter: `scope_key == ${literal(key)}`,
      output_fields: ["dimensions"],
      limit: 1,
      consistency_level: ConsistencyLevelEnum[this.#consistencyLevel],
    });
    checkStatus("read the chunk collection registry", result.status);
    const row = result.data[0];
    if (row === undefined) {
      this.#dimensionsByScope.delete(key);
      return undefined;
    }
    const dimensions = readNumber(row, "dimensions");
    this.#dimensionsByScope.set(key, dimensions);
    return dimensions;
  }

  /** Like `#dimensions`, but re-reads the registry when the cached length differs from `length`. */
  async #dimensionsFor(scope: CollectionScope, length: number): Promise<number | undefined> {
    const dimensions = await this.#dimensions(scope);
    return dimensions === undefined || dimensions === length ? dimensions : this.#dimensions(scope, { refresh: true });
  }

  #ensureChunkCollection(dimensions: number): Promise<string> {
    const name = `${this.#prefix}chunks_${dimensions}`;
    return this.#ensureCollection(name, {
      fields: chunkFields(dimensions),
      functions: [{ name: "text_bm25", type: FunctionType.BM25, input_field_names: ["text"], output_field_names: ["text_sparse"], params: {} }],
      indexes: [
        { field_name: "vector", index_type: "HNSW", metric_type: "COSINE", params: { M: this.#hnswM, efConstruction: this.#hnswEfConstruction } },
        { field_name: "text_sparse", index_type: "SPARSE_INVERTED_INDEX", metric_type: "BM25", params: { inverted_index_algo: "DAAT_MAXSCORE" } },
      ],
    });
  }

  #ensureRegistry(): Promise<string> {
    return this.#ensureCollection(`${this.#prefix}chunk_collections`, {
      fields: registryFields(),
      functions: [],
      // Milvus wants a vector field, indexed, in every loaded collection; the registry never searches it.
      indexes: [{ field_name: "placeholder_vector", index_type: "AUTOINDEX", metric_type: "L2", params: {} }],
    });
  }

  /**
   * Creates the collection and its indexes where missing, and loads it; once per process. Each step
   * checks first: Milvus refuses to create a collection or an index that already exists.
   */
  #ensureCollection(name: string, definition: CollectionDefinition): Promise<string> {
    let ready = this.#readyCollections.get(name);
    if (ready === undefined) {
      ready = this.#createAndLoad(name, definition);
      this.#readyCollections.set(name, ready);
      const attempt = ready;
      attempt.catch(() => {
        if (this.#readyCollections.get(name) === attempt) this.#readyCollections.delete(name);
      });
    }
    return ready.then(() => name);
  }

  async #createAndLoad(name: string, definition: CollectionDefinition): Promise<void> {
    const exists = await this.#client.hasCollection({ collection_name: name });
    checkStatus(`check collection ${name}`, exists.status);
    if (exists.value !== true) {
      try {
        checkStatus(
          `create collection ${name}`,
          await this.#client.createCollection({
            collection_name: name,
            fields: definition.fields,
            functions: definition.functions,
            consistency_level: this.#consistencyLevel,
          }),
        );
      } catch (error) {
        // Another process may have created it meanwhile.
        const now = await this.#client.hasCollection({ collection_name: name });
        if (now.value !== true) throw asError(`create collection ${name}`, error);
      }
    }
    const described = await this.#client.describeIndex({ collection_name: name });
    const indexed = new Set(isSuccess(described.status) ? described.index_descriptions.map((index) => index.field_name) : []);
    for (const index of definition.indexes) {
      if (indexed.has(index.field_name)) continue;
      checkStatus(`index ${name}.${index.field_name}`, await this.#client.createIndex({ collection_name: name, ...index }));
    }
    checkStatus(`load collection ${name}`, await this.#client.loadCollection({ collection_name: name }));
  }
}

interface CollectionDefinition {
  fields: FieldType[];
  functions: { name: string; type: FunctionType; input_field_names: string[]; output_field_names: string[]; params: Record<string, never> }[];
  indexes: { field_name: string; index_type: string; metric_type: string; params: Record<string, string | number> }[];
}

function chunkFields(dimensions: number): FieldType[] {
  return [
    { name: "id", data_type: DataType.VarChar, is_primary_key: true, max_length: maxLength.id },
    { name: "chunk_id", data_type: DataType.VarChar, max_length: maxLength.id },
    { name: "tenant_id", data_type: DataType.VarChar, is_partition_key: true, max_length: maxLength.tenant },
    { name: "collection_id", data_type: DataType.VarChar, max_length: maxLength.collection },
    { name: "document_id", data_type: DataType.VarChar, max_length: maxLength.document },
    { name: "generation", data_type: DataType.VarChar, max_length: maxLength.generation },
    { name: "chunk_index", data_type: DataType.Int64 },
    { name: "heading_path", data_type: DataType.VarChar, max_length: maxLength.headingPath },
    { name: "token_count", data_type: DataType.Int64 },
    { name: "text", data_type: DataType.VarChar, max_length: maxLength.text, enable_analyzer: true },
    { name: "text_sparse", data_type: DataType.SparseFloatVector },
    { name: "vector", data_type: DataType.FloatVector, dim: dimensions },
  ];
}

function registryFields(): FieldType[] {
  return [
    { name: "scope_key", data_type: DataType.VarChar, is_primary_key: true, max_length: maxLength.scopeKey },
    { name: "tenant_id", data_type: DataType.VarChar, max_length: maxLength.tenant },
    { name: "collection_id", data_type: DataType.VarChar, max_length: maxLength.collection },
    { name: "dimensions", data_type: DataType.Int64 },
    { name: "placeholder_vector", data_type: DataType.FloatVector, dim: 2 },
  ];
}

/** Registry key of a scope; JSON keeps any tenant and collection ids apart. */
function scopeKey(scope: CollectionScope): string {
  return JSON.stringify([scope.tenantId, scope.collectionId]);
}

function scopeFilter(scope: CollectionScope): string {
  return `tenant_id == ${literal(scope.tenantId)} and collection_id == ${literal(scope.collectionId)}`;
}

/** The scope filter, narrowed to documents; null when no document can match. */
function searchFilter(scope: CollectionScope, documentIds: readonly string[] | undefined): string | null {
  if (documentIds === undefined) return scopeFilter(scope);
  if (documentIds.length === 0) return null;
  return `${scopeFilter(scope)} and document_id in [${[...new Set(documentIds)].map(literal).join(", ")}]`;
}

const escapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * A double-quoted string literal of Milvus's filter language. Only these escapes: milvus-lite
 * refuses `\u` sequences, and Milvus (Go's unquoting) takes other characters as they are.
 * (Filter templates would avoid escaping, but milvus-lite does not parse them.)
 */
function literal(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (character) => escapes[character] ?? character)}"`;
}

function hitRows(results: unknown): Record<string, unknown>[] {
  if (!Array.isArray(results)) throw new Error("Milvus returned search results that are not a list.");
  return results.map((row: unknown) => {
    if (typeof row !== "object" || row === null) throw new Error("Milvus returned a search hit that is not an object.");
    return row as Record<string, unknown>;
  });
}

function readChunk(row: Record<string, unknown>): StoredChunk {
  return {
    id: readString(row, "chunk_id"),
    documentId: readString(row, "document_id"),
    generation: readString(row, "generation"),
    index: readNumber(row, "chunk_index"),
    text: readString(row, "text"),
    headingPath: readString(row, "heading_path"),
    tokenCount: readNumber(row, "token_count"),
  };
}

function readString(row: Record<string, unknown>, field: string): string {
  const value = row[field];
  if (typeof value !== "string") throw new Error(`Milvus returned a non-string ${field}.`);
  return value;
}

/** Int64 fields arrive as decimal strings. */
function readNumber(row: Record<string, unknown>, field: string): number {
  const value = row[field];
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || Number.isNaN(number)) throw new Error(`Milvus returned a non-numeric ${field}.`);
  return number;
}

function isSuccess(status: ResStatus): boolean {
  return (status.error_code === "Success" || status.error_code === 0) && !status.code;
}

function checkStatus(operation: string, status: ResStatus): void {
  if (!isSuccess(status)) throw new Error(`Milvus could not ${operation}: ${status.reason || `error ${status.error_code}`}`);
}

/** The SDK sometimes rejects with a bare status object instead of an Error. */
function asError(operation: string, error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === "object" && error !== null && "reason" in error && typeof error.reason === "string") {
    return new Error(`Milvus could not ${operation}: ${error.reason}`);
  }
  return new Error(`Milvus could not ${operation}: ${String(error)}`);
}


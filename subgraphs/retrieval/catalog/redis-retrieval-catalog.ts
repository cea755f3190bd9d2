import type { Redis } from "ioredis";
import { withRedis } from "../../../platform/storage/redis-connection.ts";
import { collectionMigrationSchema, collectionRecordSchema, documentRecordSchema, parseStoredJson } from "./catalog-record-schemas.ts";
import { matchesFilters, metadataKeysOf, sortCollections, sortDocuments } from "./catalog-queries.ts";
import { completionFields, newDocument, restartFields, restartUnservedFields } from "./document-transitions.ts";
import {
  beginIngestionScript,
  beginMigrationScript,
  completeIngestionScript,
  completeMigrationScript,
  createCollectionScript,
  deleteCollectionScript,
  deleteDocumentScript,
  failIngestionScript,
  failMigrationScript,
  recordMigrationProgressScript,
  recordProgressScript,
} from "./redis-catalog-scripts.ts";
import {
  CatalogConflictError,
  type BeginIngestion,
  type CollectionMigration,
  type CollectionRecord,
  type CompleteIngestion,
  type DocumentRecord,
  type IngestionFailure,
  type MetadataFilter,
  type RetrievalCatalog,
} from "./retrieval-catalog.ts";

/** How many records one MGET fetches when listing, to keep single replies small. */
const listBatchSize = 500;

/** The catalogue in Redis, shared by every retrieval replica. Key layout: see redis-catalog-scripts.ts. */
export class RedisRetrievalCatalog implements RetrievalCatalog {
  readonly #redis: Redis;
  readonly #prefix: string;

  /** `redis` stays owned by the caller; `keyPrefix` namespaces every key (for example `aigraph:`). */
  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}retrieval-catalog:`;
  }

  async createCollection(record: CollectionRecord): Promise<void> {
    const reply = await withRedis(() =>
      this.#redis.eval(createCollectionScript, 2, this.#collectionKey(record.id), this.#tenantCollectionsKey(record.tenantId), record.id, record.name, JSON.stringify(record)),
    );
    const [status] = replyOf(reply);
    if (status === "id-taken") throw new Error(`collection id ${record.id} already exists`);
    throwOnConflict(status);
  }

  async getCollection(tenantId: string, collectionId: string): Promise<CollectionRecord | undefined> {
    const json = await withRedis(() => this.#redis.get(this.#collectionKey(collectionId)));
    return json === null ? undefined : ofTenant(parseStoredJson(collectionRecordSchema, json, "collection"), tenantId);
  }

  async listCollections(tenantId: string): Promise<CollectionRecord[]> {
    const ids = await withRedis(() => this.#redis.hvals(this.#tenantCollectionsKey(tenantId)));
    const jsons = await this.#getMany(ids.map((id) => this.#collectionKey(id)));
    const collections = jsons.map((json) => parseStoredJson(collectionRecordSchema, json, "collection")).filter((collection) => collection.tenantId === tenantId);
    return sortCollections(collections);
  }

  async deleteCollection(tenantId: string, collectionId: string): Promise<{ collection: CollectionRecord; documents: DocumentRecord[] } | undefined> {
    const reply = await withRedis(() =>
      this.#redis.eval(
        deleteCollectionScript,
        3,
        this.#collectionKey(collectionId),
        this.#tenantCollectionsKey(tenantId),
        this.#collectionDocumentsKey(collectionId),
        tenantId,
        this.#prefix,
      ),
    );
    const [status, collectionJson, ...documentJsons] = replyOf(reply);
    if (status === "collection-not-found") return undefined;
    throwOnConflict(status);
    return {
      collection: parseStoredJson(collectionRecordSchema, requireJson(collectionJson), "collection"),
      documents: sortDocuments(documentJsons.map((json) => parseStoredJson(documentRecordSchema, json, "document"))),
    };
  }

  async beginIngestion(request: BeginIngestion): Promise<DocumentRecord> {
    const reply = await withRedis(() =>
      this.#redis.eval(
        beginIngestionScript,
        3,
        this.#collectionKey(request.collectionId),
        this.#collectionDocumentsKey(request.collectionId),
        this.#documentKey(request.newDocumentId),
        request.tenantId,
        request.source,
        request.newDocumentId,
        JSON.stringify(newDocument(request)),
        JSON.stringify(restartFields(request)),
        JSON.stringify(restartUnservedFields(request)),
        this.#prefix,
        request.now,
      ),
    );
    const [status, json] = replyOf(reply);
    if (status === "id-taken") throw new Error(`document id ${request.newDocumentId} already exists`);
    throwOnConflict(status);
    return parseStoredJson(documentRecordSchema, requireJson(json), "document");
  }

  async recordIngestionProgress(
    tenantId: string,
    documentId: string,
    generation: string,
    progress: { chunksEmbedded: number; chunksTotal: number | null },
  ): Promise<void> {
    await withRedis(() =>
      this.#redis.eval(
        recordProgressScript,
        1,
        this.#documentKey(documentId),
        tenantId,
        generation,
        String(progress.chunksEmbedded),
        progress.chunksTotal === null ? "" : String(progress.chunksTotal),
      ),
    );
  }

  async completeIngestion(
    tenantId: string,
    documentId: string,
    generation: string,
    result: CompleteIngestion,
  ): Promise<{ replacedGeneration: string | null; document: DocumentRecord }> {
    const fields = completionFields(generation, result);
    const reply = await withRedis(() => this.#redis.eval(completeIngestionScript, 1, this.#documentKey(documentId), tenantId, generation, JSON.stringify(fields)));
    const [status, json, replacedGeneration] = replyOf(reply);
    throwOnConflict(status);
    return { replacedGeneration: replacedGeneration ?? null, document: parseStoredJson(documentRecordSchema, requireJson(json), "document") };
  }

  async failIngestion(tenantId: string, documentId: string, generation: string, error: { code: string; message: string }, now: string): Promise<{ removed: boolean }> {
    const reply = await withRedis(() =>
      this.#redis.eval(failIngestionScript, 1, this.#documentKey(documentId), tenantId, generation, JSON.stringify(error), now, this.#prefix),
    );
    const [status] = replyOf(reply);
    if (status !== "removed" && status !== "failed" && status !== "ignored") throw unexpectedReply(reply);
    return { removed: status === "removed" };
  }

  async getDocument(tenantId: string, documentId: string): Promise<DocumentRecord | undefined> {
    const json = await withRedis(() => this.#redis.get(this.#documentKey(documentId)));
    return json === null ? undefined : ofTenant(parseStoredJson(documentRecordSchema, json, "document"), tenantId);
  }

  async getDocuments(tenantId: string, documentIds: readonly string[]): Promise<(DocumentRecord | undefined)[]> {
    if (documentIds.length === 0) return [];
    const jsons = await withRedis(() => this.#redis.mget(documentIds.map((id) => this.#documentKey(id))));
    return jsons.map((json) => (json === null ? undefined : ofTenant(parseStoredJson(documentRecordSchema, json, "document"), tenantId)));
  }

  async listDocuments(tenantId: string, collectionId: string, filters: readonly MetadataFilter[] = []): Promise<DocumentRecord[]> {
    if ((await this.getCollection(tenantId, collectionId)) === undefined) return [];
    const ids = await withRedis(() => this.#redis.hvals(this.#collectionDocumentsKey(collectionId)));
    const jsons = await this.#getMany(ids.map((id) => this.#documentKey(id)));
    const documents = jsons
      .map((json) => parseStoredJson(documentRecordSchema, json, "document"))
      .filter((document) => document.tenantId === tenantId && document.collectionId === collectionId && matchesFilters(document, filters));
    return sortDocuments(documents);
  }

  async metadataKeys(tenantId: string, collectionId: string): Promise<string[]> {
    return metadataKeysOf(await this.listDocuments(tenantId, collectionId));
  }

  async deleteDocument(tenantId: string, documentId: string): Promise<DocumentRecord | undefined> {
    const reply = await withRedis(() => this.#redis.eval(deleteDocumentScript, 1, this.#documentKey(documentId), tenantId, this.#prefix));
    const [status, json] = replyOf(reply);
    if (status === "document-not-found") return undefined;
    throwOnConflict(status);
    return parseStoredJson(documentRecordSchema, requireJson(json), "document");
  }

  async beginMigration(
    tenantId: string,
    collectionId: string,
    migration: CollectionMigration,
    now: string,
  ): Promise<{ collection: CollectionRecord; replaced: CollectionMigration | null }> {
    const reply = await withRedis(() =>
      this.#redis.eval(beginMigrationScript, 2, this.#collectionKey(collectionId), this.#collectionDocumentsKey(collectionId), tenantId, JSON.stringify(migration), now, this.#prefix),
    );
    const [status, json, replaced] = replyOf(reply);
    throwOnConflict(status);
    return {
      collection: parseStoredJson(collectionRecordSchema, requireJson(json), "collection"),
      replaced: replaced === undefined ? null : parseStoredJson(collectionMigrationSchema, replaced, "migration"),
    };
  }

  async recordMigrationProgress(tenantId: string, collectionId: string, migrationId: string, progress: { chunksEmbedded: number; chunksTotal: number; leaseExpiresAt: string }): Promise<void> {
    await withRedis(() =>
      this.#redis.eval(
        recordMigrationProgressScript,
        1,
        this.#collectionKey(collectionId),
        tenantId,
        migrationId,
        String(progress.chunksEmbedded),
        progress.leaseExpiresAt,
        String(progress.chunksTotal),
      ),
    );
  }

  async completeMigration(
    tenantId: string,
    collectionId: string,
    migrationId: string,
    result: { recallAtTen: number; now: string },
  ): Promise<{ previous: CollectionRecord; collection: CollectionRecord }> {
    const reply = await withRedis(() =>
      this.#redis.eval(completeMigrationScript, 1, this.#collectionKey(collectionId), tenantId, migrationId, String(result.recallAtTen), result.now),
    );
    const [status, previous, json] = replyOf(reply);
    throwOnConflict(status);
    return {
      previous: parseStoredJson(collectionRecordSchema, requireJson(previous), "collection"),
      collection: parseStoredJson(collectionRecordSchema, requireJson(json), "collection"),
    };
  }

  async failMigration(tenantId: string, collectionId: string, migrationId: string, outcome: { error: IngestionFailure; recallAtTen: number | null; now: string }): Promise<void> {
    await withRedis(() =>
      this.#redis.eval(
        failMigrationScript,
        1,
        this.#collectionKey(collectionId),
        tenantId,
        migrationId,
        JSON.stringify(outcome.error),
        outcome.recallAtTen === null ? "" : String(outcome.recallAtTen),
        outcome.now,
      ),
    );
  }

  checkHealth(): Promise<void> {
    return withRedis(async () => {
      await this.#redis.ping();
    });
  }

  async close(): Promise<void> {
    // The connection belongs to the caller, who may share it with other stores.
  }

  /** The values of `keys` that exist, fetched in batches; keys deleted meanwhile are left out. */
  async #getMany(keys: readonly string[]): Promise<string[]> {
    const values: string[] = [];
    for (let start = 0; start < keys.length; start += listBatchSize) {
      const batch = await withRedis(() => this.#redis.mget(keys.slice(start, start + listBatchSize)));
      for (const value of batch) if (value !== null) values.push(value);
    }
    return values;
  }

  #collectionKey(id: string): string {
    return `${this.#prefix}collection:${id}`;
  }

  #tenantCollectionsKey(tenantId: string): string {
    return `${this.#prefix}tenant-collections:${tenantId}`;
  }

  #collectionDocumentsKey(collectionId: string): string {
    return `${this.#prefix}collection-documents:${collectionId}`;
  }

  #documentKey(id: string): string {
    return `${this.#prefix}document:${id}`;
  }
}

function ofTenant<Record extends { tenantId: string }>(record: Record, tenantId: string): Record | undefined {
  return record.tenantId === tenantId ? record : undefined;
}

function replyOf(reply: unknown): string[] {
  if (!Array.isArray(reply) || reply.length === 0 || !reply.every((item): item is string => typeof item === "string")) throw unexpectedReply(reply);
  return reply;
}

function requireJson(json: string | undefined): string {
  if (json === undefined) throw new Error("a retrieval catalogue script returned no record");
  return json;
}

function throwOnConflict(status: string | undefined): void {
  switch (status) {
    case "ok":
      return;
    case "collection-name-taken":
    case "collection-not-found":
    case "document-not-found":
    case "ingestion-superseded":
    case "migration-running":
    case "ingestion-running":
    case "migration-superseded":
      throw new CatalogConflictError(status);
    default:
      throw new Error(`unexpected status from a retrieval catalogue script: ${String(status)}`);
  }
}

function unexpectedReply(reply: unknown): Error {
  return new Error(`unexpected reply from a retrieval catalogue script: ${JSON.stringify(reply)}`);
}

import { canUseModel } from "../../platform/authorization/model-scope.ts";
import { randomBytes } from "node:crypto";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ModelRecord } from "../model-registry/model-record.ts";
import type { ModelStore } from "../model-registry/store/model-store.ts";
import { storageScope } from "./collection-storage.ts";
import type { ChunkStore } from "./chunk-store/chunk-store.ts";
import { CatalogConflictError, type CollectionRecord, type RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import type { CreateCollectionInput } from "./generated/resolvers-types.ts";

const collectionNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;

/** A new random id with a readable prefix: `col_…`, `doc_…`. 96 random bits, URL- and filter-safe. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url").replaceAll("-", "x").replaceAll("_", "y")}`;
}

/** Creates, finds and deletes collections; binds each to an embedding model of the registry. */
export class CollectionService {
  readonly #catalog: RetrievalCatalog;
  readonly #chunks: ChunkStore;
  readonly #models: ModelStore;
  readonly #logger: Logger;
  readonly #stopWriters: (tenantId: string, collectionId: string) => Promise<void>;

  /**
   * `stopWriters` stops the ingestions and the migration running into a collection being deleted
   * and resolves once they cleaned up (`IngestionService.stopCollection`,
   * `CollectionMigrationService.stopCollection`); none by default.
   */
  constructor(dependencies: {
    catalog: RetrievalCatalog;
    chunks: ChunkStore;
    models: ModelStore;
    logger: Logger;
    stopWriters?: (tenantId: string, collectionId: string) => Promise<void>;
  }) {
    this.#catalog = dependencies.catalog;
    this.#chunks = dependencies.chunks;
    this.#models = dependencies.models;
    this.#logger = dependencies.logger;
    this.#stopWriters = dependencies.stopWriters ?? (async () => undefined);
  }

  async create(input: CreateCollectionInput, context: RequestContext): Promise<CollectionRecord> {
    if (!collectionNamePattern.test(input.name)) throw badUserInput("input.name", "A collection name has 1 to 100 letters, digits, `_`, `-` or `.`.");
    if (input.description !== undefined && input.description !== null && input.description.length > 1_000) {
      throw badUserInput("input.description", "description must have at most 1,000 characters.");
    }
    const { model, dimensions } = await this.requireEmbeddingModel(input.embeddingModel, context, "input.embeddingModel");
    const chunkMaxTokens = input.chunkMaxTokens ?? Math.min(256, model.contextLength);
    if (!Number.isInteger(chunkMaxTokens) || chunkMaxTokens < 16 || chunkMaxTokens > Math.min(8_192, model.contextLength)) {
      throw badUserInput("input.chunkMaxTokens", `chunkMaxTokens must be between 16 and ${Math.min(8_192, model.contextLength)} (the model's context length caps it), got ${chunkMaxTokens}.`);
    }
    const chunkOverlapTokens = input.chunkOverlapTokens ?? Math.min(32, Math.floor(chunkMaxTokens / 8));
    if (!Number.isInteger(chunkOverlapTokens) || chunkOverlapTokens < 0 || chunkOverlapTokens > chunkMaxTokens / 2) {
      throw badUserInput("input.chunkOverlapTokens", `chunkOverlapTokens must be between 0 and half of chunkMaxTokens (${Math.floor(chunkMaxTokens / 2)}), got ${chunkOverlapTokens}.`);
    }
    const groundingMinSimilarity = input.groundingMinSimilarity ?? null;
    if (groundingMinSimilarity !== null && !(groundingMinSimilarity >= -1 && groundingMinSimilarity <= 1)) {
      throw badUserInput("input.groundingMinSimilarity", `groundingMinSimilarity is a cosine similarity, between -1 and 1, got ${groundingMinSimilarity}.`);
    }
    const record: CollectionRecord = {
      id: newId("col"),
      tenantId: context.tenantId,
      name: input.name,
      description: input.description ?? null,
      embeddingModelId: model.id,
      dimensions,
      chunkMaxTokens,
      chunkOverlapTokens,
      groundingMinSimilarity,
      createdAt: new Date().toISOString(),
    };
    // Storage first: a collection the catalogue lists is always one the store can take chunks for.
    await this.#chunks.createCollection(storageScope(record), dimensions);
    try {
      await this.#catalog.createCollection(record);
    } catch (error) {
      await this.#chunks.dropCollection(storageScope(record));
      if (error instanceof CatalogConflictError && error.reason === "collection-name-taken") {
        const existing = (await this.#catalog.listCollections(context.tenantId)).find((collection) => collection.name === input.name);
        throw new ServiceError(ErrorCode.CollectionAlreadyExists, `The tenant already has a collection named "${input.name}".`, {
          field: "input.name",
          details: existing === undefined ? {} : { collectionId: existing.id },
        });
      }
      throw error;
    }
    this.#logger.info("collection created", { collectionId: record.id, tenantId: record.tenantId, model: model.id, dimensions });
    return record;
  }

  /**
   * The enabled embedding model `reference` (id or alias) names, with the length of its vectors;
   * MODEL_NOT_FOUND (also for another tenant's private model), MODEL_DISABLED or
   * CAPABILITY_NOT_SUPPORTED naming `field` otherwise.
   */
  async requireEmbeddingModel(reference: string, context: RequestContext, field: string): Promise<{ model: ModelRecord; dimensions: number }> {
    const found = await this.#models.resolve(reference);
    // Another tenant's private model reads as absent, as it does everywhere.
    const model = found !== undefined && canUseModel(context, found.id) ? found : undefined;
    if (model === undefined) throw new ServiceError(ErrorCode.ModelNotFound, `No model has the id or alias "${reference}".`, { field });
    if (model.status === "DISABLED") throw new ServiceError(ErrorCode.ModelDisabled, `Model ${model.id} is disabled.`, { field });
    if (!model.capabilities.includes("EMBEDDING")) {
      throw new ServiceError(ErrorCode.CapabilityNotSupported, `Model ${model.id} cannot embed; it can do ${model.capabilities.join(", ")}.`, {
        field,
        details: { capabilities: model.capabilities },
      });
    }
    // The registry requires the vector length of every embedding model; the collection keeps it.
    const dimensions = model.embeddingDimensions;
    if (dimensions === null) throw new ServiceError(ErrorCode.EngineUnavailable, `Model ${model.id} records no embedding dimensions.`, { field });
    return { model, dimensions };
  }

  /** The collection, or COLLECTION_NOT_FOUND naming `field` (another tenant's collection is reported the same way). */
  async require(tenantId: string, collectionId: string, field: string): Promise<CollectionRecord> {
    const collection = await this.#catalog.getCollection(tenantId, collectionId);
    if (collection === undefined) throw new ServiceError(ErrorCode.CollectionNotFound, `No collection has the id "${collectionId}".`, { field });
    return collection;
  }

  find(tenantId: string, collectionId: string): Promise<CollectionRecord | undefined> {
    return this.#catalog.getCollection(tenantId, collectionId);
  }

  list(tenantId: string): Promise<CollectionRecord[]> {
    return this.#catalog.listCollections(tenantId);
  }

  /**
   * Deletes the collection's records, stops the ingestions running into it, then drops its chunks:
   * once the catalogue forgets it, no ingestion can start in it, and none writes after this returns.
   */
  async delete(tenantId: string, collectionId: string): Promise<boolean> {
    const removed = await this.#catalog.deleteCollection(tenantId, collectionId);
    if (removed === undefined) return false;
    await this.#stopWriters(tenantId, collectionId);
    await this.#chunks.dropCollection(storageScope(removed.collection));
    // A migration that never completed leaves its target storage behind (a running one dropped it as it stopped).
    const migration = removed.collection.migration;
    if (migration !== null && migration !== undefined && migration.status !== "COMPLETED") {
      await this.#chunks.dropCollection({ tenantId, collectionId: migration.targetStorageId });
    }
    this.#logger.info("collection deleted", { collectionId, tenantId, documents: removed.documents.length });
    return true;
  }
}

import DataLoader from "dataloader";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import type { ModelStore } from "../model-registry/store/model-store.ts";
import type { ChunkStore } from "./chunk-store/chunk-store.ts";
import type { RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import { CollectionMigrationService, type CollectionMigrationOptions } from "./collection-migration-service.ts";
import { CollectionService } from "./collection-service.ts";
import type { RetrievalLoaders } from "./context.ts";
import type { Embedder } from "./embedder.ts";
import type { Reranker } from "./reranker.ts";
import { IngestionService } from "./ingestion-service.ts";
import type { RetrievalLimits } from "./retrieval-limits.ts";
import { SearchService } from "./search-service.ts";

export interface RetrievalDependencies {
  catalog: RetrievalCatalog;
  chunks: ChunkStore;
  models: ModelStore;
  embedder: Embedder;
  /** Reorders search hits when a search asks for it (`SearchInput.rerank`). */
  reranker: Reranker;
  limits: RetrievalLimits;
  logger: Logger;
  /** Where ingestion and search series go; none when absent. */
  metrics?: ServiceMetrics;
  /** Tuning of embedding-model migrations; the batch size defaults to `limits.embeddingBatchSize`. */
  migrations?: CollectionMigrationOptions;
}

/** The retrieval subgraph's work, one service per concern, over one catalogue and one chunk store. */
export class RetrievalService {
  readonly collections: CollectionService;
  readonly ingestion: IngestionService;
  readonly search: SearchService;
  readonly migrations: CollectionMigrationService;
  readonly catalog: RetrievalCatalog;
  readonly limits: RetrievalLimits;

  constructor(dependencies: RetrievalDependencies) {
    this.catalog = dependencies.catalog;
    this.limits = dependencies.limits;
    // Late-bound: the ingestion and migration services need the collection service, and deleting a collection stops them.
    this.collections = new CollectionService({
      ...dependencies,
      stopWriters: async (tenantId, collectionId) => {
        await this.ingestion.stopCollection(tenantId, collectionId);
        await this.migrations.stopCollection(tenantId, collectionId);
      },
    });
    this.ingestion = new IngestionService({ ...dependencies, collections: this.collections });
    this.search = new SearchService({ ...dependencies, collections: this.collections });
    this.migrations = new CollectionMigrationService({
      ...dependencies,
      collections: this.collections,
      ingestion: this.ingestion,
      options: { batchSize: dependencies.limits.embeddingBatchSize, ...dependencies.migrations },
    });
  }

  /** Loaders scoped to one operation's tenant (never shared across requests: no cross-tenant cache). */
  createLoaders(request: RequestContext): RetrievalLoaders {
    return {
      // Abandoned ingestions are settled on read, so no document shows INGESTING forever.
      documents: new DataLoader(async (ids: readonly string[]) => this.ingestion.settleAbandoned(await this.catalog.getDocuments(request.tenantId, ids))),
      collections: new DataLoader(async (ids: readonly string[]) => Promise.all(ids.map((id) => this.catalog.getCollection(request.tenantId, id)))),
      chunks: new DataLoader((ids: readonly string[]) => this.search.findChunks(request.tenantId, ids)),
    };
  }

  async close(): Promise<void> {
    await this.ingestion.close();
    await this.migrations.close();
  }
}

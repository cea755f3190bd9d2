import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import { ErrorCode as ErrorCodes } from "../../platform/errors/error-code.ts";
import { boundedHeadingPath } from "./bounded-text.ts";
import { documentPage, documentPageRequest } from "./catalog/document-page.ts";
import { migrationHolds } from "./catalog/migration-transitions.ts";
import type { CollectionMigration, DocumentRecord } from "./catalog/retrieval-catalog.ts";
import { validateDocumentInput, validateFilters } from "./document-input.ts";
import type { DocumentMediaType, DocumentStatus, ErrorCode, Resolvers } from "./generated/resolvers-types.ts";

const mediaTypeNames: Record<string, DocumentMediaType> = { "text/plain": "TEXT_PLAIN", "text/markdown": "TEXT_MARKDOWN" };

const errorCodes: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** The code of a failed ingestion as the schema's enum; a code no longer known (kept by an older version) reads INTERNAL_SERVER_ERROR. */
export function ingestionErrorCode(code: string): ErrorCode {
  return errorCodes.has(code) ? (code as ErrorCode) : "INTERNAL_SERVER_ERROR";
}

/**
 * The migration as clients see it: one still RUNNING past its lease was abandoned by a service that
 * stopped (it holds nothing and will not end by itself), so it reads FAILED.
 */
export function asReported(migration: CollectionMigration, now: string): CollectionMigration {
  if (migration.status !== "RUNNING" || migrationHolds(migration, now)) return migration;
  return {
    ...migration,
    status: "FAILED",
    finishedAt: migration.leaseExpiresAt,
    error: { code: ErrorCodes.ServiceUnavailable, message: "The service running the migration stopped before it ended; the collection keeps its model. Start the migration again." },
  };
}

/** READY once a version is searchable; FAILED when the newest ingestion failed; INGESTING before the first completes. */
export function documentStatus(document: DocumentRecord): DocumentStatus {
  if (document.ingestion?.status === "FAILED") return "FAILED";
  return document.activeGeneration === null ? "INGESTING" : "READY";
}

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    collection: async (_parent, { id }, context) => (await context.retrieval.collections.find(context.request.tenantId, id)) ?? null,
    collections: (_parent, _arguments, context) => context.retrieval.collections.list(context.request.tenantId),
    document: async (_parent, { id }, context) => (await context.loaders.documents.load(id)) ?? null,
    search: (_parent, { input }, context) => context.retrieval.search.search(input, context.request, context.signal),
  },
  Mutation: {
    createCollection: (_parent, { input }, context) => context.retrieval.collections.create(input, context.request),
    deleteCollection: (_parent, { id }, context) => context.retrieval.collections.delete(context.request.tenantId, id),
    ingestDocument: (_parent, { input }, context) =>
      context.retrieval.ingestion.ingest(validateDocumentInput(input, context.retrieval.limits), context.request, context.signal),
    deleteDocument: (_parent, { id }, context) => context.retrieval.ingestion.deleteDocument(context.request.tenantId, id),
    migrateCollection: (_parent, { input }, context) => context.retrieval.migrations.migrate(input, context.request),
  },
  Collection: {
    __resolveReference: async (reference, context) => (await context.loaders.collections.load(reference.id)) ?? null,
    embeddingModel: (collection) => ({ id: collection.embeddingModelId }),
    documents: async (collection, { filters, first, after }, context) => {
      const request = documentPageRequest(first, after);
      const keys = filters?.length ? await context.retrieval.catalog.metadataKeys(context.request.tenantId, collection.id) : [];
      const documents = await context.retrieval.ingestion.listDocuments(context.request.tenantId, collection.id, validateFilters(filters, keys, "filters"));
      const page = documentPage(documents, request);
      return { nodes: page.nodes, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
    },
    documentCount: async (collection, _arguments, context) => (await context.retrieval.ingestion.listDocuments(context.request.tenantId, collection.id)).length,
    metadataKeys: (collection, _arguments, context) => context.retrieval.catalog.metadataKeys(context.request.tenantId, collection.id),
    groundingMinSimilarity: (collection) => collection.groundingMinSimilarity ?? null,
    migration: (collection) => (collection.migration === undefined || collection.migration === null ? null : asReported(collection.migration, new Date().toISOString())),
  },
  CollectionMigration: {
    sourceEmbeddingModel: (migration) => ({ id: migration.sourceEmbeddingModelId }),
    targetEmbeddingModel: (migration) => ({ id: migration.targetEmbeddingModelId }),
  },
  CollectionMigrationError: {
    code: (error) => ingestionErrorCode(error.code),
  },
  Document: {
    __resolveReference: async (reference, context) => (await context.loaders.documents.load(reference.id)) ?? null,
    collection: async (document, _arguments, context) => {
      const collection = await context.loaders.collections.load(document.collectionId);
      if (collection === undefined) throw new Error(`document ${document.id} has no collection ${document.collectionId}`);
      return collection;
    },
    mediaType: (document) => mediaTypeNames[document.mediaType] ?? "TEXT_PLAIN",
    metadata: (document) => Object.entries(document.metadata).map(([key, value]) => ({ key, value })),
    status: (document) => documentStatus(document),
  },
  IngestionError: {
    code: (error) => ingestionErrorCode(error.code),
  },
  Chunk: {
    __resolveReference: async (reference, context) => (await context.loaders.chunks.load(reference.id)) ?? null,
    document: async (chunk, _arguments, context) => {
      const document = await context.loaders.documents.load(chunk.documentId);
      if (document === undefined) throw new Error(`chunk ${chunk.id} has no document`);
      return document;
    },
    headingPath: (chunk) => boundedHeadingPath(chunk.headingPath),
  },
};

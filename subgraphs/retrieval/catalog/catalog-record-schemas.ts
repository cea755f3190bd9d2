import { z } from "zod";
import type { CollectionMigration, CollectionRecord, DocumentRecord, IngestionState, PendingDocumentFields } from "./retrieval-catalog.ts";

/**
 * The stored shape of catalogue records: what the embedded file and Redis hold, checked again on
 * every read so a hand-edited or corrupted store fails loudly instead of serving bad data.
 */
const failureSchema = z.object({ code: z.string(), message: z.string() });

export const collectionMigrationSchema: z.ZodType<CollectionMigration> = z.object({
  id: z.string(),
  status: z.enum(["RUNNING", "COMPLETED", "FAILED"]),
  sourceEmbeddingModelId: z.string(),
  targetEmbeddingModelId: z.string(),
  targetDimensions: z.number().int().positive(),
  targetStorageId: z.string(),
  chunksTotal: z.number().int().nonnegative(),
  chunksEmbedded: z.number().int().nonnegative(),
  recallAtTen: z.number().min(0).max(1).nullable(),
  minimumRecall: z.number().min(0).max(1),
  error: failureSchema.nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  leaseExpiresAt: z.string(),
});

export const collectionRecordSchema: z.ZodType<CollectionRecord> = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  embeddingModelId: z.string(),
  dimensions: z.number().int().positive(),
  chunkMaxTokens: z.number().int().positive(),
  chunkOverlapTokens: z.number().int().nonnegative(),
  groundingMinSimilarity: z.number().min(-1).max(1).nullable().optional(),
  storageId: z.string().optional(),
  migration: collectionMigrationSchema.nullable().optional(),
  createdAt: z.string(),
});

export const pendingDocumentFieldsSchema: z.ZodType<PendingDocumentFields> = z.object({
  title: z.string().nullable(),
  mediaType: z.string(),
  metadata: z.record(z.string(), z.string()),
});

export const ingestionStateSchema: z.ZodType<IngestionState> = z.object({
  generation: z.string(),
  status: z.enum(["INGESTING", "FAILED"]),
  chunksEmbedded: z.number().int().nonnegative(),
  chunksTotal: z.number().int().nonnegative().nullable(),
  startedAt: z.string(),
  error: failureSchema.nullable(),
  // Records stored before pending values existed lack the field: they applied theirs at begin.
  pending: pendingDocumentFieldsSchema.nullable().default(null),
});

export const documentRecordSchema: z.ZodType<DocumentRecord> = z.object({
  id: z.string(),
  tenantId: z.string(),
  collectionId: z.string(),
  source: z.string(),
  title: z.string().nullable(),
  mediaType: z.string(),
  metadata: z.record(z.string(), z.string()),
  activeGeneration: z.string().nullable(),
  chunkCount: z.number().int().nonnegative(),
  tokenCount: z.number().int().nonnegative(),
  characterCount: z.number().int().nonnegative(),
  contentHash: z.string().nullable(),
  ingestion: ingestionStateSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A stored record read back from JSON text (Redis values). */
export function parseStoredJson<Record>(schema: z.ZodType<Record>, json: string, what: string): Record {
  const result = schema.safeParse(JSON.parse(json));
  if (!result.success) throw new Error(`the retrieval catalogue holds an invalid ${what}: ${result.error.message}`);
  return result.data;
}

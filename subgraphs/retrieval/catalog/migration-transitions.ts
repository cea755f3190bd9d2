import type { CollectionMigration, CollectionRecord, DocumentRecord, IngestionFailure } from "./retrieval-catalog.ts";

/**
 * How a collection record changes as its embedding-model migration begins, completes or fails:
 * the one definition the embedded catalogue applies, and the Redis scripts mirror in Lua.
 */

/** Whether `migration` holds its collection at `now` (ISO 8601): running, with its lease not yet expired. */
export function migrationHolds(migration: CollectionMigration | null | undefined, now: string): boolean {
  return migration !== null && migration !== undefined && migration.status === "RUNNING" && Date.parse(migration.leaseExpiresAt) > Date.parse(now);
}

/** Whether one of `documents` has an ingestion running (INGESTING). */
export function hasRunningIngestion(documents: readonly DocumentRecord[]): boolean {
  return documents.some((document) => document.ingestion?.status === "INGESTING");
}

/** Whether `migrationId` is the collection's running migration (whatever its lease says). */
export function isRunningMigration(collection: CollectionRecord, migrationId: string): boolean {
  return collection.migration?.id === migrationId && collection.migration.status === "RUNNING";
}

/** The collection switched to the migration's model, dimensions and storage, the migration COMPLETED. */
export function completedMigration(collection: CollectionRecord, migration: CollectionMigration, result: { recallAtTen: number; now: string }): CollectionRecord {
  return {
    ...collection,
    embeddingModelId: migration.targetEmbeddingModelId,
    dimensions: migration.targetDimensions,
    storageId: migration.targetStorageId,
    migration: { ...migration, status: "COMPLETED", recallAtTen: result.recallAtTen, finishedAt: result.now },
  };
}

/** The collection as it was, its migration FAILED. */
export function failedMigration(collection: CollectionRecord, migration: CollectionMigration, outcome: { error: IngestionFailure; recallAtTen: number | null; now: string }): CollectionRecord {
  return { ...collection, migration: { ...migration, status: "FAILED", error: outcome.error, recallAtTen: outcome.recallAtTen, finishedAt: outcome.now } };
}

import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { CollectionRecord } from "./catalog/retrieval-catalog.ts";

/** MIGRATION_IN_PROGRESS (retryable): a migration holds the collection, which is read-only until it ends. */
export function migrationInProgress(collection: CollectionRecord, field: string): ServiceError {
  const migration = collection.migration;
  return new ServiceError(
    ErrorCode.MigrationInProgress,
    `Collection ${collection.id} is moving to another embedding model; it takes no ingestions or deletions until that ends. Searches keep working. Retry once \`Collection.migration.status\` is no longer RUNNING.`,
    {
      field,
      details:
        migration === null || migration === undefined
          ? {}
          : { migrationId: migration.id, chunksEmbedded: migration.chunksEmbedded, chunksTotal: migration.chunksTotal, leaseExpiresAt: migration.leaseExpiresAt },
    },
  );
}

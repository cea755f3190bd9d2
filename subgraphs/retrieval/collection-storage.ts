import type { CollectionScope } from "./chunk-store/chunk-store.ts";
import type { CollectionRecord } from "./catalog/retrieval-catalog.ts";

/**
 * Where a collection's chunks are in the chunk store: under its `storageId`, which a completed
 * embedding-model migration changes, or its id (every collection before its first migration).
 */
export function storageScope(collection: Pick<CollectionRecord, "tenantId" | "id" | "storageId">): CollectionScope {
  return { tenantId: collection.tenantId, collectionId: collection.storageId ?? collection.id };
}

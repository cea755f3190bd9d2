import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import type { CollectionRecord, DocumentRecord, MetadataFilter } from "./retrieval-catalog.ts";

/**
 * Orderings and filters both catalogue implementations apply the same way, so that they return
 * identical answers (the contract suite runs against both).
 */


/** Collections by name, then id (names are unique per tenant, so the id only breaks impossible ties). */
export function sortCollections(collections: CollectionRecord[]): CollectionRecord[] {
  return collections.sort((left, right) => compareBytes(left.name, right.name) || compareBytes(left.id, right.id));
}

/** Documents by source, then id. */
export function sortDocuments(documents: DocumentRecord[]): DocumentRecord[] {
  return documents.sort((left, right) => compareBytes(left.source, right.source) || compareBytes(left.id, right.id));
}

/** True when the document matches every filter: AND across filters, OR within one filter's values. */
export function matchesFilters(document: DocumentRecord, filters: readonly MetadataFilter[]): boolean {
  return filters.every((filter) => Object.hasOwn(document.metadata, filter.key) && filter.values.includes(document.metadata[filter.key] ?? ""));
}

/** Every metadata key the documents use, each once, in byte order. */
export function metadataKeysOf(documents: readonly DocumentRecord[]): string[] {
  const keys = new Set<string>();
  for (const document of documents) for (const key of Object.keys(document.metadata)) keys.add(key);
  return [...keys].sort(compareBytes);
}

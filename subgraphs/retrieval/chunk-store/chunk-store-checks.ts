import type { CollectionScope } from "./chunk-store.ts";

/** Checks both chunk stores make before touching storage, so both refuse the same calls the same way. */

export function assertDimensions(scope: CollectionScope, dimensions: number, vector: Float32Array, what: string): void {
  if (vector.length !== dimensions) {
    throw new Error(`The vector of ${what} has ${vector.length} dimensions; collection ${describeScope(scope)} has ${dimensions}.`);
  }
}

export function searchLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw new Error(`A search limit must be an integer from 1 to 1,000, got ${limit}.`);
  return limit;
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export function describeScope(scope: CollectionScope): string {
  return `${scope.tenantId}/${scope.collectionId}`;
}

import { createHash } from "node:crypto";

/** Ids are the SHA-256 of the document, hex; clients may prefix them with `sha256:` (the GraphQL over HTTP persisted documents proposal). */
const documentIdPattern = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The id's hash, or undefined when `id` is not a SHA-256 document id. */
export function normalizeDocumentId(id: string): string | undefined {
  return documentIdPattern.exec(id)?.[1];
}

/** The id of `document`: SHA-256 of its exact text, hex (what codegen's client-preset computes). */
export function documentIdOf(document: string): string {
  return createHash("sha256").update(document, "utf8").digest("hex");
}

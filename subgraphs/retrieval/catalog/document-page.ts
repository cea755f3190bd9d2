import { badUserInput } from "../../../platform/errors/service-error.ts";
import { decodeCursor, encodeCursor } from "../../../platform/graphql/cursor.ts";
import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import type { DocumentRecord } from "./retrieval-catalog.ts";

/** Page sizes `Collection.documents(first:)` accepts. */
export const documentPageLimits = { minimum: 1, maximum: 100, default: 20 } as const;

/** A validated `documents(first, after)`: how many, and the source of the last document already seen. */
export interface DocumentPageRequest {
  first: number;
  afterSource: string | undefined;
}

export interface DocumentPage {
  nodes: DocumentRecord[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

/** Checks `first` and `after` before anything is read: BAD_USER_INPUT naming the argument. */
export function documentPageRequest(first: number | null | undefined, after: string | null | undefined): DocumentPageRequest {
  const size = first ?? documentPageLimits.default;
  if (!Number.isInteger(size) || size < documentPageLimits.minimum || size > documentPageLimits.maximum) {
    throw badUserInput("first", `first must be between ${documentPageLimits.minimum} and ${documentPageLimits.maximum}, got ${size}.`);
  }
  if (after === null || after === undefined) return { first: size, afterSource: undefined };
  const afterSource = decodeCursor(after);
  if (afterSource === undefined) throw badUserInput("after", "after is not a cursor returned by documents(); pass pageInfo.endCursor.");
  return { first: size, afterSource };
}

/**
 * The page of `documents` (ordered by source, byte order, as `listDocuments` returns them) after
 * `afterSource`. Cursors hold the source, unique within a collection, so a page stays correct when
 * documents are added or deleted between requests.
 */
export function documentPage(documents: readonly DocumentRecord[], request: DocumentPageRequest): DocumentPage {
  const { afterSource } = request;
  const remaining = afterSource === undefined ? documents : documents.filter((document) => compareBytes(document.source, afterSource) > 0);
  const nodes = remaining.slice(0, request.first);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: remaining.length > nodes.length,
    endCursor: last === undefined ? null : encodeCursor(last.source),
    totalCount: documents.length,
  };
}

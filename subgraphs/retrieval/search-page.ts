import { createHash } from "node:crypto";
import { badUserInput } from "../../platform/errors/service-error.ts";

/** Most hits in one page of search results. */
export const maximumSearchPageSize = 100;

export interface SearchPageRequest {
  /** Hits to skip: those of the pages before. */
  offset: number;
  /** Hits in the page; undefined: all the rest. */
  size: number | undefined;
}

/**
 * A page of a search's ranked hits, from `first` and `after`. The cursor names the offset and a
 * fingerprint of the search it came from (`searchKey`), so a cursor of another search is refused
 * instead of paging through the wrong results. Opaque to clients.
 */
export function searchPageRequest(first: number | null | undefined, after: string | null | undefined, searchKey: unknown): SearchPageRequest {
  if (first !== undefined && first !== null && (!Number.isInteger(first) || first < 1 || first > maximumSearchPageSize)) {
    throw badUserInput("input.first", `first must be between 1 and ${maximumSearchPageSize}, got ${first}.`);
  }
  const size = first ?? undefined;
  if (after === undefined || after === null) return { offset: 0, size };
  const decoded = decodeCursor(after);
  if (decoded === undefined) throw badUserInput("input.after", "after is not a cursor this service issued.");
  if (decoded.fingerprint !== fingerprintOf(searchKey)) throw badUserInput("input.after", "after is the cursor of another search: give the same input as for the page it came from.");
  return { offset: decoded.offset, size };
}

/** The page of `ranked`, with the cursor of its last hit and whether hits remain after it. */
export function searchPage<Hit>(ranked: readonly Hit[], request: SearchPageRequest, searchKey: unknown): { hits: Hit[]; hasNextPage: boolean; endCursor: string | null } {
  const end = request.size === undefined ? ranked.length : Math.min(ranked.length, request.offset + request.size);
  const hits = ranked.slice(request.offset, end);
  return { hits, hasNextPage: end < ranked.length, endCursor: hits.length === 0 ? null : encodeCursor(end, fingerprintOf(searchKey)) };
}

function fingerprintOf(searchKey: unknown): string {
  return createHash("sha256").update(JSON.stringify(searchKey)).digest("base64url").slice(0, 16);
}

function encodeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify([offset, fingerprint])).toString("base64url");
}

function decodeCursor(cursor: string): { offset: number; fingerprint: string } | undefined {
  if (cursor.length > 200) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [offset, fingerprint] = parsed as unknown[];
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || typeof fingerprint !== "string") return undefined;
    return { offset, fingerprint };
  } catch {
    return undefined;
  }
}

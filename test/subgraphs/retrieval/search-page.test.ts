import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { boundedHeadingPath, maximumHeadingPathCharacters, truncateUtf8 } from "../../../subgraphs/retrieval/bounded-text.ts";
import { searchPage, searchPageRequest } from "../../../subgraphs/retrieval/search-page.ts";

const ranked = Array.from({ length: 7 }, (_, index) => `hit${index}`);
const key = ["col", "query", "HYBRID", 7];

function badInput(field: string) {
  return (error: unknown) => error instanceof ServiceError && error.code === "BAD_USER_INPUT" && error.extensions.field === field;
}

describe("search pages", () => {
  it("walks the ranking in pages of `first`, the last page saying there is no next", () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { hits: string[]; hasNextPage: boolean; endCursor: string | null } = searchPage(ranked, searchPageRequest(3, after, key), key);
      seen.push(...page.hits);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    assert.deepEqual(seen, ranked);
  });

  it("returns every hit in one page without `first`, and an empty page past the end", () => {
    assert.deepEqual(searchPage(ranked, searchPageRequest(undefined, undefined, key), key), { hits: ranked, hasNextPage: false, endCursor: searchPage(ranked, searchPageRequest(7, null, key), key).endCursor });
    const last = searchPage(ranked, searchPageRequest(7, null, key), key);
    const beyond = searchPage(ranked, searchPageRequest(3, last.endCursor, key), key);
    assert.deepEqual(beyond, { hits: [], hasNextPage: false, endCursor: null });
  });

  it("refuses `first` out of range, a cursor it did not issue, and a cursor of another search", () => {
    assert.throws(() => searchPageRequest(0, null, key), badInput("input.first"));
    assert.throws(() => searchPageRequest(101, null, key), badInput("input.first"));
    assert.throws(() => searchPageRequest(3, "not-a-cursor", key), badInput("input.after"));
    assert.throws(() => searchPageRequest(3, Buffer.from("[-1,\"x\"]").toString("base64url"), key), badInput("input.after"));
    const cursor = searchPage(ranked, searchPageRequest(3, null, key), key).endCursor;
    assert.throws(() => searchPageRequest(3, cursor, ["col", "another query", "HYBRID", 7]), badInput("input.after"));
  });
});

describe("bounded hit texts and heading paths", () => {
  it("cuts text to a UTF-8 byte limit at a character boundary", () => {
    assert.deepEqual(truncateUtf8("short", 64), { text: "short", truncated: false });
    const text = "é€😀".repeat(100);
    for (const limit of [64, 65, 66, 67, 100]) {
      const cut = truncateUtf8(text, limit);
      assert.ok(cut.truncated);
      assert.ok(Buffer.byteLength(cut.text) <= limit && Buffer.byteLength(cut.text) > limit - 4);
      assert.ok(text.startsWith(cut.text) && !cut.text.includes("\uFFFD"));
    }
  });

  it("bounds a heading path to 200 characters, cutting long headings and keeping short ones whole", () => {
    assert.deepEqual(boundedHeadingPath(""), []);
    assert.deepEqual(boundedHeadingPath("Guide > Install"), ["Guide", "Install"]);
    // The case: 20,000-character headings made each hit carry the path again.
    const path = boundedHeadingPath(["A".repeat(20_000), "B".repeat(20_000), "Setup"].join(" > "));
    assert.ok(path.join("").length <= maximumHeadingPathCharacters);
    assert.equal(path[2], "Setup");
    assert.ok(path[0]?.endsWith("…") && path[0].startsWith("AAA"));
  });

  it("keeps the outermost and innermost headings of a very deep path", () => {
    const path = boundedHeadingPath(Array.from({ length: 5_000 }, (_, index) => `Heading ${index}`).join(" > "));
    assert.ok(path.join("").length <= maximumHeadingPathCharacters);
    assert.ok(path[0]?.startsWith("Heading 0"));
    assert.ok(path.at(-1)?.startsWith("Heading 4999") || path.at(-1)?.startsWith("Heading 49"));
    assert.ok(path.includes("…"));
  });
});

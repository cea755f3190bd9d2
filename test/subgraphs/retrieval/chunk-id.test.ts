import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkIdOf, parseChunkId } from "../../../subgraphs/retrieval/chunk-id.ts";

describe("chunk ids", () => {
  it("round-trip document, generation and index", () => {
    assert.deepEqual(parseChunkId(chunkIdOf("doc_abc", "0a1b2c", 12)), { documentId: "doc_abc", generation: "0a1b2c", index: 12 });
  });

  it("reject anything else, so a forged reference cannot inject into store filters", () => {
    for (const id of ["", "doc", "doc:gen", "doc:gen:x", "doc':gen:1", "a:b:1:2", "doc:gen:-1", `${"d".repeat(65)}:g:1`]) assert.equal(parseChunkId(id), undefined, id);
  });
});

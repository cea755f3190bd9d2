import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { looksBinary, validateDocumentInput, validateFilters } from "../../../subgraphs/retrieval/document-input.ts";
import { defaultRetrievalLimits } from "../../../subgraphs/retrieval/retrieval-limits.ts";

function failure(run: () => unknown): { code: string; field: unknown } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    return { code: error.code, field: error.extensions.field };
  }
  assert.fail("expected a ServiceError");
}

const base = { collectionId: "col_1", source: "a.md", content: "Hello." };

describe("document input", () => {
  it("defaults to Markdown, waiting for completion, no metadata", () => {
    assert.deepEqual(validateDocumentInput(base, defaultRetrievalLimits), {
      collectionId: "col_1",
      source: "a.md",
      title: null,
      content: "Hello.",
      mediaType: "text/markdown",
      metadata: {},
      waitForCompletion: true,
    });
  });

  it("refuses empty, binary and oversized content, bad sources and bad metadata, naming the field", () => {
    const limits = { ...defaultRetrievalLimits, maximumDocumentBytes: 10 };
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, content: "ééééééé" }, limits)), { code: "DOCUMENT_TOO_LARGE", field: "input.content" });
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, content: "\n \t" }, defaultRetrievalLimits)), { code: "BAD_USER_INPUT", field: "input.content" });
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, content: "a\u0000b" }, defaultRetrievalLimits)), { code: "BAD_USER_INPUT", field: "input.content" });
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, source: "  " }, defaultRetrievalLimits)), { code: "BAD_USER_INPUT", field: "input.source" });
    const duplicate = [{ key: "a", value: "1" }, { key: "a", value: "2" }];
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, metadata: duplicate }, defaultRetrievalLimits)), { code: "BAD_USER_INPUT", field: "input.metadata[1].key" });
    assert.deepEqual(failure(() => validateDocumentInput({ ...base, metadata: [{ key: "k", value: "v".repeat(1_025) }] }, defaultRetrievalLimits)), { code: "BAD_USER_INPUT", field: "input.metadata[0].value" });
  });

  it("tells binary from text", () => {
    assert.equal(looksBinary("Plain prose, with tabs\tand\r\nnewlines. Ünïcödé ✓"), false);
    assert.equal(looksBinary("\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f".repeat(3)), true);
    assert.equal(looksBinary("text \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd"), true);
  });

  it("accepts filters on known keys only", () => {
    assert.deepEqual(validateFilters([{ key: "lang", values: ["en"] }], ["lang"], "input.filters"), [{ key: "lang", values: ["en"] }]);
    assert.deepEqual(failure(() => validateFilters([{ key: "lang", values: ["en"] }], [], "input.filters")), { code: "BAD_USER_INPUT", field: "input.filters[0].key" });
    assert.deepEqual(failure(() => validateFilters([{ key: "lang", values: [] }], ["lang"], "input.filters")), { code: "BAD_USER_INPUT", field: "input.filters[0].values" });
    assert.deepEqual(validateFilters(undefined, [], "input.filters"), []);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { validateDocumentInput, validateFilters } from "../../../subgraphs/retrieval/document-input.ts";
import { defaultRetrievalLimits } from "../../../subgraphs/retrieval/retrieval-limits.ts";

function refusal(run: () => unknown): ServiceError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    return error;
  }
  assert.fail("expected a ServiceError");
}

const base = { collectionId: "col_1", source: "a.md", content: "Hello." };

describe("reserved metadata keys", () => {
  for (const key of ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"]) {
    it(`refuses "${key}" in a document's metadata, naming the entry, instead of dropping it`, () => {
      const metadata = [
        { key: "lang", value: "en" },
        { key: "team", value: "search" },
        { key, value: "x" },
      ];
      const error = refusal(() => validateDocumentInput({ ...base, metadata }, defaultRetrievalLimits));
      assert.equal(error.code, "BAD_USER_INPUT");
      assert.equal(error.extensions.field, "input.metadata[2].key");
      assert.match(error.message, new RegExp(`"${key}" is reserved`));
    });

    it(`refuses "${key}" as a filter key`, () => {
      const error = refusal(() => validateFilters([{ key, values: ["x"] }], ["lang", key], "input.filters"));
      assert.equal(error.code, "BAD_USER_INPUT");
      assert.equal(error.extensions.field, "input.filters[0].key");
      assert.match(error.message, /reserved/);
    });
  }

  it("keeps ordinary keys, including ones that merely contain a reserved word", () => {
    const metadata = [
      { key: "proto", value: "1" },
      { key: "constructor_name", value: "2" },
      { key: "x.prototype", value: "3" },
    ];
    assert.deepEqual(validateDocumentInput({ ...base, metadata }, defaultRetrievalLimits).metadata, { proto: "1", constructor_name: "2", "x.prototype": "3" });
  });
});

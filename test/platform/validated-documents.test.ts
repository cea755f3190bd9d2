import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSchema, type GraphQLError } from "graphql";
import { ValidatedDocuments } from "../../platform/graphql/validated-documents.ts";

const schema = buildSchema(`type Query { hello(name: String!): String }`);

describe("ValidatedDocuments", () => {
  it("parses and validates a document once, then answers from memory", () => {
    const documents = new ValidatedDocuments(schema, 2);
    const first = documents.get(`{ hello(name: "a") }`);
    assert.ok(!Array.isArray(first));
    assert.equal(documents.get(`{ hello(name: "a") }`), first, "the same parsed document");
  });

  it("answers syntax errors with GRAPHQL_PARSE_FAILED and invalid documents with GRAPHQL_VALIDATION_FAILED, remembering neither", () => {
    const documents = new ValidatedDocuments(schema, 2);
    const syntax = documents.get(`{ hello(`) as readonly GraphQLError[];
    assert.equal(syntax[0]?.extensions.code, "GRAPHQL_PARSE_FAILED");
    const invalid = documents.get(`{ goodbye }`) as readonly GraphQLError[];
    assert.equal(invalid[0]?.extensions.code, "GRAPHQL_VALIDATION_FAILED");
    assert.match(invalid[0]?.message ?? "", /Cannot query field "goodbye"/);
    assert.notEqual(documents.get(`{ goodbye }`), invalid, "checked again, not remembered");
  });

  it("keeps at most its capacity, least recently used dropped first", () => {
    const documents = new ValidatedDocuments(schema, 1);
    const first = documents.get(`{ a: hello(name: "a") }`);
    documents.get(`{ b: hello(name: "b") }`);
    assert.notEqual(documents.get(`{ a: hello(name: "a") }`), first);
  });
});

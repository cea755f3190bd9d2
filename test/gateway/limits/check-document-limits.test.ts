import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildSchema } from "graphql";
import { checkDocumentLimits } from "../../../gateway/limits/check-document-limits.ts";
import { defaultOperationLimits, type OperationLimits } from "../../../gateway/limits/operation-limits.ts";
import { projectRoot } from "../../../platform/schema-file.ts";

const schema = buildSchema(readFileSync(join(projectRoot, "schema", "api.graphql"), "utf8"));
const limits: OperationLimits = { ...defaultOperationLimits, maximumDepth: 5, maximumAliases: 3, maximumRootFields: 3, maximumDirectives: 3, maximumFragmentDepth: 2, maximumDocumentTokens: 200 };
const check = (source: string) => checkDocumentLimits(source, schema, limits);

describe("operation limits", () => {
  it("accepts documents within every limit, and leaves syntax errors to Apollo Server", () => {
    assert.equal(check("{ models(first: 2) { nodes { id pricing { currency } } } }"), undefined);
    assert.equal(check("fragment M on Model { id } { a: model(id: \"x\") { ...M } b: model(id: \"y\") { ...M } }"), undefined);
    assert.equal(check("{ models { "), undefined);
  });

  it("counts depth with fragments expanded (a fragment adds no level of its own)", () => {
    const deep = "{ collection(id: \"c\") { documents { nodes { collection { documents { totalCount } } } } } }";
    assert.deepEqual(check(deep), { code: "MAX_DEPTH_EXCEEDED", message: "The operation nests fields 6 deep; at most 5 allowed.", maximum: 5, found: 6 });
    const throughFragments = "fragment D on Document { collection { documents { totalCount } } } { collection(id: \"c\") { documents { nodes { ...D } } } }";
    assert.equal(check(throughFragments)?.found, 6);
  });

  it("counts aliases, root fields and directives, each with its own code", () => {
    assert.equal(check("{ models { a: totalCount b: totalCount c: totalCount d: totalCount } }")?.code, "MAX_ALIASES_EXCEEDED");
    assert.deepEqual(check("{ models { totalCount } collections { id } quotas { tenantId } quota { tenantId } }"), {
      code: "MAX_ROOT_FIELDS_EXCEEDED",
      message: "The operation has 4 root fields; at most 3 allowed.",
      maximum: 3,
      found: 4,
    });
    // Root fields spread from a fragment count too; __typename does not.
    assert.equal(check("fragment R on Query { models { totalCount } quotas { tenantId } } { ...R __typename collections { id } }")?.code, undefined);
    assert.equal(check("fragment R on Query { models { totalCount } quotas { tenantId } } { ...R collections { id } quota { tenantId } }")?.found, 4);
    const directives = "{ models @include(if: true) { totalCount @include(if: true) nodes @skip(if: false) { id @skip(if: false) } } }";
    assert.equal(check(directives)?.code, "MAX_DIRECTIVES_EXCEEDED");
  });

  it("stops lexing at the token limit", () => {
    const refusal = check(`{ models { ${"totalCount ".repeat(500)} } }`);
    assert.deepEqual(refusal, { code: "MAX_DOCUMENT_TOKENS_EXCEEDED", message: "The document has more than 200 tokens.", maximum: 200, found: 201 });
  });

  it("refuses nested fragments, and survives cycles and unknown fragments (validation's to report)", () => {
    const nested = "fragment A on Model { ...B } fragment B on Model { ...C } fragment C on Model { id } { model(id: \"x\") { ...A } }";
    assert.deepEqual(check(nested), { code: "MAX_FRAGMENT_DEPTH_EXCEEDED", message: "Fragments nest 3 deep; at most 2 allowed.", maximum: 2, found: 3 });
    const cycle = "fragment A on Model { ...B } fragment B on Model { ...A } { model(id: \"x\") { ...A } }";
    assert.equal(check(cycle)?.code, "MAX_FRAGMENT_DEPTH_EXCEEDED");
    assert.equal(check("{ model(id: \"x\") { ...Unknown } }"), undefined);
  });

  it("checks an exponential fragment bomb without expanding it", () => {
    // Each level spreads the next twice: 2^30 selections if expanded.
    const levels = Array.from({ length: 30 }, (_, level) => `fragment F${level} on Query { a${level}: models { totalCount } ...F${level + 1} ...F${level + 1} }`);
    levels.push("fragment F30 on Query { __typename }");
    const bomb = `${levels.join("\n")}\n{ ...F0 }`;
    const refusal = checkDocumentLimits(bomb, schema, { ...limits, maximumDocumentTokens: 100_000 });
    assert.ok(refusal !== undefined);
    assert.ok(["MAX_FRAGMENT_DEPTH_EXCEEDED", "MAX_ROOT_FIELDS_EXCEEDED", "MAX_ALIASES_EXCEEDED"].includes(refusal.code), refusal.code);
  });
});

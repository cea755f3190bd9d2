/**
 * One list of error codes, three places: platform/errors/error-code.ts (what the services put on
 * errors), `enum ErrorCode` in the schema (schema/retrieval.graphql, composed into the public API),
 * and the client package's `ErrorCode` (generated from the API schema). These tests fail as soon
 * as one of them gains, loses or renames a code the others lack.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildASTSchema, buildSchema, isEnumType, parse, type GraphQLSchema } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { ClientErrorCode, ErrorCode as PackageErrorCode, GraphQLLayerErrorCode } from "../../packages/client/src/index.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { projectRoot } from "../../platform/schema-file.ts";

const platformCodes = Object.values(ErrorCode).sort();
const fix = "Add the code to `enum ErrorCode` in schema/retrieval.graphql (with its description), then run `npm run generate`.";

function enumValues(schema: GraphQLSchema, name: string): string[] {
  const type = schema.getType(name);
  assert.ok(isEnumType(type), `${name} is not an enum of the schema`);
  return type.getValues().map((value) => value.value as string).sort();
}

function difference(left: readonly string[], right: readonly string[]): string[] {
  return left.filter((code) => !right.includes(code));
}

describe("error codes: platform, schema and client package agree", () => {
  it("schema/retrieval.graphql defines every code of platform/errors/error-code.ts, and no other", () => {
    const subgraph = buildSubgraphSchema({ typeDefs: parse(readFileSync(join(projectRoot, "schema", "retrieval.graphql"), "utf8")) });
    const schemaCodes = enumValues(subgraph, "ErrorCode");
    assert.deepEqual(difference(platformCodes, schemaCodes), [], `codes missing from the schema. ${fix}`);
    assert.deepEqual(difference(schemaCodes, platformCodes), [], "codes in the schema that platform/errors/error-code.ts no longer has: remove them from schema/retrieval.graphql, then `npm run generate`.");
  });

  it("the public API (schema/api.graphql) has the same enum, reachable from IngestionError.code", () => {
    const api = buildSchema(readFileSync(join(projectRoot, "schema", "api.graphql"), "utf8"));
    assert.deepEqual(enumValues(api, "ErrorCode"), platformCodes, "schema/api.graphql is stale: run `npm run compose`.");
    const ingestionError = api.getType("IngestionError");
    assert.ok(ingestionError !== undefined && "getFields" in ingestionError);
    assert.equal(String(ingestionError.getFields().code?.type), "ErrorCode!");
  });

  it("the client package's ErrorCode has the platform's names and values", () => {
    assert.deepEqual(
      Object.entries(PackageErrorCode).sort(([left], [right]) => left.localeCompare(right)),
      Object.entries(ErrorCode).sort(([left], [right]) => left.localeCompare(right)),
      "packages/client/src/generated/schema-enums.ts is stale (run `npm run codegen`), or a code's TypeScript name differs from its value's PascalCase form.",
    );
  });

  it("the client's own codes never collide with the graph's, and cover every code the GraphQL layer lets through", () => {
    for (const code of [...Object.values(GraphQLLayerErrorCode), ...Object.values(ClientErrorCode)]) {
      assert.ok(!platformCodes.includes(code as ErrorCode), `${code} is both a client code and a graph code`);
    }
    // platform/errors/format-error.ts lets these codes of Apollo Server and graphql-js through to clients.
    const formatter = readFileSync(join(projectRoot, "platform", "errors", "format-error.ts"), "utf8");
    const listed = /knownForeignCodes = new Set\(\[([^\]]*)\]\)/.exec(formatter)?.[1];
    assert.ok(listed !== undefined, "platform/errors/format-error.ts no longer lists knownForeignCodes as expected: update this test");
    const foreign = [...listed.matchAll(/"([A-Z_]+)"/g)].map((match) => match[1] as string);
    assert.ok(foreign.length > 0);
    const clientKnows = new Set<string>([...platformCodes, ...Object.values(GraphQLLayerErrorCode)]);
    assert.deepEqual(foreign.filter((code) => !clientKnows.has(code)), [], "add these codes to GraphQLLayerErrorCode in packages/client/src/graph-client-error.ts");
  });

  it("the supergraph (what the gateway serves) has the same enum", () => {
    const supergraph = buildASTSchema(parse(readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8")), { assumeValidSDL: true });
    assert.deepEqual(enumValues(supergraph, "ErrorCode"), platformCodes);
  });
});

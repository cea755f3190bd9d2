/**
 * Client mistakes are client errors: each of these used to be answered 500 INTERNAL_SERVER_ERROR
 * by the gateway (issue 13).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

describe("malformed operations through the gateway", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("malformed-operations") });
  });
  after(() => stack?.stop());

  /** Posts `body` as it is (raw JSON text, so numbers like 1e400 reach the server as written). */
  async function post(body: string): Promise<{ status: number; code: unknown; message: unknown; field: unknown }> {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}` },
      body,
    });
    const reply = (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
    const [error] = reply.errors ?? [];
    return { status: response.status, code: error?.extensions?.code, message: error?.message, field: error?.extensions?.field };
  }

  it("asks for operationName when a document holds several operations", async () => {
    const outcome = await post(JSON.stringify({ query: "query A { models { totalCount } } query B { models { totalCount } }" }));
    assert.deepEqual(outcome, { status: 400, code: "OPERATION_RESOLUTION_FAILURE", message: "The document holds several operations: say which one to run with operationName.", field: undefined });
  });

  it("says so when operationName names no operation of the document", async () => {
    const outcome = await post(JSON.stringify({ query: "query A { models { totalCount } }", operationName: "Nope" }));
    assert.equal(outcome.status, 400);
    assert.equal(outcome.code, "OPERATION_RESOLUTION_FAILURE");
    assert.match(String(outcome.message), /no operation named "Nope"/);
  });

  it("refuses numbers that are not finite, as literals and as variables, with BAD_USER_INPUT", async () => {
    const literal = await post(JSON.stringify({ query: 'mutation { createCompletion(input: {model: "demo", prompt: "hi", temperature: 1e400}) { text } }' }));
    assert.deepEqual(literal, { status: 400, code: "BAD_USER_INPUT", message: "1e400 is not a finite number.", field: undefined });
    // JSON.parse turns 1e400 into Infinity; passed on, it would have reached the subgraph as null.
    const variable = await post('{"query":"mutation($t: Float) { createCompletion(input: {model: \\"demo\\", prompt: \\"hi\\", temperature: $t}) { text } }","variables":{"t":-1e400}}');
    assert.deepEqual(variable, { status: 400, code: "BAD_USER_INPUT", message: "variables.t is not a finite number.", field: "variables.t" });
  });

  it("still answers well-formed operations, with operationName choosing among several", async () => {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}` },
      body: JSON.stringify({ query: "query A { models { totalCount } } query B { models { totalCount } }", operationName: "B", variables: { unused: 1.5e300 } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { data: unknown }).data, { models: { totalCount: 0 } });
  });
});

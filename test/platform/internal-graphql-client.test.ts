import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { InternalContextSigner, internalContextHeader } from "../../platform/context/internal-context-token.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { InternalGraphqlClient } from "../../platform/http/internal-graphql-client.ts";

const signer = new InternalContextSigner("0123456789abcdef0123456789abcdef");
const caller: RequestContext = { requestId: "request-1", tenantId: "tenant-a", apiKeyId: "key-1", roles: ["member"] };

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return error;
  }
  assert.fail("expected a ServiceError");
}

describe("internal GraphQL client", () => {
  let server: Server;
  let url: string;
  let reply: (body: { query: string; variables: Record<string, unknown> }, context: RequestContext | undefined) => { status: number; body: string };

  before(async () => {
    server = createServer((request, response) => {
      let raw = "";
      request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      request.on("end", () => {
        const context = signer.verify(String(request.headers[internalContextHeader] ?? ""));
        const answer = reply(JSON.parse(raw) as { query: string; variables: Record<string, unknown> }, context);
        response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the caller's context, signed, and returns the data", async () => {
    reply = (body, context) => ({ status: 200, body: JSON.stringify({ data: { echo: body.variables.value, tenant: context?.tenantId, requestId: context?.requestId } }) });
    const client = new InternalGraphqlClient({ serviceName: "echo", url, signer });
    assert.deepEqual(await client.request("query($value: String) { echo }", { value: "hi" }, caller), { echo: "hi", tenant: "tenant-a", requestId: "request-1" });
  });

  it("keeps the callee's error code, field and details", async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ errors: [{ message: "No collection.", extensions: { code: "COLLECTION_NOT_FOUND", field: "input.collectionId", retryable: false, extra: 3 } }], data: null }) });
    const error = await failure(new InternalGraphqlClient({ serviceName: "retrieval", url, signer }).request("{ x }", {}, caller));
    assert.equal(error.code, "COLLECTION_NOT_FOUND");
    assert.equal(error.extensions.field, "input.collectionId");
    assert.equal(error.extensions.extra, 3);
    assert.equal(error.message, "No collection.");
  });

  it("turns unknown codes, bodies that are not GraphQL and unreachable services into SERVICE_UNAVAILABLE", async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ errors: [{ message: "odd", extensions: { code: "SOMETHING_ELSE" } }] }) });
    assert.equal((await failure(new InternalGraphqlClient({ serviceName: "x", url, signer }).request("{ x }", {}, caller))).code, "SERVICE_UNAVAILABLE");
    reply = () => ({ status: 502, body: "<html>bad gateway</html>" });
    const notGraphql = await failure(new InternalGraphqlClient({ serviceName: "x", url, signer }).request("{ x }", {}, caller));
    assert.equal(notGraphql.code, "SERVICE_UNAVAILABLE");
    assert.equal(notGraphql.retryable, true);
    const unreachable = await failure(new InternalGraphqlClient({ serviceName: "x", url: "http://127.0.0.1:1/graphql", signer }).request("{ x }", {}, caller));
    assert.equal(unreachable.code, "SERVICE_UNAVAILABLE");
    assert.match(unreachable.message, /The x service is unreachable/);
  });

  it("reports a cancelled call as REQUEST_CANCELLED", async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ data: { x: 1 } }) });
    const error = await failure(new InternalGraphqlClient({ serviceName: "x", url, signer }).request("{ x }", {}, caller, AbortSignal.abort()));
    assert.equal(error.code, "REQUEST_CANCELLED");
  });
});

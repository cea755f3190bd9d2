import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { parse } from "graphql";
import type { GatewayContext } from "../../gateway/gateway-context.ts";
import { SignedContextDataSource } from "../../gateway/signed-context-data-source.ts";
import { fieldPaths } from "../../gateway/subgraph-failures.ts";
import { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { findFreePort } from "../harness/redis-server.ts";

const signer = new InternalContextSigner("a-test-secret-of-at-least-thirty-two-characters");
const requestContext = { requestId: "req-1", tenantId: "acme", apiKeyId: "key-1", roles: ["member"] };

function recordingLogger(): Logger & { warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const ignore = () => {};
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (message, fields) => warnings.push({ message, ...fields }) };
}

function run(source: SignedContextDataSource, query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<GatewayGraphQLResponse> {
  const context = { request: requestContext, ...(signal === undefined ? {} : { signal }) };
  // What Apollo's executor passes for a fetch of a query plan (its kind enum is not exported).
  const options = { kind: "incoming operation", request: { query, variables }, context, incomingRequestContext: { context }, document: parse(query) };
  return source.process(options as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
}

describe("SignedContextDataSource when the subgraph cannot answer", () => {
  let silent: Server;
  let silentUrl: string;

  before(async () => {
    // Accepts requests and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("answers for a refused connection with one SERVICE_UNAVAILABLE per root field, logging the URL only", async () => {
    const logger = recordingLogger();
    const url = `http://127.0.0.1:${await findFreePort()}/graphql`;
    const source = new SignedContextDataSource(url, signer, { serviceName: "inference", logger });
    const response = await run(source, `query { __typename first: completion(id: "a") { id } completion(id: "b") { id } }`);
    const extensions = { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "inference" };
    const message = "The inference service is unavailable (connection refused); try again later.";
    assert.deepEqual(response, {
      data: null,
      errors: [
        { message, path: ["first"], extensions },
        { message, path: ["completion"], extensions },
      ],
    });
    assert.equal(logger.warnings.length, 1);
    assert.equal(logger.warnings[0]?.url, url);
    assert.equal(logger.warnings[0]?.subgraph, "inference");
  });

  it("names a host no resolver knows", async () => {
    const source = new SignedContextDataSource("http://inference.invalid:4002/graphql", signer, { serviceName: "inference", logger: recordingLogger() });
    const response = await run(source, `{ completion(id: "a") { id } }`);
    assert.match(response.errors?.[0]?.message ?? "", /^The inference service is unavailable \((host not found|unreachable)\)/);
    assert.equal(response.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE");
  });

  it("gives up after timeoutMillis on a subgraph that never answers", async () => {
    const source = new SignedContextDataSource(silentUrl, signer, { serviceName: "retrieval", logger: recordingLogger(), timeoutMillis: 150 });
    const started = Date.now();
    const response = await run(source, `{ collections { id } }`);
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(response.errors?.[0], {
      message: "The retrieval service is unavailable (timed out); try again later.",
      path: ["collections"],
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "retrieval" },
    });
  });

  it("reports a fetch the client abandoned as REQUEST_CANCELLED, not as an outage", async () => {
    const logger = recordingLogger();
    const source = new SignedContextDataSource(silentUrl, signer, { serviceName: "inference", logger });
    const client = new AbortController();
    setTimeout(() => client.abort(new Error("the client closed the connection")), 50);
    const response = await run(source, `mutation { createCompletion(input: { model: "m", prompt: "p" }) { id } }`, {}, client.signal);
    assert.deepEqual(response.errors?.[0]?.extensions, { code: "REQUEST_CANCELLED", retryable: false, serviceName: "inference" });
    assert.deepEqual(response.errors?.[0]?.path, ["createCompletion"]);
    assert.equal(logger.warnings.length, 0);
  });

  it("addresses entity fetches per representation and field, through fragments", async () => {
    const source = new SignedContextDataSource(`http://127.0.0.1:${await findFreePort()}/graphql`, signer, { serviceName: "usage", logger: recordingLogger() });
    const query = `query($representations: [_Any!]!, $from: DateTime!) {
      _entities(representations: $representations) {
        __typename
        ... on Model { ...ModelUsage spend: usage(from: $from) { cost } }
        ... on Tenant { quota { limit } }
      }
    }
    fragment ModelUsage on Model { __typename usage(from: $from) { requests } }`;
    const representations = [{ __typename: "Model", id: "a" }, { __typename: "Tenant", id: "t" }, { __typename: "Model", id: "b" }];
    const response = await run(source, query, { representations, from: "2026-01-01T00:00:00Z" });
    assert.deepEqual(
      response.errors?.map((error) => error.path),
      [
        ["_entities", 0, "usage"],
        ["_entities", 0, "spend"],
        ["_entities", 1, "quota"],
        ["_entities", 2, "usage"],
        ["_entities", 2, "spend"],
      ],
    );
    assert.equal(response.data, null);
  });

  it("finds paths from the query text when the executor passes no document", () => {
    assert.deepEqual(fieldPaths({ query: `{ a: model(id: "x") { id } models { totalCount } }` }, undefined), [["a"], ["models"]]);
    assert.deepEqual(fieldPaths({ query: "not graphql" }, undefined), []);
  });
});

describe("SignedContextDataSource when the subgraph answers", () => {
  let server: Server;
  let url: string;
  let seenHeaders: Record<string, string | string[] | undefined> = {};

  before(async () => {
    server = createServer((request, response) => {
      seenHeaders = request.headers;
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/graphql-response+json" });
        response.end(JSON.stringify({ data: { completion: null }, errors: [{ message: "not yours", path: ["completion"], extensions: { code: "FORBIDDEN" } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("passes its data and errors through untouched, with the signed context sent", async () => {
    const source = new SignedContextDataSource(url, signer, { serviceName: "inference", logger: recordingLogger(), timeoutMillis: 5_000 });
    const response = await run(source, `{ completion(id: "a") { id } }`);
    assert.deepEqual(response.data, { completion: null });
    assert.deepEqual(response.errors, [{ message: "not yours", path: ["completion"], extensions: { code: "FORBIDDEN" } }]);
    assert.equal(seenHeaders["x-request-id"], "req-1");
    assert.equal(typeof seenHeaders["x-internal-context"], "string");
  });
});

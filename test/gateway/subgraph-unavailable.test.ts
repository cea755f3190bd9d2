import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { GraphQLFormattedError } from "graphql";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { startGateway, type RunningGateway } from "../../gateway/service.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { findFreePort } from "../harness/redis-server.ts";
import { postGraphQL, type RawGraphQLResult } from "../harness/post-graphql.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

/** What an unreachable subgraph must look like to a client, and what must never leak with it. */
function assertUnavailable(result: RawGraphQLResult, serviceName: string, paths: (string | number)[][], reason: RegExp, leaks: string[] = []): void {
  // The project's convention: field errors ride a 200 with `errors` (GraphQL over HTTP with
  // application/json); only errors that end the whole request before execution set a status.
  assert.equal(result.status, 200, result.text);
  const errors = result.body.errors ?? [];
  assert.deepEqual(
    errors.map((error) => error.path),
    paths,
    result.text,
  );
  for (const error of errors) {
    assert.equal(error.extensions?.code, "SERVICE_UNAVAILABLE", result.text);
    assert.equal(error.extensions?.retryable, true);
    assert.equal(error.extensions?.serviceName, serviceName);
    assert.match(error.message, new RegExp(`^The ${serviceName} service is unavailable \\(`));
    assert.match(error.message, reason);
  }
  for (const leak of ["fetch failed", "stacktrace", "127.0.0.1", "localhost", "ECONN", "UND_ERR", ...leaks]) {
    assert.ok(!result.text.includes(leak), `the response leaks "${leak}": ${result.text}`);
  }
}

const RegisterModel = `
  mutation Register($input: RegisterModelInput!) { registerModel(input: $input) { id } }
`;

describe("a gateway whose subgraphs cannot be reached", () => {
  let stack: TestStack;
  let admin: string;
  let member: string;
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const until = new Date(Date.now() + 3_600_000).toISOString();

  before(async () => {
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("subgraph-unavailable") });
    admin = stack.adminKey.key;
    member = stack.memberKey.key;
    const pricing = { inputPerMillionTokens: 0.5, outputPerMillionTokens: 1.5 };
    for (const id of ["model-a", "model-b"]) {
      const registered = await postGraphQL(stack.gateway.graphqlUrl, admin, RegisterModel, {
        input: { id, displayName: id, family: "llama", capabilities: ["CHAT"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing },
      });
      assert.equal(registered.body.errors, undefined, registered.text);
    }
    // Both answer before they go down: the failures below are the subgraphs', not the queries'.
    const usage = await postGraphQL(stack.gateway.graphqlUrl, admin, `query($from: DateTime!, $to: DateTime!) { model(id: "model-a") { usage(from: $from, to: $to) { requests } } }`, { from: since, to: until });
    assert.equal(usage.body.errors, undefined, usage.text);
    const completion = await postGraphQL(stack.gateway.graphqlUrl, member, `{ completion(id: "no-such-completion") { id } }`);
    assert.deepEqual(completion.body, { data: { completion: null } });
    await stack.inference.stop();
    await stack.usage.stop();
  });
  after(() => stack.stop());

  it("answers a query on a stopped subgraph with SERVICE_UNAVAILABLE, retryable, at the field's path", async () => {
    const result = await postGraphQL(stack.gateway.graphqlUrl, member, `{ completion(id: "no-such-completion") { id text } }`);
    assertUnavailable(result, "inference", [["completion"]], /connection refused/);
    assert.deepEqual(result.body.data, { completion: null });
    assert.deepEqual(result.body.errors?.[0], {
      message: "The inference service is unavailable (connection refused); try again later.",
      path: ["completion"],
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "inference" },
    });
  });

  it("does the same for a mutation (createCompletion), with every aliased root field named", async () => {
    const result = await postGraphQL(
      stack.gateway.graphqlUrl,
      member,
      `mutation { first: createCompletion(input: { model: "model-a", prompt: "hi" }) { id } }`,
    );
    assertUnavailable(result, "inference", [["first"]], /connection refused/);
    // Mutation fields are nullable: the failed one is null, not the whole response.
    assert.deepEqual(result.body.data, { first: null });
  });

  it("keeps serving queries that touch only live subgraphs", async () => {
    const result = await postGraphQL(stack.gateway.graphqlUrl, member, `{ models { totalCount nodes { id } } }`);
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { data: { models: { totalCount: 2, nodes: [{ id: "model-a" }, { id: "model-b" }] } } });
  });

  it("keeps the data of the subgraphs that answered in a mixed query", async () => {
    const result = await postGraphQL(stack.gateway.graphqlUrl, member, `{ model(id: "model-a") { id displayName } completion(id: "x") { id } }`);
    assertUnavailable(result, "inference", [["completion"]], /connection refused/);
    assert.deepEqual(result.body.data, { model: { id: "model-a", displayName: "model-a" }, completion: null });
  });

  it("gives entity fields of a stopped subgraph the path of each entity", async () => {
    const result = await postGraphQL(
      stack.gateway.graphqlUrl,
      admin,
      `query($from: DateTime!, $to: DateTime!) {
        a: model(id: "model-a") { id usage(from: $from, to: $to) { requests } }
        b: model(id: "model-b") { id usage(from: $from, to: $to) { requests } }
        models { totalCount }
      }`,
      { from: since, to: until },
    );
    const byPath = (left: GraphQLFormattedError, right: GraphQLFormattedError) => String(left.path).localeCompare(String(right.path));
    assertUnavailable({ ...result, body: { ...result.body, errors: [...(result.body.errors ?? [])].sort(byPath) } }, "usage", [["a", "usage"], ["b", "usage"]], /connection refused/);
    // `Model.usage` is nullable (another subgraph resolves it): only it is null, the registry's fields survive.
    assert.deepEqual(result.body.data, { a: { id: "model-a", usage: null }, b: { id: "model-b", usage: null }, models: { totalCount: 2 } });
  });

  describe("behind a proxy or at an address that answers but not with GraphQL", () => {
    let mode = "502-html";
    let fake: Server;
    let fakeUrl: string;
    let gateway: RunningGateway;

    before(async () => {
      fake = createServer((request: IncomingMessage, response: ServerResponse) => {
        request.resume();
        request.on("end", () => misbehave(mode, request, response));
      });
      await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
      fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql`;
      const environment = {
        ...stack.environment,
        LOG_LEVEL: "error",
        SUPERGRAPH_WATCH: "false",
        SHUTDOWN_GRACE_PERIOD_MILLIS: "1000",
        GATEWAY_PORT: "0",
        MODEL_REGISTRY_URL: stack.modelRegistry.graphqlUrl,
        INFERENCE_URL: fakeUrl,
        RETRIEVAL_URL: stack.retrieval.graphqlUrl,
        // A port nothing listens on.
        USAGE_URL: `http://127.0.0.1:${await findFreePort()}/graphql`,
        // The "frozen" case below waits this long for a subgraph that never answers.
        SUBGRAPH_TIMEOUT_MILLIS: "400",
      };
      gateway = await startGateway(loadGatewayConfig(environment), createLogger("gateway", "error"));
    });
    after(async () => {
      await gateway.stop();
      fake.closeAllConnections();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    });

    const cases: [string, RegExp, string[]][] = [
      ["502-html", /answered HTTP 502/, ["<html", "nginx", "Bad Gateway"]],
      ["503-json", /answered HTTP 503/, ["upstream connect error"]],
      ["504-text", /answered HTTP 504/, ["gateway timeout"]],
      ["200-html", /its reply was not GraphQL/, ["<html", "login"]],
      ["200-json-not-graphql", /its reply was not GraphQL/, ["status"]],
      ["200-truncated-json", /its reply was not GraphQL/, ["Unexpected end", "JSON"]],
      ["hang-up", /connection closed before a reply/, ["socket", "other side closed"]],
      ["reset", /connection (reset|closed before a reply)/, ["socket"]],
    ];
    for (const [name, reason, leaks] of cases) {
      it(`reports a subgraph that answers ${name} as SERVICE_UNAVAILABLE`, async () => {
        mode = name;
        const result = await postGraphQL(gateway.graphqlUrl, member, `{ model(id: "model-a") { id } completion(id: "x") { id } }`);
        assertUnavailable(result, "inference", [["completion"]], reason, [...leaks, fakeUrl, String((fake.address() as AddressInfo).port)]);
        assert.deepEqual(result.body.data, { model: { id: "model-a" }, completion: null });
      });
    }

    it("passes through a non-2xx reply that is still GraphQL, keeping its codes", async () => {
      mode = "400-graphql";
      const result = await postGraphQL(gateway.graphqlUrl, member, `{ completion(id: "x") { id } }`);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", result.text);
      assert.equal(result.body.errors?.[0]?.message, "Variable \"$id\" got an invalid value.");
      assert.ok(!result.text.includes(fakeUrl));
    });

    it("gives up on a frozen subgraph after SUBGRAPH_TIMEOUT_MILLIS, keeping the other subgraphs' data", async () => {
      mode = "frozen";
      const result = await postGraphQL(gateway.graphqlUrl, member, `{ model(id: "model-a") { id } completion(id: "x") { id } }`);
      assertUnavailable(result, "inference", [["completion"]], /timed out/);
      assert.deepEqual(result.body.data, { model: { id: "model-a" }, completion: null });
    });

    it("reports a port nothing listens on as connection refused", async () => {
      const result = await postGraphQL(gateway.graphqlUrl, admin, `query($from: DateTime!, $to: DateTime!) { model(id: "model-a") { id usage(from: $from, to: $to) { requests } } }`, { from: since, to: until });
      assertUnavailable(result, "usage", [["model", "usage"]], /connection refused/);
    });
  });
});

function misbehave(mode: string, request: IncomingMessage, response: ServerResponse): void {
  const send = (status: number, contentType: string, body: string) => {
    response.writeHead(status, { "content-type": contentType });
    response.end(body);
  };
  switch (mode) {
    case "502-html":
      return send(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>");
    case "503-json":
      return send(503, "application/json", JSON.stringify({ message: "upstream connect error or disconnect/reset before headers" }));
    case "504-text":
      return send(504, "text/plain", "gateway timeout");
    case "200-html":
      return send(200, "text/html", "<html><body>Please login</body></html>");
    case "200-json-not-graphql":
      return send(200, "application/json", JSON.stringify({ status: "ok" }));
    case "200-truncated-json":
      return send(200, "application/json", `{"data":{"completion":`);
    case "400-graphql":
      return send(400, "application/json", JSON.stringify({ errors: [{ message: 'Variable "$id" got an invalid value.', extensions: { code: "BAD_USER_INPUT" } }] }));
    case "hang-up":
      request.socket.destroy();
      return;
    case "reset":
      request.socket.resetAndDestroy();
      return;
    case "frozen":
      // Like a SIGSTOPped process: the connection is accepted and nothing ever comes back.
      return;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { parse, type FormattedExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import type { GatewayContext } from "../../gateway/gateway-context.ts";
import { fetchBudget, OperationDeadline, startOperationDeadline } from "../../gateway/operation-deadline.ts";
import { startGateway, type RunningGateway } from "../../gateway/service.ts";
import { SignedContextDataSource } from "../../gateway/signed-context-data-source.ts";
import { InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { createLogger, type Logger } from "../../platform/logging/logger.ts";
import { postGraphQL } from "../harness/post-graphql.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const signer = new InternalContextSigner("a-test-secret-of-at-least-thirty-two-characters");
const requestContext: RequestContext = { requestId: "req-1", tenantId: "acme", apiKeyId: "key-1", roles: ["member"] };
const quietLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One fetch of a query plan, as Apollo's executor makes it, with `deadline` in the context. */
function run(source: SignedContextDataSource, query: string, deadline: OperationDeadline | undefined): Promise<GatewayGraphQLResponse> {
  const context: GatewayContext = { request: requestContext, ...(deadline === undefined ? {} : { deadline }) };
  const options = { kind: "incoming operation", request: { query, variables: {} }, context, incomingRequestContext: { context }, document: parse(query) };
  return source.process(options as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
}

/** A server that accepts requests and never answers (a frozen process), counting them. */
async function startFrozenServer(): Promise<{ server: Server; url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((request: IncomingMessage) => {
    requests += 1;
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("OPERATION_DEADLINE_MILLIS", () => {
  it("defaults to 10 minutes, above the 5 of SUBGRAPH_TIMEOUT_MILLIS; 0 turns it off; negatives are refused", () => {
    const defaults = loadGatewayConfig({});
    assert.equal(defaults.operationDeadlineMillis, 600_000);
    assert.ok(defaults.operationDeadlineMillis > defaults.subgraphTimeoutMillis);
    assert.equal(loadGatewayConfig({ OPERATION_DEADLINE_MILLIS: "0" }).operationDeadlineMillis, 0);
    assert.equal(startOperationDeadline(0), undefined);
    assert.throws(
      () => loadGatewayConfig({ OPERATION_DEADLINE_MILLIS: "-1" }),
      (error: unknown) => error instanceof ConfigurationError && error.problems.some((problem) => problem.variable === "OPERATION_DEADLINE_MILLIS"),
    );
  });
});

describe("fetchBudget", () => {
  const deadline = new OperationDeadline(1_000, 0);

  it("keeps the per-subgraph timeout without a deadline, or while more time than it is left", () => {
    assert.deepEqual(fetchBudget(300, undefined, 0), { timeoutMillis: 300, boundByDeadline: false });
    assert.deepEqual(fetchBudget(undefined, undefined, 0), { timeoutMillis: undefined, boundByDeadline: false });
    assert.deepEqual(fetchBudget(300, deadline, 100), { timeoutMillis: 300, boundByDeadline: false });
  });

  it("shortens it to the time left before the deadline, rounded up to whole milliseconds", () => {
    assert.deepEqual(fetchBudget(300, deadline, 800), { timeoutMillis: 200, boundByDeadline: true });
    assert.deepEqual(fetchBudget(undefined, deadline, 999.5), { timeoutMillis: 1, boundByDeadline: true });
  });

  it("leaves nothing once the deadline has passed", () => {
    assert.deepEqual(fetchBudget(300, deadline, 1_000), { timeoutMillis: 0, boundByDeadline: true });
    assert.deepEqual(fetchBudget(300, deadline, 5_000), { timeoutMillis: 0, boundByDeadline: true });
    assert.equal(deadline.remainingMillis(5_000), 0);
  });
});

describe("SignedContextDataSource under an operation deadline", () => {
  let frozen: Awaited<ReturnType<typeof startFrozenServer>>;

  before(async () => {
    frozen = await startFrozenServer();
  });
  after(() => frozen.close());

  it("sends nothing once the deadline has passed, and answers each field SERVICE_UNAVAILABLE with deadlineMillis", async () => {
    const source = new SignedContextDataSource(frozen.url, signer, { serviceName: "usage", logger: quietLogger, timeoutMillis: 60_000 });
    const passed = new OperationDeadline(1_000, performance.now() - 2_000);
    const before = frozen.requests();
    const response = await run(source, `{ quota { tokensPerMinute } quotas { tenantId } }`, passed);
    assert.equal(frozen.requests(), before, "no request was sent");
    const extensions = { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "usage", deadlineMillis: 1_000 };
    const message = "The operation ran past its deadline of 1000 ms before the usage service answered; try again later.";
    assert.deepEqual(response, {
      data: null,
      errors: [
        { message, path: ["quota"], extensions },
        { message, path: ["quotas"], extensions },
      ],
    });
  });

  it("cuts a fetch short when the deadline comes before the subgraph timeout, naming the deadline", async () => {
    const source = new SignedContextDataSource(frozen.url, signer, { serviceName: "usage", logger: quietLogger, timeoutMillis: 60_000 });
    const response = await run(source, `{ quotas { tenantId } }`, new OperationDeadline(200));
    assert.deepEqual(response.errors?.[0]?.extensions, { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "usage", deadlineMillis: 200 });
    assert.deepEqual(response.errors?.[0]?.path, ["quotas"]);
  });

  it("reports the subgraph's own timeout, without deadlineMillis, when that comes first", async () => {
    const source = new SignedContextDataSource(frozen.url, signer, { serviceName: "usage", logger: quietLogger, timeoutMillis: 150 });
    const response = await run(source, `{ quotas { tenantId } }`, new OperationDeadline(600_000));
    assert.deepEqual(response.errors?.[0], {
      message: "The usage service is unavailable (timed out); try again later.",
      path: ["quotas"],
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "usage" },
    });
  });
});

describe("a gateway with an operation deadline shorter than its subgraph timeout", () => {
  let stack: TestStack;
  let frozen: Awaited<ReturnType<typeof startFrozenServer>>;
  let bounded: RunningGateway;
  let instant: RunningGateway;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  // A Sequence plan: the registry's models first, then their usage from the (frozen) usage subgraph.
  const ModelsWithUsage = `query($from: DateTime!, $to: DateTime!) { models { totalCount nodes { id usage(from: $from, to: $to) { requests } } } }`;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("deadline-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("operation-deadline"), MODELS_DIR: modelsDirectory });
    const registered = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
      input: { id: "deadline-chat", displayName: "Deadline chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
    });
    assert.equal(registered.body.errors, undefined, registered.text);
    frozen = await startFrozenServer();
    const environment = {
      ...stack.environment,
      LOG_LEVEL: "error",
      SUPERGRAPH_WATCH: "false",
      SHUTDOWN_GRACE_PERIOD_MILLIS: "1000",
      GATEWAY_PORT: "0",
      MODEL_REGISTRY_URL: stack.modelRegistry.graphqlUrl,
      INFERENCE_URL: stack.inference.graphqlUrl,
      RETRIEVAL_URL: stack.retrieval.graphqlUrl,
      USAGE_URL: stack.usage.graphqlUrl,
      SUBGRAPH_TIMEOUT_MILLIS: "60000",
    };
    bounded = await startGateway(loadGatewayConfig({ ...environment, USAGE_URL: frozen.url, OPERATION_DEADLINE_MILLIS: "300" }), createLogger("gateway", "error"));
    // Every query would run out of time here: only subscriptions, which it does not bind, can succeed.
    instant = await startGateway(loadGatewayConfig({ ...environment, OPERATION_DEADLINE_MILLIS: "1" }), createLogger("gateway", "error"));
  });
  after(async () => {
    await bounded?.stop();
    await instant?.stop();
    await frozen?.close();
    await stack?.stop();
  });

  /** The errors of a ModelsWithUsage answer: the frozen usage subgraph's fields, each cut by the deadline. */
  function assertDeadlineErrors(result: FormattedExecutionResult, text: string): void {
    assert.deepEqual(result.data, { models: { totalCount: 1, nodes: [{ id: "deadline-chat", usage: null }] } }, text);
    assert.deepEqual(result.errors, [
      {
        message: "The operation ran past its deadline of 300 ms before the usage service answered; try again later.",
        path: ["models", "nodes", 0, "usage"],
        extensions: { code: "SERVICE_UNAVAILABLE", retryable: true, serviceName: "usage", deadlineMillis: 300 },
      },
    ]);
  }

  it("answers the fields of a frozen subgraph SERVICE_UNAVAILABLE with deadlineMillis, keeping the rest (HTTP)", async () => {
    const result = await postGraphQL(bounded.graphqlUrl, stack.memberKey.key, ModelsWithUsage, { from, to });
    assert.equal(result.status, 200, result.text);
    assertDeadlineErrors(result.body as FormattedExecutionResult, result.text);
  });

  it("binds queries sent over the WebSocket too", async () => {
    const client = createClient({ url: bounded.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` } });
    try {
      const results: FormattedExecutionResult[] = [];
      for await (const result of client.iterate({ query: ModelsWithUsage, variables: { from, to } })) results.push(result as FormattedExecutionResult);
      assert.equal(results.length, 1);
      assertDeadlineErrors(results[0]!, JSON.stringify(results));
    } finally {
      await client.dispose();
    }
  });

  it("does not bind subscriptions: entity fields of every event are fetched, however late", async () => {
    const client = createClient({ url: instant.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` } });
    try {
      const results: FormattedExecutionResult[] = [];
      const query = `subscription($input: CompletionInput!) { completionStream(input: $input) {
        __typename
        ... on TextStartEvent { model { displayName } }
        ... on TextEndEvent { completion { text model { displayName } cost { currency } } }
      } }`;
      const input = { model: "deadline-chat", prompt: "Once upon a time", maxTokens: 4, seed: 1 };
      for await (const result of client.iterate({ query, variables: { input } })) results.push(result as FormattedExecutionResult);
      assert.deepEqual(results.flatMap((result) => result.errors ?? []), [], JSON.stringify(results));
      const events = results.map((result) => (result.data as { completionStream: { __typename: string; model?: unknown; completion?: { model: unknown; cost: unknown } } }).completionStream);
      assert.deepEqual(events[0]?.model, { displayName: "Deadline chat" });
      const end = events.at(-1);
      assert.equal(end?.__typename, "TextEndEvent");
      assert.deepEqual(end?.completion?.model, { displayName: "Deadline chat" });
      assert.deepEqual(end?.completion?.cost, { currency: "USD" });
    } finally {
      await client.dispose();
    }
  });
});

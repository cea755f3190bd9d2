/**
 * The client package's behaviour against servers started here, each answer chosen by the test:
 * HTTP failures and their codes, abort signals and timeouts, documents of every shape codegen
 * makes, and subscriptions over graphql-ws and GraphQL over SSE (the graphql-sse protocol, as the
 * gateway speaks it). Through the real gateway: test/client/graph-client-stack.test.ts.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { execute, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from "graphql";
import { createHandler as createSseHandler } from "graphql-sse/lib/use/http";
import { useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import { createGraphClient, ErrorCode, GraphClientError, isGraphClientError, type GraphClientErrorCode } from "../../packages/client/src/index.ts";

interface TickSource {
  /** When the server stopped the ticks (the client left), in performance.now() time. */
  stoppedAt: number | undefined;
}
const sources: TickSource[] = [];

/** Ticks: the first `fast` every 5 ms, then one every 10 s. Records when the server stops it. */
function ticks(fast: number): AsyncIterableIterator<{ ticks: { index: number } }> {
  const source: TickSource = { stoppedAt: undefined };
  sources.push(source);
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: ((result: IteratorResult<{ ticks: { index: number } }>) => void) | undefined;
  const iterator: AsyncIterableIterator<{ ticks: { index: number } }> = {
    next: () =>
      new Promise((resolve) => {
        wake = resolve;
        timer = setTimeout(() => resolve({ done: false, value: { ticks: { index: index++ } } }), index < fast ? 5 : 10_000);
      }),
    return: () => {
      source.stoppedAt ??= performance.now();
      clearTimeout(timer);
      wake?.({ done: true, value: undefined });
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

const Tick = new GraphQLObjectType({ name: "Tick", fields: { index: { type: new GraphQLNonNull(GraphQLInt) } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      hello: { type: new GraphQLNonNull(GraphQLString), args: { name: { type: GraphQLString } }, resolve: (_source, { name }: { name?: string | null }) => `Hello ${name ?? "world"}` },
    },
  }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: {
      ticks: {
        type: new GraphQLNonNull(Tick),
        args: { fast: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: (_source, { fast }: { fast: number }) => ticks(fast),
      },
    },
  }),
});

// Any TypedDocumentNode works, not only the client preset's output.
const Hello = parse("query Hello($name: String) { hello(name: $name) }") as TypedDocumentNode<{ hello: string }, { name?: string | null }>;
const Ticks = parse("subscription Ticks($fast: Int!) { ticks(fast: $fast) { index } }") as TypedDocumentNode<{ ticks: { index: number } }, { fast: number }>;

/** The client preset's `documentMode: "string"` output. */
class TypedDocumentString<Result, Variables> extends String {
  declare __apiType?: (variables: Variables) => Result;
  readonly __meta__?: Record<string, unknown>;
  constructor(value: string, meta?: Record<string, unknown>) {
    super(value);
    if (meta !== undefined) this.__meta__ = meta;
  }
}

interface Seen {
  body: Record<string, unknown>;
  headers: IncomingMessage["headers"];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("the client package against test servers", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let closedUnanswered = 0;
  const sse = createSseHandler({
    schema,
    authenticate: (request) => {
      if (request.headers.get("authorization") === "Bearer good") return "";
      return [JSON.stringify({ errors: [{ message: "Unknown API key.", extensions: { code: "UNAUTHENTICATED", retryable: false } }] }), { status: 401, statusText: "Unauthorized", headers: { "content-type": "application/json" } }];
    },
  });

  before(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void (async () => {
        const path = new URL(request.url ?? "/", "http://x").pathname;
        if (path === "/graphql" && request.headers.accept === "text/event-stream") return sse(request, response);
        const text = await readBody(request);
        if (path === "/slow") {
          request.socket.once("close", () => (closedUnanswered += 1));
          return; // never answers
        }
        if (path === "/html-404") return void response.writeHead(404, { "content-type": "text/html" }).end("<html><body><h1>Not Found</h1></body></html>");
        if (path === "/plain-200") return void response.writeHead(200, { "content-type": "text/plain" }).end("OK");
        if (path === "/bad-gateway") return void response.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
        if (path === "/no-data") return void response.writeHead(200, { "content-type": "application/json" }).end("{}");
        if (path === "/refused") {
          return void response
            .writeHead(429, { "content-type": "application/json" })
            .end(JSON.stringify({ errors: [{ message: "Too many requests.", path: ["hello"], extensions: { code: "RATE_LIMITED", retryable: true, retryAfterMillis: 1500 } }] }));
        }
        if (path === "/unknown-code") return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: null, errors: [{ message: "new", extensions: { code: "SOMETHING_NEWER" } }] }));
        const body = JSON.parse(text) as Record<string, unknown>;
        seen.push({ body, headers: request.headers });
        const query = typeof body.query === "string" ? body.query : "query { hello(name: \"persisted\") }";
        const result = await execute({ schema, document: parse(query), variableValues: body.variables as Record<string, unknown> | undefined });
        response.writeHead(200, { "content-type": "application/graphql-response+json" }).end(JSON.stringify(result));
      })();
    });
    useServer({ schema, onConnect: (context) => context.connectionParams?.authorization === "Bearer good" }, new WebSocketServer({ server }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (path = "/graphql", options: Partial<Parameters<typeof createGraphClient>[0]> = {}) =>
    createGraphClient({ url: `${base}${path}`, apiKey: "good", webSocketImpl: WebSocket, ...options });

  async function failure(promise: Promise<unknown>): Promise<GraphClientError> {
    const error = await promise.then(
      () => assert.fail("expected a failure"),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof GraphClientError, `expected a GraphClientError, got ${String(error)}`);
    return error;
  }

  it("runs a TypedDocumentNode with typed variables, and sends the token and headers", async () => {
    let calls = 0;
    const graph = client("/graphql", { apiKey: undefined, getToken: async () => `token-${++calls}`, headers: () => ({ "x-app": "test" }) });
    assert.deepEqual(await graph.request(Hello, { name: "Ada" }), { hello: "Hello Ada" });
    assert.deepEqual(await graph.request(Hello), { hello: "Hello world" }, "variables may be left out when all are optional");
    const [first, second] = seen.slice(-2);
    assert.equal(first?.headers.authorization, "Bearer token-1");
    assert.equal(second?.headers.authorization, "Bearer token-2", "getToken runs for every request");
    assert.equal(first?.headers["x-app"], "test");
    assert.equal(first?.body.operationName, "Hello");
    assert.match(String(first?.headers.accept), /application\/graphql-response\+json/);
  });

  it("runs the client preset's string documents, and sends persisted documents by id", async () => {
    const asString = new TypedDocumentString<{ hello: string }, { name?: string | null }>("query Hello($name: String) { hello(name: $name) }");
    assert.deepEqual(await client().request(asString, { name: "string" }), { hello: "Hello string" });
    assert.equal(seen.at(-1)?.body.query, "query Hello($name: String) { hello(name: $name) }");

    const hash = "a".repeat(64);
    const persisted = Object.assign(parse("query Hello { hello }"), { __meta__: { hash } }) as TypedDocumentNode<{ hello: string }, Record<string, never>>;
    assert.deepEqual(await client().request(persisted), { hello: "Hello persisted" });
    assert.deepEqual(seen.at(-1)?.body, { documentId: `sha256:${hash}`, operationName: "Hello" }, "the id, not the text");
    await client("/graphql", { useDocumentIds: false }).request(persisted);
    assert.equal(seen.at(-1)?.body.documentId, undefined);
    assert.match(String(seen.at(-1)?.body.query), /hello/);
  });

  it("gives each HTTP failure a code and the status: a 404 page, a non-JSON 200, a proxy's 502, an empty answer", async () => {
    const notFound = await failure(client("/html-404").request(Hello));
    assert.equal(notFound.code, "HTTP_ERROR");
    assert.equal(notFound.status, 404);
    assert.equal(notFound.retryable, false);
    assert.match(notFound.message, /^HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/html-404 with a body that is not a GraphQL response \(text\/html\): <html>/);

    const plain = await failure(client("/plain-200").request(Hello));
    assert.equal(plain.code, "INVALID_RESPONSE");
    assert.equal(plain.status, 200);
    assert.match(plain.message, /HTTP 200 OK .* \(text\/plain\): OK/);

    const badGateway = await failure(client("/bad-gateway").request(Hello));
    assert.deepEqual([badGateway.code, badGateway.status, badGateway.retryable], ["HTTP_ERROR", 502, true]);

    const empty = await failure(client("/no-data").execute(Hello));
    assert.deepEqual([empty.code, empty.status], ["INVALID_RESPONSE", 200]);
  });

  it("types the graph's errors: code, retryable, status, path and extensions", async () => {
    const limited = await failure(client("/refused").request(Hello));
    assert.equal(limited.code, ErrorCode.RateLimited);
    assert.ok(isGraphClientError(limited, "RATE_LIMITED"));
    assert.deepEqual([limited.status, limited.retryable, limited.retryAfterMillis, limited.path], [429, true, 1500, ["hello"]]);
    assert.equal(limited.message, "Too many requests.");

    const newer = await failure(client("/unknown-code").request(Hello));
    assert.equal(newer.code, "UNKNOWN_ERROR", "a code this client does not know");
    assert.equal(newer.errors[0]?.extensions?.code, "SOMETHING_NEWER", "is still there, raw");

    // execute returns the errors instead of throwing.
    const result = await client("/refused").execute(Hello);
    assert.equal(result.status, 429);
    assert.equal(result.errors?.[0]?.extensions?.code, "RATE_LIMITED");

    const code: GraphClientErrorCode = limited.code;
    assert.ok(code);
  });

  it("fails with NETWORK_ERROR when nothing listens, and TIMEOUT after timeoutMillis", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failure(createGraphClient({ url: `http://127.0.0.1:${port}/graphql` }).request(Hello));
    assert.deepEqual([refused.code, refused.status, refused.retryable], ["NETWORK_ERROR", undefined, true]);
    assert.match(refused.message, /ECONNREFUSED/);

    const slow = await failure(client("/slow", { timeoutMillis: 50 }).request(Hello));
    assert.equal(slow.code, "TIMEOUT");
    assert.match(slow.message, /within 50 ms/);
  });

  it("aborts a request with its signal: rejects with the signal's reason and closes the connection", async () => {
    const before = closedUnanswered;
    const controller = new AbortController();
    const pending = client("/slow").request(Hello, {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: Error) => error.name === "AbortError");
    const reason = new Error("the user navigated away");
    await assert.rejects(client("/slow").request(Hello, {}, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
    for (let waited = 0; closedUnanswered === before && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(closedUnanswered > before, "the server saw the request go away");
  });

  for (const transport of ["ws", "sse"] as const) {
    describe(`subscriptions over ${transport}`, () => {
      it("iterates typed events, and leaving the loop stops the server's source at once, not at its next event", async () => {
        const graph = client("/graphql", { transport });
        const received: number[] = [];
        const before = sources.length;
        for await (const event of graph.subscribe(Ticks, { fast: 3 })) {
          received.push(event.ticks.index);
          if (received.length === 3) break;
        }
        const left = performance.now();
        assert.deepEqual(received, [0, 1, 2]);
        const source = sources[before];
        for (let waited = 0; source?.stoppedAt === undefined && waited < 2_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.ok(source?.stoppedAt !== undefined, "the server stopped the source");
        assert.ok(source.stoppedAt - left < 1_000, `stopped ${(source.stoppedAt - left).toFixed(0)} ms after the client left (the next event was 10 s away)`);
        await graph.close();
      });

      it("ends the iteration with the signal's reason when aborted, and stops the server's source", async () => {
        const graph = client("/graphql", { transport });
        const controller = new AbortController();
        const before = sources.length;
        const received: number[] = [];
        await assert.rejects(
          (async () => {
            for await (const event of graph.subscribe(Ticks, { fast: 2 }, { signal: controller.signal })) {
              received.push(event.ticks.index);
              if (received.length === 2) setTimeout(() => controller.abort(), 10);
            }
          })(),
          (error: Error) => error.name === "AbortError",
        );
        assert.deepEqual(received, [0, 1]);
        for (let waited = 0; sources[before]?.stoppedAt === undefined && waited < 2_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.ok(sources[before]?.stoppedAt !== undefined);
        // An already aborted signal starts nothing.
        const count = sources.length;
        await assert.rejects(graph.subscribe(Ticks, { fast: 1 }, { signal: AbortSignal.abort() }).next(), (error: Error) => error.name === "AbortError");
        assert.equal(sources.length, count);
        await graph.close();
      });

      it("fails with a typed error when the server refuses the credentials", async () => {
        const graph = client("/graphql", { transport, apiKey: "bad" });
        const refused = await failure(graph.subscribe(Ticks, { fast: 1 }).next());
        // graphql-ws: the server's onConnect said no (close 4403); SSE: the server's 401 and its errors.
        if (transport === "ws") assert.equal(refused.code, "FORBIDDEN");
        else assert.deepEqual([refused.code, refused.status, refused.message], ["UNAUTHENTICATED", 401, "Unknown API key."]);
        assert.equal(refused.retryable, false);
        await graph.close();
      });

      it("reports an invalid operation as a GraphClientError", async () => {
        const graph = client("/graphql", { transport });
        const invalid = parse("subscription { ticks(fast: 1) { missing } }") as TypedDocumentNode<unknown, Record<string, never>>;
        const error = await failure(graph.subscribe(invalid).next());
        assert.match(error.message, /missing/);
        await graph.close();
      });
    });
  }

  it("says how to pass a WebSocket implementation where there is none", async () => {
    const graph = createGraphClient({ url: `${base}/graphql` });
    if ((globalThis as { WebSocket?: unknown }).WebSocket !== undefined) return;
    await assert.rejects(graph.subscribe(Ticks, { fast: 1 }).next(), /webSocketImpl/);
  });
});

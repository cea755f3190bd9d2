/**
 * What every service's HTTP server does with slow, oversized and malformed requests (issue 13,
 * item 4): bounded bodies while streaming, 4xx with stable codes, slow clients closed within their
 * timeouts, and long responses never cut off.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ApolloServer } from "@apollo/server";
import { buildSchema } from "graphql";
import type { HttpTimeouts } from "../../platform/http/http-timeouts.ts";
import { startServiceServer, type RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { firstError, rawConnection, startPartialRequest } from "../harness/partial-request.ts";

const schema = buildSchema("type Query { slow(millis: Int!): String! fast: String! }");
const rootValue = {
  slow: async ({ millis }: { millis: number }) => {
    await new Promise((resolve) => setTimeout(resolve, millis));
    return "done";
  },
  fast: () => "ok",
};

/** Small timeouts, so slow clients are closed quickly; the check interval is what lets node notice in time. */
const shortTimeouts: HttpTimeouts = {
  headersTimeoutMillis: 400,
  requestTimeoutMillis: 800,
  keepAliveTimeoutMillis: 300,
  socketIdleTimeoutMillis: 300,
  timeoutCheckIntervalMillis: 50,
};

async function startTestService(httpTimeouts?: HttpTimeouts): Promise<RunningService> {
  const service = await startServiceServer({
    name: "test",
    host: "127.0.0.1",
    port: 0,
    maximumBodyBytes: 65_536,
    ...(httpTimeouts === undefined ? {} : { httpTimeouts }),
    stopGracePeriodMillis: 1_000,
    logger: createLogger("test", "error"),
    createApolloServer: (plugins) => new ApolloServer({ schema, rootValue, plugins }),
    context: async () => ({}),
  });
  after(() => service.stop());
  return service;
}

/** Writes `text` one byte every `everyMillis` until the socket closes; resolves with the bytes it managed to send. */
async function drip(socket: import("node:net").Socket, text: string, everyMillis: number): Promise<number> {
  let sent = 0;
  while (sent < text.length && !socket.destroyed && socket.writable) {
    socket.write(text.charAt(sent));
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, everyMillis));
  }
  return sent;
}

describe("HTTP hygiene of every service", () => {
  it("refuses a chunked body without Content-Length once it passes the limit, before the client finished it (413 PAYLOAD_TOO_LARGE)", async () => {
    const service = await startTestService();
    const request = startPartialRequest(service.graphqlUrl, { headers: { "content-type": "application/json", "transfer-encoding": "chunked" } });
    const chunk = Buffer.alloc(16_384, "x");
    const plannedBytes = 4 * 1_048_576;
    let answered = false;
    void request.response.then(() => (answered = true), () => (answered = true));
    while (!answered && request.bytesWritten < plannedBytes) {
      if (!(await request.write(chunk))) break;
    }
    const response = await request.response;
    assert.equal(response.status, 413);
    assert.equal(response.headers.connection, "close");
    assert.deepEqual(firstError(response), { message: "Request body is larger than 65536 bytes.", extensions: { code: "PAYLOAD_TOO_LARGE", retryable: false, maximumBytes: 65_536 } });
    assert.ok(request.bytesWritten < plannedBytes, `the answer came after ${request.bytesWritten} of ${plannedBytes} bytes`);
  });

  it("refuses an announced oversized body before it is sent, even to a client that waits for 100 Continue", async () => {
    const service = await startTestService();
    const request = startPartialRequest(service.graphqlUrl, { headers: { "content-type": "application/json", "content-length": 2_000_000, expect: "100-continue" } });
    const response = await request.response;
    assert.equal(response.status, 413);
    assert.equal(firstError(response)?.extensions.code, "PAYLOAD_TOO_LARGE");
    assert.equal(request.bytesWritten, 0);
  });

  it("answers malformed requests with 4xx and a stable code, never 500", async () => {
    const service = await startTestService();
    const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) => fetch(service.graphqlUrl, { method: "POST", headers, body });
    const invalidJson = await post("{ not json");
    assert.equal(invalidJson.status, 400);
    assert.match(JSON.stringify(await invalidJson.json()), /"code":"BAD_REQUEST"/);
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await fetch(service.graphqlUrl, { method, headers: { "content-type": "application/json" }, ...(method === "OPTIONS" ? {} : { body: "{}" }) });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, POST");
      assert.deepEqual(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions, { code: "BAD_REQUEST", retryable: false });
    }
    const cases: [string, Response][] = [
      ["a JSON array", await post("[]")],
      ["a JSON number", await post("1")],
      ["a query that is not a string", await post('{"query":1}')],
      ["variables as a string", await post('{"query":"{ fast }","variables":"{}"}')],
      ["an empty body", await post("")],
      ["no content type", await post('{"query":"{ fast }"}', {})],
      ["a GET without a query", await fetch(service.graphqlUrl, { headers: { "apollo-require-preflight": "true" } })],
    ];
    for (const [name, response] of cases) {
      assert.ok(response.status >= 400 && response.status < 500, `${name}: ${response.status}`);
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      assert.equal(body.errors?.[0]?.extensions?.code, "BAD_REQUEST", name);
    }
    const { socket, received, closed } = await rawConnection(service.port);
    socket.write("NOT HTTP AT ALL\r\n\r\n");
    await closed;
    assert.match(received(), /^HTTP\/1\.1 400 /);
  });

  it("closes slowloris sockets (one header byte at a time) with 408, while other clients are served", async () => {
    const service = await startTestService(shortTimeouts);
    const header = `GET /graphql?query=%7Bfast%7D HTTP/1.1\r\nHost: x\r\nX-Padding: ${"a".repeat(200)}\r\n\r\n`;
    const connections = await Promise.all(Array.from({ length: 20 }, () => rawConnection(service.port)));
    const dripping = connections.map(({ socket }) => drip(socket, header, 50));
    const served = await fetch(service.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ fast }" }) });
    assert.deepEqual(await served.json(), { data: { fast: "ok" } });
    const sent = await Promise.all(dripping);
    await Promise.all(connections.map(({ closed }) => closed));
    for (const [index, { received }] of connections.entries()) {
      assert.ok((sent[index] ?? 0) < header.length, `socket ${index} was closed before it finished its headers`);
      assert.match(received(), /^HTTP\/1\.1 408 Request Timeout/);
    }
  });

  it("closes a socket whose body trickles in slower than the request timeout, and one that falls silent mid-body", async () => {
    const service = await startTestService({ ...shortTimeouts, socketIdleTimeoutMillis: 60_000 });
    const body = JSON.stringify({ query: `{ fast } # ${"x".repeat(200)}` });
    const trickling = await rawConnection(service.port);
    trickling.socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const sent = await drip(trickling.socket, body, 50);
    await trickling.closed;
    assert.ok(sent < body.length, "closed before the body was complete");
    assert.match(trickling.received(), /^HTTP\/1\.1 408 /);

    const idleService = await startTestService({ ...shortTimeouts, requestTimeoutMillis: 60_000 });
    const silent = await rawConnection(idleService.port);
    silent.socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await silent.closed;
    assert.equal(silent.received(), "", "the idle timeout drops the socket without an answer");
  });

  it("never cuts off a response that takes longer than every request timeout, and closes idle kept-alive connections", async () => {
    const service = await startTestService(shortTimeouts);
    const { socket, received, closed } = await rawConnection(service.port);
    const body = JSON.stringify({ query: "{ slow(millis: 1500) }" });
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    // Nothing more is sent: after the response the connection idles past keepAliveTimeoutMillis.
    await closed;
    assert.match(received(), /^HTTP\/1\.1 200 OK/);
    assert.match(received(), /\{"data":\{"slow":"done"\}\}/);
  });
});

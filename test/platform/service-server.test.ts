import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import { ApolloServer } from "@apollo/server";
import { buildSchema } from "graphql";
import { startServiceServer, type RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import type { WebSocketEndpoint } from "../../platform/websocket/websocket-endpoint.ts";

const schema = buildSchema("type Query { slow(millis: Int!): String! fast: String! }");
const rootValue = {
  slow: async ({ millis }: { millis: number }) => {
    await new Promise((resolve) => setTimeout(resolve, millis));
    return "done";
  },
  fast: () => "ok",
};

async function startTestService(options: { healthy?: () => boolean; onStopped?: () => Promise<void>; webSocket?: WebSocketEndpoint } = {}): Promise<RunningService> {
  const service = await startServiceServer({
    name: "test",
    host: "127.0.0.1",
    port: 0,
    maximumBodyBytes: 2_048,
    stopGracePeriodMillis: 5_000,
    logger: createLogger("test", "error"),
    createApolloServer: (plugins) => new ApolloServer({ schema, rootValue, plugins }),
    context: async () => ({}),
    readinessChecks: [
      {
        name: "dependency",
        check: async () => {
          if (!(options.healthy?.() ?? true)) throw new Error("down");
        },
      },
    ],
    ...(options.onStopped === undefined ? {} : { onStopped: options.onStopped }),
    ...(options.webSocket === undefined ? {} : { webSocket: options.webSocket }),
  });
  after(() => service.stop());
  return service;
}

function post(url: string, body: string): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
}

/** Sends `head` (a request line and headers, as written) over a raw socket; resolves with the response's status line. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.slice(0, received.indexOf("\r\n")));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    // A service that never answers (it threw in its request handler) fails the test instead of hanging it.
    socket.setTimeout(10_000, () => socket.destroy(new Error("no response within 10 s")));
  });
}

describe("startServiceServer", () => {
  it("serves GraphQL, liveness and readiness", async () => {
    let healthy = true;
    const service = await startTestService({ healthy: () => healthy });
    const response = await post(service.graphqlUrl, JSON.stringify({ query: "{ fast }" }));
    assert.deepEqual(await response.json(), { data: { fast: "ok" } });
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${service.url}/readyz`)).status, 200);
    healthy = false;
    const notReady = await fetch(`${service.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: "unavailable", checks: { dependency: "down" } });
    assert.equal((await fetch(`${service.url}/elsewhere`)).status, 404);
  });

  it("answers a request target that is no URL (`GET http://[`) with 400 and keeps serving", async () => {
    const service = await startTestService();
    for (const method of ["GET", "POST", "OPTIONS"]) {
      assert.equal(await rawRequest(service.url, `${method} http://[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`), "HTTP/1.1 400 Bad Request");
    }
    const response = await post(service.graphqlUrl, JSON.stringify({ query: "{ fast }" }));
    assert.deepEqual(await response.json(), { data: { fast: "ok" } });
  });

  it("refuses a WebSocket upgrade to a target that is no URL with 400 and keeps serving", async () => {
    // A FAKE endpoint: the upgrade must be refused before it is handed over.
    const upgrades: string[] = [];
    const webSocket: WebSocketEndpoint = {
      handleUpgrade: (request, socket) => {
        upgrades.push(request.url ?? "");
        socket.destroy();
      },
      connectionCount: 0,
      operationCount: 0,
      stopAccepting: () => undefined,
      whenIdle: async () => undefined,
      close: async () => undefined,
    };
    const service = await startTestService({ webSocket });
    const upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    assert.equal(await rawRequest(service.url, `GET http://[ HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`), "HTTP/1.1 400 Bad Request");
    assert.deepEqual(upgrades, []);
    const response = await post(service.graphqlUrl, JSON.stringify({ query: "{ fast }" }));
    assert.deepEqual(await response.json(), { data: { fast: "ok" } });
  });

  it("refuses an oversized body with 413 and malformed JSON with 400", async () => {
    const service = await startTestService();
    const large = await post(service.graphqlUrl, JSON.stringify({ query: `{ fast } # ${"x".repeat(4_000)}` }));
    assert.equal(large.status, 413);
    assert.deepEqual(await large.json(), { errors: [{ message: "Request body is larger than 2048 bytes.", extensions: { code: "PAYLOAD_TOO_LARGE", retryable: false, maximumBytes: 2_048 } }] });
    const malformed = await post(service.graphqlUrl, "{ not json");
    assert.equal(malformed.status, 400);
    const body = (await malformed.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, "BAD_REQUEST");
  });

  it("lets in-flight requests finish on stop, then runs onStopped and refuses new connections", async () => {
    const events: string[] = [];
    const service = await startTestService({ onStopped: async () => void events.push("stopped") });
    const inFlight = post(service.graphqlUrl, JSON.stringify({ query: "{ slow(millis: 300) }" })).then(async (response) => {
      events.push("answered");
      return response.json();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.stop();
    assert.deepEqual(await inFlight, { data: { slow: "done" } });
    assert.deepEqual(events, ["answered", "stopped"]);
    await assert.rejects(fetch(`${service.url}/healthz`));
  });
});

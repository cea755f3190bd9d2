import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { InternalContextSigner } from "../../../platform/context/internal-context-token.ts";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { WebSocketCloseCode } from "../../../platform/websocket/close-codes.ts";
import { subscribe, waitFor } from "./subscription-test-stack.ts";
import { startTickerSubgraph, testSigner, type TickerSubgraph } from "./test-subgraphs.ts";

const caller: RequestContext = { requestId: "request-1", tenantId: "tenant-b", apiKeyId: "key-1", roles: ["member"] };

describe("createSubgraphWebSocketEndpoint (graphql-ws on a subgraph's HTTP port)", () => {
  let ticker: TickerSubgraph;
  const clients: Client[] = [];
  const client = (connectionParams: Record<string, unknown>) => {
    const created = createClient({ url: ticker.service.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
    clients.push(created);
    return created;
  };

  before(async () => {
    ticker = await startTickerSubgraph(testSigner());
  });
  after(async () => {
    await Promise.all(clients.map((created) => created.dispose()));
    await ticker.stop();
  });

  it("serves subscriptions to connections carrying a valid signed context, as that caller", async () => {
    const { events, completed } = await subscribe(
      client({ "x-internal-context": testSigner().sign(caller) }),
      `subscription { ticks(count: 2, intervalMillis: 0) { n tenant requestId } }`,
    ).ended;
    assert.equal(completed, true);
    assert.deepEqual(
      events.map((event) => event.data),
      [{ ticks: { n: 1, tenant: "tenant-b", requestId: "request-1" } }, { ticks: { n: 2, tenant: "tenant-b", requestId: "request-1" } }],
    );
  });

  it("closes connections without, or with a forged, signed context with 4401", async () => {
    const query = `subscription { ticks(count: 1, intervalMillis: 0) { n } }`;
    for (const params of [{}, { "x-internal-context": "forged.token" }, { "x-internal-context": new InternalContextSigner("another-secret-another-secret-0000").sign(caller) }]) {
      const { error } = await subscribe(client(params), query).ended;
      assert.equal((error as { code: number }).code, 4401, JSON.stringify(params));
      assert.match((error as { reason: string }).reason, /^Unauthorized: this service only accepts connections from the gateway/);
    }
    // Expired contexts too.
    const expired = testSigner().sign(caller, Date.now() - 120_000);
    const { error } = await subscribe(client({ "x-internal-context": expired }), query).ended;
    assert.equal((error as { code: number }).code, 4401);
  });

  it("runs each operation as the caller signed into its extensions, on one shared connection, and refuses forged ones without closing it", async () => {
    let connections = 0;
    const gatewayConnection = createClient({
      url: ticker.service.graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { "x-internal-context": testSigner().sign({ requestId: "connection", tenantId: "gateway", apiKeyId: "gateway", roles: [] }) },
      on: { connected: () => (connections += 1) },
    });
    clients.push(gatewayConnection);
    const query = `subscription { ticks(count: 1, intervalMillis: 0) { n tenant requestId } }`;
    const run = (extensions: Record<string, unknown> | undefined) => {
      const events: unknown[] = [];
      return new Promise<{ events: unknown[]; error?: unknown }>((resolve) => {
        gatewayConnection.subscribe(
          { query, ...(extensions === undefined ? {} : { extensions }) },
          { next: (value) => events.push(value.data), error: (error) => resolve({ events, error }), complete: () => resolve({ events }) },
        );
      });
    };
    const alice = testSigner().sign({ requestId: "request-a", tenantId: "tenant-a", apiKeyId: "key-a", roles: ["member"] });
    const bob = testSigner().sign({ requestId: "request-b", tenantId: "tenant-b", apiKeyId: "key-b", roles: ["member"] });
    const [first, second, forged, plain] = await Promise.all([
      run({ "x-internal-context": alice }),
      run({ "x-internal-context": bob }),
      run({ "x-internal-context": new InternalContextSigner("another-secret-another-secret-0000").sign(caller) }),
      run(undefined),
    ]);
    assert.deepEqual(first.events, [{ ticks: { n: 1, tenant: "tenant-a", requestId: "request-a" } }]);
    assert.deepEqual(second.events, [{ ticks: { n: 1, tenant: "tenant-b", requestId: "request-b" } }]);
    assert.equal((forged.error as { extensions?: { code?: string } }[])[0]?.extensions?.code, "UNAUTHENTICATED");
    assert.deepEqual(forged.events, []);
    // Without its own context, an operation runs as the connection's caller.
    assert.deepEqual(plain.events, [{ ticks: { n: 1, tenant: "gateway", requestId: "connection" } }]);
    // Documents that do not parse or validate are refused one by one, the connection kept.
    const syntax = await new Promise<unknown>((resolve) => gatewayConnection.subscribe({ query: "subscription { ticks(" }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) }));
    assert.equal((syntax as { extensions?: { code?: string } }[])[0]?.extensions?.code, "GRAPHQL_PARSE_FAILED");
    const invalid = await new Promise<unknown>((resolve) => gatewayConnection.subscribe({ query: "subscription { nope }" }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) }));
    assert.equal((invalid as { extensions?: { code?: string } }[])[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    // The refusals left the connection open for the next operation.
    assert.deepEqual((await run({ "x-internal-context": alice })).events, [{ ticks: { n: 1, tenant: "tenant-a", requestId: "request-a" } }]);
    assert.equal(connections, 1, "every operation ran on the one connection");
  });

  it("answers upgrades on other paths with 404 and keeps plain HTTP working", async () => {
    const socket = new WebSocket(`${ticker.service.url.replace(/^http/, "ws")}/elsewhere`, "graphql-transport-ws");
    const status = await new Promise<number | undefined>((resolve) => {
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode));
      socket.on("error", () => resolve(undefined));
    });
    assert.equal(status, 404);
    assert.equal((await fetch(`${ticker.service.url}/healthz`)).status, 200);
  });

  it("on stop, lets streams run for the grace period, then closes their sockets with 4503 (ServerRestarting) and ends them (last: it stops the subgraph)", async () => {
    const socket = client({ "x-internal-context": testSigner().sign(caller) });
    const index = ticker.streams.length;
    const stream = subscribe(socket, `subscription { ticks(count: 1000, intervalMillis: 10000) { n } }`);
    await waitFor(() => stream.events.length === 1, 5_000, "the first tick");
    await ticker.stop();
    const { error } = await stream.ended;
    assert.equal((error as { code: number }).code, WebSocketCloseCode.ServerRestarting);
    assert.notEqual(ticker.streams[index]?.returnedAt, undefined);
    assert.equal(ticker.activeStreams(), 0);
  });
});

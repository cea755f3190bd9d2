/** HTTP fetches to subgraph replicas (gateway/upstreams/balanced-fetch.ts), against loopback servers (test doubles). */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import type { Fetcher } from "@apollo/utils.fetcher";
import { balancedFetch } from "../../../gateway/upstreams/balanced-fetch.ts";
import { UpstreamPool } from "../../../gateway/upstreams/upstream-pool.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { waitFor } from "../subscriptions/subscription-test-stack.ts";

const servers: Server[] = [];

/** TEST DOUBLE: a replica whose `/readyz` answers 200 and whose GraphQL endpoint answers `reply` (or resets the connection). */
async function startReplica(reply: "answer" | "reset", seen: IncomingMessage[] = []): Promise<string> {
  const server = createServer((request, response) => {
    if (request.url === "/readyz") return void response.end("ok");
    seen.push(request);
    if (reply === "reset") return void request.socket.destroy();
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ data: { ok: true } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function poolOver(url: string, connectionMaxAgeMillis: number): UpstreamPool {
  return new UpstreamPool("inference", url, { resolve: async () => [url], discoveryRefreshMillis: 0, healthCheckIntervalMillis: 3_600_000, connectionMaxAgeMillis, logger: createLogger("test", "error") });
}

const post = (fetcher: Fetcher, signal?: AbortSignal) =>
  fetcher("http://configured-url.invalid/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: "{}", ...(signal === undefined ? {} : { signal }) } as Parameters<Fetcher>[1]);

describe("balancedFetch", () => {
  it("sends to the pool's endpoint, with `connection: close` once the connections reached their maximum age", async () => {
    const seen: IncomingMessage[] = [];
    const url = await startReplica("answer", seen);
    const pool = poolOver(url, 1);
    try {
      const fetcher = balancedFetch(pool, fetch as unknown as Fetcher);
      const response = await post(fetcher);
      assert.deepEqual(await response.json(), { data: { ok: true } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await (await post(fetcher)).text();
      assert.equal(seen.length, 2);
      assert.equal(seen[1]?.headers.connection, "close");
      assert.equal(pool.endpoints()[0]?.inFlightRequests, 0);
    } finally {
      pool.close();
    }
    const unlimited = poolOver(url, 0);
    try {
      await (await post(balancedFetch(unlimited, fetch as unknown as Fetcher))).text();
      assert.equal(seen[2]?.headers.connection, "keep-alive");
    } finally {
      unlimited.close();
    }
  });

  it("takes an endpoint that reset the connection out of the pool, but not one whose fetch was aborted", async () => {
    const resetting = poolOver(await startReplica("reset"), 0);
    const answering = poolOver(await startReplica("answer"), 0);
    try {
      await waitFor(() => resetting.endpoints()[0]?.state === "healthy" && answering.endpoints()[0]?.state === "healthy", 10_000, "both healthy");
      await assert.rejects(post(balancedFetch(resetting, fetch as unknown as Fetcher)));
      assert.equal(resetting.endpoints()[0]?.state, "unhealthy");
      await assert.rejects(post(balancedFetch(answering, fetch as unknown as Fetcher), AbortSignal.abort()));
      assert.equal(answering.endpoints()[0]?.state, "healthy");
      assert.equal(answering.endpoints()[0]?.inFlightRequests, 0);
    } finally {
      resetting.close();
      answering.close();
    }
  });
});

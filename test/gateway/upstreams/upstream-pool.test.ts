/**
 * The pool of a subgraph's replicas (gateway/upstreams/): endpoints from a resolver, health from
 * `/readyz`, subscriptions by least load, requests by fewest in flight, connection maximum age.
 * The replicas are small loopback HTTP servers whose `/readyz` a test turns on and off (test doubles).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { UpstreamPool, type UpstreamPoolSettings } from "../../../gateway/upstreams/upstream-pool.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { waitFor } from "../subscriptions/subscription-test-stack.ts";

/** TEST DOUBLE: a replica that answers `/readyz` with 200 while `ready`, else 503. */
interface FakeReplica {
  url: string;
  ready: boolean;
  server: Server;
}

const replicas: FakeReplica[] = [];

async function startFakeReplica(): Promise<FakeReplica> {
  const replica = { url: "", ready: true } as FakeReplica;
  replica.server = createServer((request, response) => {
    response.statusCode = request.url === "/readyz" && replica.ready ? 200 : 503;
    response.end();
  });
  await new Promise<void>((resolve) => replica.server.listen(0, "127.0.0.1", resolve));
  replica.url = `http://127.0.0.1:${(replica.server.address() as AddressInfo).port}/graphql`;
  replicas.push(replica);
  return replica;
}

after(async () => {
  for (const replica of replicas) await new Promise((resolve) => replica.server.close(resolve));
});

function poolOver(list: () => string[], overrides: Partial<UpstreamPoolSettings> = {}): UpstreamPool {
  return new UpstreamPool("inference", list()[0] ?? "http://127.0.0.1:1/graphql", {
    resolve: async () => list(),
    discoveryRefreshMillis: 0,
    healthCheckIntervalMillis: 20,
    logger: createLogger("test", "error"),
    ...overrides,
  });
}

const healthy = (pool: UpstreamPool) => pool.endpoints().filter((endpoint) => endpoint.state === "healthy").map((endpoint) => endpoint.url);

describe("UpstreamPool", () => {
  it("places subscriptions on the endpoint running fewest, a new one first", async () => {
    const started = [await startFakeReplica(), await startFakeReplica(), await startFakeReplica()];
    let urls = started.map((replica) => replica.url);
    const pool = poolOver(() => urls);
    try {
      await waitFor(() => healthy(pool).length === 3, 10_000, "three healthy endpoints");
      const placements = Array.from({ length: 9 }, () => pool.acquireSubscription().url);
      for (const url of urls) assert.equal(placements.filter((placed) => placed === url).length, 3);
      const fourth = await startFakeReplica();
      urls = [...urls, fourth.url];
      await pool.refresh();
      await waitFor(() => healthy(pool).includes(fourth.url), 10_000, "the 4th endpoint healthy");
      const next = Array.from({ length: 6 }, () => pool.acquireSubscription().url);
      // 3/3/3/0 running: the 4th takes the first three, then all are equal and take turns.
      assert.deepEqual(next.slice(0, 3), [fourth.url, fourth.url, fourth.url]);
      assert.equal(new Set(next.slice(3)).size, 3);
    } finally {
      pool.close();
    }
  });

  it("frees a subscription's place when it is released, once", async () => {
    const a = await startFakeReplica();
    const pool = poolOver(() => [a.url]);
    try {
      const lease = pool.acquireSubscription();
      assert.equal(pool.endpoints()[0]?.activeSubscriptions, 1);
      lease.release();
      lease.release();
      assert.equal(pool.endpoints()[0]?.activeSubscriptions, 0);
    } finally {
      pool.close();
    }
  });

  it("takes an endpoint whose /readyz fails out, and back when it passes", async () => {
    const [a, b] = [await startFakeReplica(), await startFakeReplica()];
    const pool = poolOver(() => [a.url, b.url]);
    try {
      await waitFor(() => healthy(pool).length === 2, 10_000, "two healthy endpoints");
      b.ready = false;
      await waitFor(() => !healthy(pool).includes(b.url), 10_000, "b taken out");
      const placed = Array.from({ length: 10 }, () => pool.acquireRequest());
      assert.deepEqual(new Set(placed.map((lease) => lease.url)), new Set([a.url]));
      for (const lease of placed) lease.release();
      b.ready = true;
      await waitFor(() => healthy(pool).includes(b.url), 10_000, "b back");
      const spread = Array.from({ length: 10 }, () => pool.acquireSubscription().url);
      assert.equal(spread.filter((url) => url === b.url).length, 5);
    } finally {
      pool.close();
    }
  });

  it("takes an endpoint the gateway could not reach out at once, until a check passes", async () => {
    const [a, b] = [await startFakeReplica(), await startFakeReplica()];
    const pool = poolOver(() => [a.url, b.url], { healthCheckIntervalMillis: 3_600_000 });
    try {
      await waitFor(() => healthy(pool).length === 2, 10_000, "two healthy endpoints");
      pool.reportFailure(a.url);
      assert.deepEqual(healthy(pool), [b.url]);
      assert.deepEqual(new Set(Array.from({ length: 6 }, () => pool.acquireSubscription().url)), new Set([b.url]));
    } finally {
      pool.close();
    }
  });

  it("uses every endpoint while none is healthy (the request fails as it would have)", async () => {
    const a = await startFakeReplica();
    a.ready = false;
    const pool = poolOver(() => [a.url]);
    try {
      await waitFor(() => pool.endpoints()[0]?.state === "unhealthy", 10_000, "a unhealthy");
      assert.equal(pool.acquireRequest().url, a.url);
    } finally {
      pool.close();
    }
  });

  it("sends requests to the endpoint with fewest in flight, in turn when equal", async () => {
    const [a, b] = [await startFakeReplica(), await startFakeReplica()];
    const pool = poolOver(() => [a.url, b.url], { connectionMaxAgeMillis: 0 });
    try {
      await waitFor(() => healthy(pool).length === 2, 10_000, "two healthy endpoints");
      const held = pool.acquireRequest();
      const others = Array.from({ length: 3 }, () => pool.acquireRequest());
      // `held` is in flight: the next goes elsewhere, then both have one and the turn decides.
      assert.notEqual(others[0]?.url, held.url);
      for (const lease of [held, ...others]) lease.release();
      const sequential = Array.from({ length: 10 }, () => {
        const lease = pool.acquireRequest();
        lease.release();
        return lease.url;
      });
      assert.equal(sequential.filter((url) => url === a.url).length, 5);
      assert.ok(sequential.every((url) => url === a.url || url === b.url));
    } finally {
      pool.close();
    }
  });

  it("asks for `connection: close` on as many requests as were in flight once the connections reach their maximum age", async () => {
    const a = await startFakeReplica();
    const pool = poolOver(() => [a.url], { connectionMaxAgeMillis: 1 });
    try {
      // Three in flight at once: about three keep-alive sockets to renew.
      const concurrent = Array.from({ length: 3 }, () => pool.acquireRequest());
      for (const lease of concurrent) lease.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const after = Array.from({ length: 3 }, () => {
        const lease = pool.acquireRequest();
        lease.release();
        return lease.closeConnection;
      });
      assert.deepEqual(after, [true, true, true]);
    } finally {
      pool.close();
    }
    const unlimited = poolOver(() => [a.url], { connectionMaxAgeMillis: 0 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(unlimited.acquireRequest().closeConnection, false);
    } finally {
      unlimited.close();
    }
  });
});

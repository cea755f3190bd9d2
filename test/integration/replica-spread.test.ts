/**
 * Load spreads over subgraph replicas (issue 17, item 2): the gateway balances across replicas
 * itself, so a replica added later takes its share of new streams and HTTP requests, and a replica
 * taken down gets none. The replicas are in-process services on loopback ports running the real
 * platform code (the `ticker` test subgraph of test/gateway/subscriptions/, which records every
 * stream it starts); the replica list is a mutable array standing in for DNS (a headless Service),
 * handed to the gateway as its endpoint resolver. Counts, never durations, are asserted.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Client } from "graphql-ws";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { startGateway, type RunningGateway } from "../../gateway/service.ts";
import type { UpstreamPool } from "../../gateway/upstreams/upstream-pool.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { testRateLimits } from "../harness/test-rate-limits.ts";
import { composeTestSupergraph, gatewayClient, postGraphQL, subscribe, waitFor, type CollectedStream, type RunningStream } from "../gateway/subscriptions/subscription-test-stack.ts";
import { itemsTypeDefs, startItemsSubgraph, startTickerSubgraph, testSigner, testSigningSecret, tickerTypeDefs, type TestSubgraph, type TickerSubgraph } from "../gateway/subscriptions/test-subgraphs.ts";

/** A stream that sends its first tick at once, then stays open (the next tick is an hour away). */
const longStream = "subscription { ticks(count: 2, intervalMillis: 3600000) { n } }";
/** Bound on waiting for a condition (replicas found healthy, streams placed); never asserted on. */
const waitLimitMillis = 30_000;

interface Replica {
  ticker: TickerSubgraph;
  /** POST requests its GraphQL endpoint received (health checks are GETs of /readyz). */
  graphqlPosts: () => number;
}

async function startReplica(): Promise<Replica> {
  const ticker = await startTickerSubgraph(testSigner());
  let posts = 0;
  ticker.service.httpServer.on("request", (request: { method?: string; url?: string }) => {
    if (request.method === "POST" && request.url?.startsWith("/graphql") === true) posts += 1;
  });
  return { ticker, graphqlPosts: () => posts };
}

describe("the gateway spreads streams and requests over subgraph replicas", () => {
  const replicas: Replica[] = [];
  /** What "DNS" answers for the ticker now: the replicas' GraphQL URLs. */
  let tickerEndpoints: string[] = [];
  let items: TestSubgraph;
  let gateway: RunningGateway;
  let client: Client;
  let apiKey: string;
  const streams: RunningStream[] = [];

  const pool = (): UpstreamPool => {
    const found = gateway.upstreams.all().find((candidate) => candidate.serviceName === "ticker");
    assert.ok(found, "the gateway has no pool for the ticker");
    return found;
  };
  const healthyEndpoints = () => pool().endpoints().filter((endpoint) => endpoint.state === "healthy").map((endpoint) => endpoint.url);
  const streamCounts = () => replicas.map((replica) => replica.ticker.streams.length);

  /** Opens `count` long streams and waits for each one's first event; returns how many each replica started. */
  const openStreams = async (count: number): Promise<number[]> => {
    const before = streamCounts();
    const opened = Array.from({ length: count }, () => subscribe(client, longStream));
    streams.push(...opened);
    const endings: (CollectedStream | undefined)[] = opened.map(() => undefined);
    opened.forEach((stream, index) => void stream.ended.then((ending) => (endings[index] = ending)));
    await waitFor(() => opened.every((stream, index) => stream.events.length > 0 || endings[index] !== undefined), waitLimitMillis, `first events of ${count} streams`);
    for (const [index, stream] of opened.entries()) {
      assert.equal(endings[index], undefined, `a new stream ended: ${JSON.stringify(endings[index]?.error)}`);
      assert.equal(stream.events[0]?.errors, undefined);
      assert.deepEqual(stream.events[0]?.data, { ticks: { n: 1 } });
    }
    return streamCounts().map((total, index) => total - (before[index] ?? 0));
  };

  before(async () => {
    const directory = await temporaryDirectory("replica-spread");
    for (let index = 0; index < 3; index += 1) replicas.push(await startReplica());
    tickerEndpoints = replicas.map((replica) => replica.ticker.service.graphqlUrl);
    items = await startItemsSubgraph(testSigner());
    const supergraphPath = join(directory, "supergraph.graphql");
    // The supergraph names the first replica, as a deployment names the Service.
    await writeFile(
      supergraphPath,
      composeTestSupergraph([
        { name: "ticker", url: tickerEndpoints[0] as string, typeDefs: tickerTypeDefs({ withSquared: true }) },
        { name: "items", url: items.service.graphqlUrl, typeDefs: itemsTypeDefs },
      ]),
    );
    const config = loadGatewayConfig({
      DATA_DIR: directory,
      SUPERGRAPH_PATH: supergraphPath,
      SUPERGRAPH_WATCH: "false",
      GATEWAY_PORT: "0",
      LOG_LEVEL: "error",
      SHUTDOWN_GRACE_PERIOD_MILLIS: "500",
      INTERNAL_SIGNING_SECRET: testSigningSecret,
      // Quick re-resolution and health checks so the test waits little; the defaults are 5 s and 2 s.
      UPSTREAM_DNS_REFRESH_MILLIS: "100",
      UPSTREAM_HEALTH_CHECK_MILLIS: "100",
      ...testRateLimits,
    });
    gateway = await startGateway(config, createLogger("gateway", "error"), {
      resolveEndpoints: async (serviceName, baseUrl) => (serviceName === "ticker" ? [...tickerEndpoints] : [baseUrl]),
    });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    apiKey = (await issueApiKey(createApiKeyStore(config, infrastructure), "tenant-a", ["member"], "replica spread")).key;
    await infrastructure.close();
    client = gatewayClient(gateway.graphqlUrl.replace(/^http/, "ws"), apiKey);
    // The pool is made on the gateway's first schema load; wait until it found the three replicas healthy.
    await waitFor(() => gateway.upstreams.all().some((candidate) => candidate.serviceName === "ticker") && healthyEndpoints().length === 3, waitLimitMillis, "three healthy ticker replicas");
  });

  after(async () => {
    for (const stream of streams) stream.cancel();
    await client?.dispose();
    await gateway?.stop();
    for (const replica of replicas) await replica.ticker.stop();
    await items?.stop();
  });

  it("places streams on the replica running fewest: 30 streams over 3 replicas, 10 each", async () => {
    const placed = await openStreams(30);
    console.log(`30 streams over 3 replicas: ${placed.join("/")}`);
    assert.deepEqual(placed, [10, 10, 10]);
    // One upstream connection per replica, not one per subgraph.
    assert.equal(gateway.subscriptions.upstreamConnections, 3);
  });

  it("gives a 4th replica at least 20 % of new streams once its /readyz passes", async () => {
    replicas.push(await startReplica());
    const fourth = replicas[3] as Replica;
    tickerEndpoints = replicas.map((replica) => replica.ticker.service.graphqlUrl);
    await waitFor(() => healthyEndpoints().includes(fourth.ticker.service.graphqlUrl), waitLimitMillis, "the 4th replica found and healthy");
    const placed = await openStreams(20);
    const share = (placed[3] ?? 0) / 20;
    console.log(`20 new streams after a 4th replica joined: ${placed.join("/")} (4th: ${Math.round(share * 100)} %)`);
    assert.ok(share >= 0.2, `the 4th replica got ${placed[3]} of 20 new streams`);
    // Least load: the new replica (0 running) is filled before the others get more.
    assert.ok((placed[3] ?? 0) >= 10, `the 4th replica got ${placed[3]} of 20 new streams`);
  });

  it("spreads HTTP queries over every replica", async () => {
    const before = replicas.map((replica) => replica.graphqlPosts());
    const queries = 40;
    for (let index = 0; index < queries; index += 1) {
      const { status, body } = await postGraphQL(gateway.graphqlUrl, apiKey, "{ tickerStatus }");
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { tickerStatus: "ok" } });
    }
    const received = replicas.map((replica, index) => replica.graphqlPosts() - (before[index] ?? 0));
    console.log(`${queries} HTTP queries over 4 replicas: ${received.join("/")}`);
    assert.equal(received.reduce((sum, count) => sum + count, 0), queries);
    for (const count of received) assert.ok(count >= queries * 0.2, `a replica received ${count} of ${queries} queries: ${received.join("/")}`);
  });

  it("skips a replica taken down: every new stream and query goes to the others, and succeeds", async () => {
    const down = replicas[1] as Replica;
    const downUrl = down.ticker.service.graphqlUrl;
    await down.ticker.kill();
    // Its streams were lost (they end with SERVICE_UNAVAILABLE); the gateway takes it out of the pool.
    await waitFor(() => !healthyEndpoints().includes(downUrl), waitLimitMillis, "the killed replica taken out");
    const startedOnDown = down.ticker.streams.length;
    const placed = await openStreams(24);
    console.log(`24 new streams with replica 2 down: ${placed.join("/")}`);
    assert.equal(placed[1], 0);
    assert.equal(down.ticker.streams.length, startedOnDown);
    assert.equal(placed.reduce((sum, count) => sum + count, 0), 24);
    for (let index = 0; index < 12; index += 1) {
      const { status, body } = await postGraphQL(gateway.graphqlUrl, apiKey, "{ tickerStatus }");
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { tickerStatus: "ok" } }, "a query went to the replica taken down");
    }
  });

  it("spreads new streams evenly over the replicas of a rolling restart", async () => {
    // Each replica in turn: a new one starts and is listed, then the old one leaves the list and stops (draining).
    const count = replicas.length;
    for (let index = 0; index < count; index += 1) {
      const old = replicas[index] as Replica;
      const replacement = await startReplica();
      replicas.push(replacement);
      tickerEndpoints = [...tickerEndpoints.filter((url) => url !== old.ticker.service.graphqlUrl), replacement.ticker.service.graphqlUrl];
      await waitFor(() => healthyEndpoints().includes(replacement.ticker.service.graphqlUrl), waitLimitMillis, "the new replica found and healthy");
      await old.ticker.stop();
    }
    await waitFor(() => pool().endpoints().length === count, waitLimitMillis, "the old replicas gone from the pool");
    const placed = (await openStreams(40)).slice(count);
    console.log(`40 new streams after a rolling restart of ${count} replicas: ${placed.join("/")}`);
    assert.equal(placed.reduce((sum, placedOn) => sum + placedOn, 0), 40);
    for (const placedOn of placed) assert.ok(placedOn >= 40 * 0.2, `a restarted replica got ${placedOn} of 40 new streams: ${placed.join("/")}`);
  });
});

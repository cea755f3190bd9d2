import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FormattedExecutionResult, GraphQLError } from "graphql";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { UpstreamSubscriptions } from "../../../gateway/subscriptions/upstream-subscriptions.ts";
import { waitFor } from "./subscription-test-stack.ts";
import { startTickerSubgraph, testSigner, type TickerSubgraph } from "./test-subgraphs.ts";

interface Outcome {
  events: FormattedExecutionResult[];
  errors?: GraphQLError[];
  completed: boolean;
}

const caller = (requestId: string, tenantId = "tenant-a"): RequestContext => ({ requestId, tenantId, apiKeyId: "key", roles: ["member"] });

describe("UpstreamSubscriptions (one shared connection per subgraph)", () => {
  let ticker: TickerSubgraph;
  let upstream: UpstreamSubscriptions;

  const open = (query: string, requestCaller: RequestContext) => {
    const outcome: Outcome = { events: [], completed: false };
    let settle: () => void = () => undefined;
    const ended = new Promise<Outcome>((resolve) => (settle = () => resolve(outcome)));
    const cancel = upstream.open(
      { serviceName: "ticker", url: ticker.service.graphqlUrl, payload: { query }, caller: requestCaller },
      {
        next: (event) => outcome.events.push(event),
        error: (errors) => {
          outcome.errors = errors;
          settle();
        },
        complete: () => {
          outcome.completed = true;
          settle();
        },
      },
    );
    return { ended, cancel, outcome };
  };

  before(async () => {
    ticker = await startTickerSubgraph(testSigner());
    upstream = new UpstreamSubscriptions({ signer: testSigner(), connectTimeoutMillis: 2_000, idleTimeoutMillis: 0, keepOpenMillis: 200, logger: createLogger("test", "error") });
  });
  after(async () => {
    upstream.closeAll();
    await ticker.stop();
  });

  it("carries each caller on its own subscription, over one connection", async () => {
    const upgrades = ticker.webSocketUpgrades();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) => open(`subscription { ticks(count: 2, intervalMillis: 1) { n tenant requestId } }`, caller(`request-${index}`, `tenant-${index}`)).ended),
    );
    outcomes.forEach((outcome, index) => {
      assert.equal(outcome.completed, true);
      assert.deepEqual(
        outcome.events.map((event) => event.data),
        [1, 2].map((n) => ({ ticks: { n, tenant: `tenant-${index}`, requestId: `request-${index}` } })),
      );
    });
    assert.equal(ticker.webSocketUpgrades() - upgrades, 1);
  });

  it("cancels one subscription without closing the connection the others use", async () => {
    const upgrades = ticker.webSocketUpgrades();
    const cancelled = open(`subscription { ticks(count: 1000, intervalMillis: 5) { n } }`, caller("cancelled"));
    const kept = open(`subscription { ticks(count: 1000, intervalMillis: 5) { n } }`, caller("kept"));
    await waitFor(() => cancelled.outcome.events.length > 0 && kept.outcome.events.length > 0, 5_000, "both streams to start");
    cancelled.cancel();
    await waitFor(() => ticker.activeStreams() === 1, 2_000, "the cancelled stream to end on the subgraph");
    const seen = kept.outcome.events.length;
    await waitFor(() => kept.outcome.events.length > seen + 2, 2_000, "the other stream to go on");
    kept.cancel();
    await waitFor(() => ticker.activeStreams() === 0, 2_000, "the second stream to end");
    assert.ok(ticker.webSocketUpgrades() - upgrades <= 1);
  });

  it("closes a connection left without subscriptions after keepOpenMillis, and opens a new one when needed", async () => {
    await waitFor(() => upstream.connectionCount === 0, 2_000, "the idle connection to close");
    const upgrades = ticker.webSocketUpgrades();
    const outcome = await open(`subscription { ticks(count: 1, intervalMillis: 0) { n } }`, caller("again")).ended;
    assert.equal(outcome.completed, true);
    assert.equal(ticker.webSocketUpgrades() - upgrades, 1);
  });

  it("fails every subscription on a connection that is lost, with SERVICE_UNAVAILABLE (last: it kills the subgraph)", async () => {
    const streams = Array.from({ length: 3 }, (_, index) => open(`subscription { ticks(count: 1000, intervalMillis: 5) { n } }`, caller(`lost-${index}`)));
    await waitFor(() => streams.every((stream) => stream.outcome.events.length > 0), 5_000, "the streams to start");
    await ticker.kill();
    for (const { ended } of streams) {
      const outcome = await ended;
      assert.equal(outcome.completed, false);
      assert.equal(outcome.errors?.[0]?.extensions.code, "SERVICE_UNAVAILABLE");
      assert.match(outcome.errors?.[0]?.message ?? "", /connection lost/);
    }
    assert.equal(upstream.openCount, 0);
    assert.equal(upstream.connectionCount, 0);
  });
});

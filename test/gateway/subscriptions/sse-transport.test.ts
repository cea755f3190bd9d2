import assert from "node:assert/strict";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { createClient, type Client as SseClient } from "graphql-sse";
import type { Client } from "graphql-ws";
import { EmbeddedApiKeyStore } from "../../../platform/api-keys/embedded-api-key-store.ts";
import { issueApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import { openStream, sseEvents, stalledReader } from "./http-stream-clients.ts";
import { firstErrorCode, gatewayClient, startSubscriptionTestStack, subscribe, waitFor, type SubscriptionTestStack } from "./subscription-test-stack.ts";

const Ticks = `
  subscription Ticks($count: Int!, $interval: Int!) {
    ticks(count: $count, intervalMillis: $interval) { n tenant item { id name } }
  }
`;

const itemNames: Record<string, string> = { "1": "alpha", "2": "beta", "3": "gamma" };
const maxBufferedEvents = 4;
const maxOperationsPerConnection = 3;

/** How one operation over graphql-sse's client ended. */
interface SseOutcome {
  results: FormattedExecutionResult[];
  error: unknown;
}

/** Runs one operation with graphql-sse's client; `onResult` may stop it (returns the unsubscribe function's effect). */
function run(client: SseClient<boolean>, query: string, variables: Record<string, unknown> = {}, onResult?: (result: FormattedExecutionResult, stop: () => void) => void): Promise<SseOutcome> {
  return new Promise((resolve) => {
    const results: FormattedExecutionResult[] = [];
    let stop: () => void = () => undefined;
    stop = client.subscribe(
      { query, variables },
      {
        next: (result) => {
          results.push(result as FormattedExecutionResult);
          onResult?.(result as FormattedExecutionResult, () => {
            stop();
            resolve({ results, error: undefined });
          });
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results, error: undefined }),
      },
    );
  });
}

describe("GraphQL over SSE (graphql-sse) through the gateway", () => {
  let stack: SubscriptionTestStack;
  const clients: { dispose(): void | Promise<void> }[] = [];
  const sseClient = (options: { singleConnection?: boolean; key?: string | null } = {}): SseClient<boolean> => {
    const key = options.key === undefined ? stack.key.key : options.key;
    const created = createClient({
      url: stack.gateway.graphqlUrl,
      singleConnection: options.singleConnection ?? false,
      retryAttempts: 0,
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
    });
    clients.push(created);
    return created;
  };
  const socket = (): Client => {
    const created = gatewayClient(stack.webSocketUrl, stack.key.key);
    clients.push(created);
    return created;
  };
  const ticks = (results: FormattedExecutionResult[]) => results.map((result) => (result.data as { ticks: { n: number } }).ticks.n);

  before(async () => {
    stack = await startSubscriptionTestStack({ subscriptions: { maxBufferedEvents, maxOperationsPerConnection, sseReservationTimeoutMillis: 300 } });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await stack.stop();
  });

  it("streams a subscription in distinct connections mode, entity fields from the other subgraph on every event", async () => {
    const { results, error } = await run(sseClient(), Ticks, { count: 4, interval: 5 });
    assert.equal(error, undefined);
    assert.deepEqual(ticks(results), [1, 2, 3, 4]);
    for (const result of results) {
      assert.equal(result.errors, undefined);
      const tick = (result.data as { ticks: { tenant: string; item: { id: string; name: string } } }).ticks;
      assert.equal(tick.tenant, "tenant-a");
      assert.equal(tick.item.name, itemNames[tick.item.id]);
    }
  });

  it("streams several operations over one connection in single connection mode, queries included", async () => {
    const client = sseClient({ singleConnection: true });
    const [first, second, query] = await Promise.all([
      run(client, Ticks, { count: 3, interval: 5 }),
      run(client, Ticks, { count: 2, interval: 5 }),
      run(client, `query { item(id: "2") { name } }`),
    ]);
    assert.equal(first.error, undefined);
    assert.deepEqual(ticks(first.results), [1, 2, 3]);
    assert.deepEqual(ticks(second.results), [1, 2]);
    assert.deepEqual(query.results.map((result) => result.data), [{ item: { name: "beta" } }]);
    await client.dispose();
    await waitFor(() => stack.gateway.subscriptions.activeSubscriptions === 0, 2_000, "the subscriptions to end");
  });

  it("speaks the protocol on the wire: next events, then complete; a reservation's token, stream and 202s", async () => {
    const headers = { authorization: `Bearer ${stack.key.key}` };
    const distinct = await openStream(stack.gateway.graphqlUrl, { headers: { ...headers, accept: "text/event-stream" }, body: { query: Ticks, variables: { count: 2, interval: 0 } } });
    await distinct.done;
    assert.equal(distinct.status, 200);
    assert.match(distinct.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.deepEqual(
      sseEvents(distinct.text()).map(({ event }) => event),
      ["next", "next", "complete"],
    );

    // Single connection mode by hand: PUT, GET the stream, POST an operation, DELETE it.
    const reserved = await fetch(stack.gateway.graphqlUrl, { method: "PUT", headers });
    assert.equal(reserved.status, 201);
    const token = await reserved.text();
    const stream = await openStream(stack.gateway.graphqlUrl, { method: "GET", headers: { ...headers, accept: "text/event-stream", "x-graphql-event-stream-token": token } });
    assert.equal(stream.status, 200);
    const posted = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "x-graphql-event-stream-token": token },
      body: JSON.stringify({ query: Ticks, variables: { count: 1_000, interval: 10_000 }, extensions: { operationId: "op-1" } }),
    });
    assert.equal(posted.status, 202);
    await waitFor(() => sseEvents(stream.text()).some(({ event }) => event === "next"), 5_000, "the first event");
    const [next] = sseEvents(stream.text());
    assert.equal((next?.data as { id: string }).id, "op-1");
    const deleted = await fetch(`${stack.gateway.graphqlUrl}?operationId=op-1`, { method: "DELETE", headers: { ...headers, "x-graphql-event-stream-token": token } });
    assert.equal(deleted.status, 200);
    await waitFor(() => sseEvents(stream.text()).some(({ event }) => event === "complete"), 2_000, "the operation's complete event");
    await waitFor(() => stack.gateway.subscriptions.upstreamSubscriptions === 0, 2_000, "DELETE to cancel the upstream");
    stream.abort();
  });

  it("refuses requests without a valid API key with 401, and a token to any key but the one that reserved it", async () => {
    const missing = await run(sseClient({ key: null }), Ticks, { count: 1, interval: 0 });
    assert.equal((missing.error as { response?: Response }).response?.status, 401);
    const invalid = await openStream(stack.gateway.graphqlUrl, { headers: { accept: "text/event-stream", authorization: "Bearer aig_not-a-real-key" }, body: { query: Ticks, variables: { count: 1, interval: 0 } } });
    await invalid.done;
    assert.equal(invalid.status, 401);
    assert.equal((JSON.parse(invalid.text()) as { errors: GraphQLFormattedError[] }).errors[0]?.extensions?.code, "UNAUTHENTICATED");
    const reservation = await fetch(stack.gateway.graphqlUrl, { method: "PUT" });
    assert.equal(reservation.status, 401);

    const owner = await fetch(stack.gateway.graphqlUrl, { method: "PUT", headers: { authorization: `Bearer ${stack.key.key}` } });
    const token = await owner.text();
    const other = await issueApiKey(new EmbeddedApiKeyStore(dirname(stack.supergraphPath)), "tenant-a", ["member"], "another key of the same tenant");
    const stolen = await fetch(stack.gateway.graphqlUrl, { method: "GET", headers: { authorization: `Bearer ${other.key}`, accept: "text/event-stream", "x-graphql-event-stream-token": token } });
    assert.equal(stolen.status, 404);
    await stolen.body?.cancel();
    const posted = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json", "x-graphql-event-stream-token": token },
      body: JSON.stringify({ query: Ticks, variables: { count: 1, interval: 0 }, extensions: { operationId: "x" } }),
    });
    assert.equal(posted.status, 404);
    // A reservation nobody opens is dropped after sseReservationTimeoutMillis.
    await waitFor(() => stack.gateway.subscriptions.sseReservations === 0, 2_000, "the unopened reservation to be dropped");
  });

  it("cancels the upstream stream before its next event when the client goes away, in both modes", async () => {
    // Distinct connections: the client drops the one request.
    const before = stack.ticker.streams.length;
    const stream = await openStream(stack.gateway.graphqlUrl, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${stack.key.key}` },
      body: { query: Ticks, variables: { count: 1_000, interval: 10_000 } },
    });
    await waitFor(() => sseEvents(stream.text()).length === 1, 5_000, "the first event");
    const record = stack.ticker.streams[before];
    assert.ok(record !== undefined);
    const abortedAt = stream.abort();
    await waitFor(() => record.returnedAt !== undefined, 5_000, "the ticker's return() (its next tick is 10 s away)");
    const elapsed = (record.returnedAt ?? Infinity) - abortedAt;
    console.log(`upstream return() came ${elapsed.toFixed(1)} ms after the client left`); // printed, not asserted: no timed assertions in tests

    // Single connection: the client disposes its one stream with two subscriptions on it.
    const client = sseClient({ singleConnection: true });
    const first = stack.ticker.streams.length;
    let seen = 0;
    const running = [run(client, Ticks, { count: 1_000, interval: 10_000 }, () => (seen += 1)), run(client, Ticks, { count: 1_000, interval: 10_000 }, () => (seen += 1))];
    await waitFor(() => seen === 2, 5_000, "an event on each");
    const disposedAt = performance.now();
    await client.dispose();
    const records = stack.ticker.streams.slice(first);
    assert.equal(records.length, 2);
    await waitFor(() => records.every((entry) => entry.returnedAt !== undefined), 5_000, "both upstream streams to be cancelled (their next ticks are 10 s away)");
    const slowest = Math.max(...records.map((entry) => (entry.returnedAt ?? Infinity) - disposedAt));
    console.log(`upstream return() came ${slowest.toFixed(1)} ms after the client left`); // printed, not asserted: no timed assertions in tests
    void running;
    await waitFor(() => stack.gateway.subscriptions.activeSubscriptions === 0 && stack.gateway.subscriptions.sseReservations === 0, 2_000, `the gateway to drop everything (${stack.gateway.subscriptions.activeSubscriptions} ${stack.gateway.subscriptions.sseReservations})`);
  });

  it("refuses with the errors graphql-ws gives, in the stream: validation, variables, syntax, operation limits, the subgraph's own", async () => {
    const ws = socket();
    const client = sseClient();
    const aliases = Array.from({ length: 31 }, (_, index) => `a${index}: n`).join(" ");
    const cases: { query: string; variables?: Record<string, unknown>; code: string }[] = [
      { query: `subscription { ticks(count: 1, intervalMillis: 0) { nope } }`, code: "GRAPHQL_VALIDATION_FAILED" },
      { query: Ticks, variables: { count: "many", interval: 0 }, code: "BAD_USER_INPUT" },
      { query: `subscription {`, code: "GRAPHQL_PARSE_FAILED" },
      { query: `subscription { ticks(count: 1, intervalMillis: 0) { ${aliases} } }`, code: "MAX_ALIASES_EXCEEDED" },
    ];
    for (const { query, variables, code } of cases) {
      const overSocket = await subscribe(ws, query, variables ?? {}).ended;
      assert.equal(firstErrorCode(overSocket.error), code, `graphql-ws: ${query}`);
      const { results, error } = await run(client, query, variables ?? {});
      assert.equal(error, undefined, "the stream completes normally");
      assert.equal(results.length, 1);
      assert.deepEqual(results[0]?.errors, overSocket.error, `the same errors as over graphql-ws: ${query}`);
    }
    const refused = await run(client, Ticks, { count: -1, interval: 0 });
    assert.equal(refused.results[0]?.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.equal(refused.results[0]?.errors?.[0]?.extensions?.serviceName, "ticker");
  });

  it(`refuses operations past maxOperationsPerConnection on one stream with TOO_MANY_OPERATIONS`, async () => {
    const client = sseClient({ singleConnection: true });
    let started = 0;
    const idle = `subscription { ticks(count: 2, intervalMillis: 60000) { n } }`;
    const running = Array.from({ length: maxOperationsPerConnection }, () => run(client, idle, {}, () => (started += 1)));
    await waitFor(() => started === maxOperationsPerConnection, 5_000, "the running subscriptions");
    const refused = await run(client, idle);
    assert.equal(refused.results[0]?.errors?.[0]?.extensions?.code, "TOO_MANY_OPERATIONS");
    await client.dispose();
    void running;
    await waitFor(() => stack.gateway.subscriptions.activeSubscriptions === 0, 2_000, "the subscriptions to end");
  });

  it("ends a subscription whose client stops reading with SUBSCRIPTION_BUFFER_OVERFLOW and cancels its upstream", async () => {
    const streamIndex = stack.ticker.streams.length;
    const count = 100_000;
    const reader = await stalledReader(stack.gateway.graphqlUrl, { accept: "text/event-stream", authorization: `Bearer ${stack.key.key}` }, {
      query: `subscription { ticks(count: ${count}, intervalMillis: 0, payloadBytes: 65536) { n payload } }`,
    });
    await waitFor(() => stack.ticker.streams[streamIndex]?.returnedAt !== undefined, 20_000, "the gateway to cancel the ticker's stream");
    const record = stack.ticker.streams[streamIndex];
    assert.ok(record !== undefined && record.emitted < count, "the stream was cut off, not buffered to its end");
    reader.resume();
    await reader.ended;
    const events = sseEvents(reader.text());
    assert.equal(events.at(-1)?.event, "complete");
    const last = events.at(-2)?.data as FormattedExecutionResult;
    assert.equal(last.errors?.[0]?.extensions?.code, "SUBSCRIPTION_BUFFER_OVERFLOW");
    assert.equal(last.errors?.[0]?.extensions?.maxBufferedEvents, maxBufferedEvents);
    const delivered = events.length - 2;
    assert.ok(delivered < record.emitted, `${delivered} events delivered of ${record.emitted} emitted: the backlog was dropped`);
    await waitFor(() => stack.gateway.subscriptions.activeSubscriptions === 0, 2_000, "the subscription to be released");
  });

  it("ends streams still running after the grace period with a retryable SERVICE_UNAVAILABLE (SERVER_RESTARTING) when the gateway stops (last: it stops the stack)", async () => {
    const client = sseClient({ singleConnection: true });
    const outcomes: Promise<SseOutcome>[] = [];
    let seen = 0;
    outcomes.push(run(client, Ticks, { count: 1_000, interval: 10_000 }, () => (seen += 1)));
    const distinct = await openStream(stack.gateway.graphqlUrl, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${stack.key.key}` },
      body: { query: Ticks, variables: { count: 1_000, interval: 10_000 } },
    });
    await waitFor(() => seen === 1 && sseEvents(distinct.text()).length === 1, 5_000, "the first events");
    await stack.gateway.stop();
    await distinct.done;
    const events = sseEvents(distinct.text());
    assert.deepEqual(events.map(({ event }) => event), ["next", "next", "complete"]);
    assert.equal((events[1]?.data as FormattedExecutionResult).errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE");
    assert.equal((events[1]?.data as FormattedExecutionResult).errors?.[0]?.extensions?.reason, "SERVER_RESTARTING");
    const [single] = await Promise.all(outcomes);
    assert.equal(single?.results.at(-1)?.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE");
    assert.equal(stack.gateway.subscriptions.upstreamSubscriptions, 0);
  });
});

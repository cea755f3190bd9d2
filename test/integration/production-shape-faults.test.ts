/**
 * The fault-injection suite of issue 17: the stack in production shape on loopback (real
 * redis-server; 1 registry, 3 inference, 1 retrieval, 2 usage and 2 gateway processes; a
 * per-connection round-robin balancer in front of the gateways, as a Kubernetes Service is), with
 * processes killed (-9) and restarted under load, and exact assertions on what clients received
 * against what the quotas and the usage report hold.
 *
 * The model is served by a FAKE OpenAI-compatible server in this process (ReplayOpenAIServer, a
 * test double): every process's engine calls reach it, and the test decides when held streams go
 * on, so every fault lands mid-stream with no timing involved. Real engines under these services
 * are tested elsewhere (test/real-models/, test/engines/).
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { hostname } from "node:os";
import { after, before, describe, it } from "node:test";
import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import type { Client } from "graphql-ws";
import { Redis } from "ioredis";
import { ReplayOpenAIServer, type ReplayedRequest } from "../engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, usageChunk, writeEvents } from "../engines/openai-compatible/wire-format.ts";
import { gatewayClient, subscribe, waitFor, type CollectedStream, type RunningStream } from "../gateway/subscriptions/subscription-test-stack.ts";
import { startProductionShapeStack, sumOf, type ProductionShapeStack, type ServiceProcess } from "../harness/production-shape-stack.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";

// Persistent (fsync on every write), so the Redis-kill scenario's restart keeps every acknowledged write.
const redis = await provisionRedis({ appendOnly: true });

/** What the fake engine sends for every call: the first pieces, then (once released) the rest, then usage. */
const pieces = Array.from({ length: 12 }, (_, index) => `w${index} `);
const piecesBeforeHold = 2;
const promptTokens = 7;
/** Input 2 and output 10 USD per million tokens: 7 × 2 + 12 × 10 = 134 micro-dollars per call. */
const pricing = { inputPerMillionTokens: 2, outputPerMillionTokens: 10, currency: "USD" };
const costMicrosPerCall = promptTokens * 2 + pieces.length * 10;
/** How long a stream slot stays held without its heartbeat (STREAM_SLOT_LEASE_SECONDS of the inference replicas). */
const streamSlotLeaseSeconds = 3;

const CompletionStream = `subscription($input: CompletionInput!) {
  completionStream(input: $input) { __typename ... on TextDeltaEvent { text } ... on TextEndEvent { completion { id usage { promptTokens completionTokens } } } }
}`;
const CreateCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id usage { promptTokens completionTokens } } }`;
const SetQuota = `mutation($input: TenantQuotaInput!) { setTenantQuota(input: $input) { tenantId } }`;
const CurrentUse = `query($tenantId: ID) { quota(tenantId: $tenantId) { currentUse { tokensToday costThisMonth activeStreams } } }`;
const Usage = `query($input: UsageQueryInput!) { usage(input: $input) { totals { requests succeeded failed cancelled promptTokens completionTokens costs { amountMicros } } } }`;

function completionInput(maxTokens = pieces.length): Record<string, unknown> {
  return { input: { model: "faults-chat", messages: [{ role: "USER", content: "Count" }], maxTokens } };
}

/** Held streams wait on the gate; `release` lets every held and future call run to its end. */
class Gate {
  #open = true;
  #waiters: (() => void)[] = [];
  hold(): void {
    this.#open = false;
  }
  release(): void {
    this.#open = true;
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
  async passed(): Promise<void> {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

function deltas(events: readonly FormattedExecutionResult[]): string[] {
  return events.flatMap((event) => {
    const value = (event.data as { completionStream?: { __typename: string; text?: string } } | null | undefined)?.completionStream;
    return value?.__typename === "TextDeltaEvent" ? [value.text ?? ""] : [];
  });
}

/** The GraphQL errors a stream ended with: from an `error` message or a result with errors. */
function streamErrors(ended: CollectedStream): readonly GraphQLFormattedError[] {
  if (Array.isArray(ended.error)) return ended.error as readonly GraphQLFormattedError[];
  return ended.events.flatMap((event) => event.errors ?? []);
}

function codeOf(ended: CollectedStream): unknown {
  return streamErrors(ended)[0]?.extensions?.code;
}

describe("production shape under faults: 2 gateways, 3 inference, 2 usage, a round-robin balancer, kill -9", { skip: redis.skip }, () => {
  let upstream: ReplayOpenAIServer;
  let stack: ProductionShapeStack;
  const gate = new Gate();
  const clients: Client[] = [];

  /** A client with its own connection through the balancer (each lands on the next gateway). */
  function client(key: string): Client {
    const created = gatewayClient(stack.webSocketUrl, key);
    clients.push(created);
    return created;
  }

  /** How each stream ended, once it has. */
  const endings = new Map<RunningStream, CollectedStream>();

  function startStream(key: string): RunningStream {
    const stream = subscribe(client(key), CompletionStream, completionInput());
    void stream.ended.then((ended) => endings.set(stream, ended));
    return stream;
  }

  /** Streams running on each inference replica now (the scheduler's gauge), by replica name. */
  async function streamsByReplica(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const replica of stack.services.inference.filter((service) => service.running)) counts[replica.name] = sumOf(await replica.metrics(), "scheduler_running", { kind: "stream" });
    return counts;
  }

  async function currentUse(tenantId: string): Promise<{ tokensToday: number; costThisMonth: number; activeStreams: number }> {
    const data = await stack.request<{ quota: { currentUse: { tokensToday: number; costThisMonth: number; activeStreams: number } } }>(stack.adminKey, CurrentUse, { tenantId });
    return data.quota.currentUse;
  }

  async function setQuota(tenantId: string, quota: { tokensPerDay?: number; costPerMonth?: number; concurrentStreams?: number }): Promise<void> {
    await stack.request(stack.adminKey, SetQuota, { input: { tenantId, ...quota } });
  }

  /** Waits until every `count` streams delivered their first pieces (they are then held). */
  async function heldStreams(streams: readonly RunningStream[]): Promise<void> {
    await waitFor(() => streams.every((stream) => deltas(stream.events).length >= piecesBeforeHold), 60_000, "every stream's first pieces").catch(async (error: unknown) => {
      const ended = await Promise.race([Promise.any(streams.map((stream) => stream.ended)), new Promise((resolve) => setTimeout(resolve, 10))]);
      assert.fail(`${String(error)}; one ended with ${JSON.stringify(ended)}\n${stack.output()}`);
    });
  }

  async function restart(service: ServiceProcess): Promise<void> {
    await service.start();
    // Back in every gateway's rotation (their health checks run every 500 ms).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }

  before(async () => {
    upstream = await ReplayOpenAIServer.start();
    upstream.replyAlways("/v1/chat/completions", async (_request: ReplayedRequest, response: ServerResponse) => {
      await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), ...pieces.slice(0, piecesBeforeHold).map((piece) => chatChunk({ content: piece }))], { end: false });
      await gate.passed();
      await writeEvents(response, [...pieces.slice(piecesBeforeHold).map((piece) => chatChunk({ content: piece })), chatChunk({}, "length"), usageChunk({ prompt_tokens: promptTokens, completion_tokens: pieces.length }), "[DONE]"]);
    });
    stack = await startProductionShapeStack({
      redis: requireServer(redis),
      environment: { SHUTDOWN_GRACE_PERIOD_MILLIS: "60000" },
      roleEnvironment: {
        inference: { STREAM_SLOT_LEASE_SECONDS: String(streamSlotLeaseSeconds) },
        // A killed replica's pending usage events are claimed by the other after 1 s idle.
        usage: { USAGE_CLAIM_IDLE_MILLIS: "1000" },
      },
    });
    await stack.request(stack.adminKey, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
      input: {
        id: "faults-chat",
        displayName: "Faults chat",
        family: "replay",
        capabilities: ["CHAT"],
        contextLength: 4096,
        engine: { kind: "OPENAI_COMPATIBLE", baseUrl: upstream.baseUrl, upstreamModel: "replay-model" },
        pricing,
      },
    });
  });
  after(async () => {
    gate.release();
    for (const created of clients) await created.dispose();
    await stack?.stop();
    await upstream?.close();
  });

  it("spreads 30 streams from 30 connections 10/10/10 over the three inference replicas", async () => {
    const key = await stack.issueKey("tenant-spread", ["member"]);
    gate.hold();
    const streams = Array.from({ length: 30 }, () => startStream(key));
    await heldStreams(streams);
    // The balancer gave each gateway every other connection; each gateway put its 15 on the least loaded replica.
    const openByGateway = await Promise.all(stack.services.gateway.map(async (gateway) => sumOf(await gateway.metrics(), "gateway_subscriptions_open")));
    assert.deepEqual(openByGateway, [15, 15]);
    assert.deepEqual(await streamsByReplica(), { "inference-1": 10, "inference-2": 10, "inference-3": 10 });
    gate.release();
    for (const ended of await Promise.all(streams.map((stream) => stream.ended))) {
      assert.equal(ended.completed, true, JSON.stringify(ended.error));
      assert.deepEqual(deltas(ended.events), pieces);
    }
  });

  it("holds a 5-stream quota exactly against a burst of 50 streams over both gateways", async () => {
    const key = await stack.issueKey("tenant-streams", ["member"]);
    await setQuota("tenant-streams", { concurrentStreams: 5 });
    gate.hold();
    const streams = Array.from({ length: 50 }, () => startStream(key));
    const refusals: CollectedStream[] = [];
    await waitFor(() => {
      refusals.splice(0, refusals.length, ...streams.flatMap((stream) => endings.get(stream) ?? []));
      return refusals.length === 45;
    }, 60_000, "45 refusals").catch(() => assert.fail(`${refusals.length} refused: ${JSON.stringify(refusals.slice(0, 3))}\n${stack.output()}`));
    for (const refused of refusals) {
      assert.deepEqual([codeOf(refused), streamErrors(refused)[0]?.extensions?.limit], ["QUOTA_EXCEEDED", "CONCURRENT_STREAMS"], JSON.stringify(refused));
    }
    const admitted = streams.filter((stream) => !refusals.some((refused) => refused.events === stream.events));
    assert.equal(admitted.length, 5);
    await heldStreams(admitted);
    assert.equal((await currentUse("tenant-streams")).activeStreams, 5);
    gate.release();
    for (const ended of await Promise.all(admitted.map((stream) => stream.ended))) assert.deepEqual(deltas(ended.events), pieces);
    await waitFor(async () => (await currentUse("tenant-streams")).activeStreams === 0, 30_000, "the slots freed as the streams ended");
  });

  for (const limit of ["tokens", "cost"] as const) {
    it(`holds a daily ${limit} quota against a burst of 200 completions: admitted use fits, and the quota counts exactly what clients received`, async () => {
      const tenantId = `tenant-${limit}`;
      const key = await stack.issueKey(tenantId, ["member"]);
      const callsThatFit = 40;
      await setQuota(tenantId, limit === "tokens" ? { tokensPerDay: callsThatFit * (promptTokens + pieces.length) } : { costPerMonth: (callsThatFit * costMicrosPerCall) / 1e6 });
      const outcomes = await Promise.all(Array.from({ length: 200 }, () => stack.post<{ createCompletion: { usage: { promptTokens: number; completionTokens: number } } | null }>(key, CreateCompletion, completionInput())));
      const admitted = outcomes.flatMap((outcome) => (outcome.data?.createCompletion ? [outcome.data.createCompletion] : []));
      const refused = outcomes.filter((outcome) => outcome.data?.createCompletion === null || outcome.data === undefined);
      assert.equal(admitted.length + refused.length, 200);
      for (const outcome of refused) {
        assert.deepEqual([outcome.errors?.[0]?.extensions?.code, outcome.errors?.[0]?.extensions?.limit], ["QUOTA_EXCEEDED", limit === "tokens" ? "TOKENS_PER_DAY" : "COST_PER_MONTH"], JSON.stringify(outcome));
      }
      for (const completion of admitted) assert.deepEqual(completion.usage, { promptTokens, completionTokens: pieces.length });
      // Reservations (prompt estimate + maxTokens) settle to real use as calls end: the limit is never passed...
      assert.ok(admitted.length <= callsThatFit, `${admitted.length} admitted, ${callsThatFit} fit`);
      assert.ok(admitted.length >= 1 && refused.length > 0);
      // ...and the quota holds exactly what the admitted calls used.
      const use = await currentUse(tenantId);
      assert.equal(use.tokensToday, admitted.length * (promptTokens + pieces.length));
      assert.equal(Math.round(use.costThisMonth * 1e6), admitted.length * costMicrosPerCall);
    });
  }

  it("lets every stream finish across a rolling restart (SIGTERM) of an inference replica, a usage replica and a gateway, then exits 0", async () => {
    const key = await stack.issueKey("tenant-rolling", ["member"]);
    gate.hold();
    const streams = Array.from({ length: 12 }, () => startStream(key));
    await heldStreams(streams);
    const [inference] = stack.services.inference as [ServiceProcess];
    const [usage] = stack.services.usage as [ServiceProcess];
    const [gateway] = stack.services.gateway as [ServiceProcess];
    assert.ok(((await streamsByReplica())[inference.name] ?? 0) > 0, "the replica restarted runs streams");
    const exits = [inference, usage, gateway].map((service) => service.kill("SIGTERM"));
    // Draining: readiness fails first, so Services stop sending them new work.
    await waitFor(async () => (await Promise.all([inference, gateway].map((service) => fetch(`${service.origin}/readyz`).then((response) => response.status, () => 0)))).every((status) => status !== 200), 30_000, "readiness to fail");
    gate.release();
    for (const ended of await Promise.all(streams.map((stream) => stream.ended))) {
      assert.equal(ended.completed, true, `a stream was cut: ${JSON.stringify(ended.error)}\n${stack.output()}`);
      assert.deepEqual(deltas(ended.events), pieces);
    }
    assert.deepEqual(await Promise.all(exits), [0, 0, 0], stack.output());
    for (const service of [inference, usage, gateway]) await restart(service);
  });

  it("frees the stream slots of an inference replica killed with -9 within its lease, and the tenant's next streams are admitted", async () => {
    const tenantId = "tenant-lease";
    const key = await stack.issueKey(tenantId, ["member"]);
    await setQuota(tenantId, { concurrentStreams: 6 });
    gate.hold();
    const streams = Array.from({ length: 6 }, () => startStream(key));
    await heldStreams(streams);
    const placement = await streamsByReplica();
    const [victimName, killed] = Object.entries(placement).sort(([, a], [, b]) => b - a)[0] as [string, number];
    assert.ok(killed > 0);
    const victim = stack.services.inference.find((service) => service.name === victimName) as ServiceProcess;
    assert.equal(await victim.kill("SIGKILL"), null);
    // Its streams end for their clients with a retryable error; the others run on.
    await waitFor(() => streams.filter((stream) => endings.has(stream)).length === killed, 30_000, "the killed replica's streams to end");
    const cut = streams.flatMap((stream) => endings.get(stream) ?? []);
    for (const ended of cut) {
      assert.equal(ended.completed, false);
      const [error] = streamErrors(ended);
      assert.deepEqual([error?.extensions?.code, error?.extensions?.retryable], ["SERVICE_UNAVAILABLE", true], JSON.stringify(ended));
    }
    // The dead replica's slots free once their lease runs out (nothing renews them), not after 10 minutes.
    const killedAt = Date.now();
    await waitFor(async () => (await currentUse(tenantId)).activeStreams === 6 - killed, (streamSlotLeaseSeconds + 10) * 1_000, `${6 - killed} active streams`);
    const freedAfterMillis = Date.now() - killedAt;
    // Exactly the freed slots are admitted again, on the surviving replicas.
    const next = Array.from({ length: killed + 1 }, () => startStream(key));
    const refusedOne = await Promise.race(next.map((stream) => stream.ended));
    assert.deepEqual([codeOf(refusedOne), streamErrors(refusedOne)[0]?.extensions?.limit], ["QUOTA_EXCEEDED", "CONCURRENT_STREAMS"], JSON.stringify(refusedOne));
    const running = next.filter((stream) => stream.events !== refusedOne.events);
    await heldStreams(running);
    assert.equal((await currentUse(tenantId)).activeStreams, 6);
    gate.release();
    for (const ended of await Promise.all([...streams.filter((stream) => !cut.some((c) => c.events === stream.events)), ...running].map((stream) => stream.ended))) {
      assert.deepEqual(deltas(ended.events), pieces, JSON.stringify(ended.error));
    }
    await waitFor(async () => (await currentUse(tenantId)).activeStreams === 0, 30_000, "every slot freed");
    console.log(`kill -9 of an inference replica running ${killed} of 6 streams: its slots freed after ${freedAfterMillis} ms (lease ${streamSlotLeaseSeconds} s)`);
    await restart(victim);
  });

  it("stops the engine work of a gateway killed with -9 and frees its streams' slots at once; its clients reconnect through the balancer to the other gateway", async () => {
    const tenantId = "tenant-gateway-kill";
    const key = await stack.issueKey(tenantId, ["member"]);
    await setQuota(tenantId, { concurrentStreams: 6 });
    gate.hold();
    const upstreamCallsBefore = upstream.requestsTo("/v1/chat/completions").length;
    const streams = Array.from({ length: 6 }, () => startStream(key));
    await heldStreams(streams);
    const calls = upstream.requestsTo("/v1/chat/completions").slice(upstreamCallsBefore);
    assert.equal(calls.length, 6);
    const [victim] = stack.services.gateway as [ServiceProcess];
    await victim.kill("SIGKILL");
    await waitFor(() => streams.filter((stream) => endings.has(stream)).length >= 3, 30_000, "the killed gateway's streams to end");
    const closedCalls = new Set<ReplayedRequest>();
    for (const call of calls) void call.closed.then(() => closedCalls.add(call));
    // The inference replicas saw the gateway's upstream sockets close and aborted those engine calls.
    await waitFor(() => closedCalls.size >= 3, 30_000, "3 engine calls to be aborted");
    // A moment for any wrong extra ending to show.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const cut = streams.flatMap((stream) => endings.get(stream) ?? []);
    assert.equal(cut.length, 3, "the balancer gave the killed gateway every other connection");
    for (const value of cut) assert.deepEqual(value.error, { code: 1006, reason: "" });
    assert.equal(closedCalls.size, 3);
    for (const call of closedCalls) assert.equal((await call.closed).completed, false);
    await waitFor(async () => (await currentUse(tenantId)).activeStreams === 3, 10_000, "3 active streams");
    // Reconnecting clients reach the surviving gateway (the balancer skips the dead one): 3 admitted, the 4th refused.
    const again = Array.from({ length: 4 }, () => startStream(key));
    const refused = await Promise.race(again.map((stream) => stream.ended));
    assert.equal(codeOf(refused), "QUOTA_EXCEEDED", `${JSON.stringify(refused)}; running: ${stack.services.gateway.map((gateway) => gateway.running).join()}\n${stack.output()}`);
    const running = again.filter((stream) => stream.events !== refused.events);
    await heldStreams(running);
    gate.release();
    const survivors = streams.filter((stream) => !endings.has(stream));
    for (const value of await Promise.all([...survivors, ...running].map((stream) => stream.ended))) assert.deepEqual(deltas(value.events), pieces);
    await restart(victim);
  });

  it("loses and double-counts nothing when a usage replica is killed with -9 under load: the report equals what clients received", async () => {
    const tenantId = "tenant-metered";
    const key = await stack.issueKey(tenantId, ["member"]);
    const received: { promptTokens: number; completionTokens: number }[] = [];
    const failures: unknown[] = [];
    const total = 120;
    let started = 0;
    const [victim] = stack.services.usage as [ServiceProcess];
    const deadConsumer = `${hostname()}-${victim.pid}`;
    const worker = async () => {
      while (started < total) {
        started += 1;
        if (started === total / 3) void victim.kill("SIGKILL");
        const reply = await stack.post<{ createCompletion: { usage: { promptTokens: number; completionTokens: number } } | null }>(key, CreateCompletion, completionInput());
        if (reply.data?.createCompletion) received.push(reply.data.createCompletion.usage);
        else failures.push(reply);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.deepEqual(failures, [], "metering is off the request path: completions succeed while a usage replica dies");
    assert.equal(await victim.exited, null, "killed with -9");
    const expected = {
      requests: total,
      succeeded: total,
      failed: 0,
      cancelled: 0,
      promptTokens: received.reduce((sum, usage) => sum + usage.promptTokens, 0),
      completionTokens: received.reduce((sum, usage) => sum + usage.completionTokens, 0),
      costs: [{ amountMicros: total * costMicrosPerCall }],
    };
    const input = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), granularity: "TOTAL", tenantId };
    let totals: unknown;
    // The survivor claims what the dead replica had read but not acknowledged (after USAGE_CLAIM_IDLE_MILLIS) and applies each event once.
    await waitFor(async () => {
      totals = (await stack.request<{ usage: { totals: unknown } }>(stack.adminKey, Usage, { input })).usage.totals;
      return (totals as { requests: number }).requests >= total;
    }, 60_000, "the report to count every call").catch(() => assert.fail(`report ${JSON.stringify(totals)}\n${stack.output()}`));
    assert.deepEqual(totals, expected);
    await restart(victim);
    // And stays so once the killed replica is back (it re-reads nothing twice).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual((await stack.request<{ usage: { totals: unknown } }>(stack.adminKey, Usage, { input })).usage.totals, expected);
    // The dead replica's consumer name left the group once its pending entries were claimed; any
    // listed is a live one. (Live consumers with nothing to read may be absent: on Redis before 7.2
    // a blocking read that gets nothing does not count as activity, and the next delivery re-creates them.)
    const live = stack.services.usage.map((usage) => `${hostname()}-${usage.pid}`);
    const connection = new Redis(requireServer(redis).url);
    try {
      let consumers: string[] = [];
      await waitFor(async () => {
        const reply = (await connection.call("XINFO", "CONSUMERS", `${stack.prefix}usage-events`, "usage-aggregator")) as unknown[][];
        consumers = reply.map((fields) => String(fields[fields.indexOf("name") + 1])).sort();
        return !consumers.includes(deadConsumer) && consumers.every((name) => live.includes(name));
      }, 30_000, "the dead consumer's removal").catch(() => assert.fail(`consumers ${JSON.stringify(consumers)}, dead ${deadConsumer}, live ${JSON.stringify(live)}`));
    } finally {
      await connection.quit();
    }
  });

  it("bills exactly the completions clients received while Redis is killed with -9 for 3 s under load: 0 billed failures", async () => {
    const tenantId = "tenant-redis-kill";
    const key = await stack.issueKey(tenantId, ["member"]);
    const server = requireServer(redis);
    const received: { promptTokens: number; completionTokens: number }[] = [];
    const codes: string[] = [];
    let stopping = false;
    const worker = async () => {
      while (!stopping) {
        const reply = await stack.post<{ createCompletion: { usage: { promptTokens: number; completionTokens: number } } | null }>(key, CreateCompletion, completionInput()).catch((error: unknown) => ({ errors: [{ message: String(error), extensions: { code: "TRANSPORT" } }], data: undefined }));
        if (reply.data?.createCompletion) received.push(reply.data.createCompletion.usage);
        else codes.push(String(reply.errors?.[0]?.extensions?.code));
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await waitFor(() => received.length >= 10, 60_000, "completions before the kill");
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await server.restart();
    const beforeRecovery = received.length;
    await waitFor(() => received.length >= beforeRecovery + 10, 60_000, "completions after Redis came back").catch(() => assert.fail(`codes ${JSON.stringify(codes.slice(-5))}\n${stack.output()}`));
    stopping = true;
    await Promise.all(workers);
    assert.ok(codes.length > 0, "some calls failed while Redis was down");
    assert.deepEqual([...new Set(codes)], ["SERVICE_UNAVAILABLE"], "every failure is a retryable SERVICE_UNAVAILABLE (none a transport error or a 500)");
    const input = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), granularity: "TOTAL", tenantId };
    let totals: { requests: number; succeeded: number; failed: number; promptTokens: number; costs: { amountMicros: number }[] } | undefined;
    // Every call that reached an inference replica is metered once the buffered events are written; failures as FAILED.
    await waitFor(async () => {
      totals = (await stack.request<{ usage: { totals: NonNullable<typeof totals> } }>(stack.adminKey, Usage, { input })).usage.totals;
      return totals.succeeded >= received.length;
    }, 60_000, "the report to count every completion").catch(() => assert.fail(`report ${JSON.stringify(totals)}, received ${received.length}`));
    assert.ok(totals !== undefined);
    assert.equal(totals.succeeded, received.length, "succeeded = completions clients got");
    assert.ok(totals.failed <= codes.length, "failed ≤ errors clients got (the rest were refused before any engine work)");
    assert.equal(totals.requests, totals.succeeded + totals.failed);
    // 0 billed failures: charged exactly the completions received.
    assert.deepEqual(totals.costs.map((cost) => cost.amountMicros), [received.length * costMicrosPerCall]);
  });
});

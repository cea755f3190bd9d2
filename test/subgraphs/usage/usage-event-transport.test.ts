import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { Redis } from "ioredis";
import { InProcessUsageQueue } from "../../../subgraphs/usage/events/in-process-usage-queue.ts";
import { RedisStreamUsageConsumer } from "../../../subgraphs/usage/events/redis-stream-usage-consumer.ts";
import { RedisStreamUsageSink } from "../../../subgraphs/usage/events/redis-stream-usage-sink.ts";
import { usageStreamKey } from "../../../subgraphs/usage/events/usage-stream.ts";
import { histogramCount } from "../../../subgraphs/usage/store/latency-histogram.ts";
import { RedisUsageStore } from "../../../subgraphs/usage/store/redis-usage-store.ts";
import type { UsageStore } from "../../../subgraphs/usage/store/usage-store.ts";
import type { UsageEvent } from "../../../subgraphs/usage/usage-event.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import type { TestRedisServer } from "../../harness/redis-server.ts";
import { eventually, recordingLogger, usageEvent } from "./usage-fixtures.ts";

const redis = await provisionRedis();
const persistentRedis = await provisionRedis({ appendOnly: true });
const allTime = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") };

/** Per bucket (`hour tenant model`): the counters that must match exactly, and the histogram total. */
async function bucketTotals(store: UsageStore): Promise<Map<string, string>> {
  const totals = new Map<string, string>();
  for (const bucket of await store.buckets(allTime)) {
    const { requests, succeeded, failed, promptTokens, completionTokens, costMicros } = bucket;
    totals.set(`${bucket.hourStart} ${bucket.tenantId} ${bucket.modelId}`, JSON.stringify({ requests, succeeded, failed, promptTokens, completionTokens, costMicros, latencies: histogramCount(bucket.latency) }));
  }
  return totals;
}

/** What bucketTotals must give for these distinct events. */
function expectedTotals(events: readonly UsageEvent[]): Map<string, string> {
  const sums = new Map<string, { requests: number; succeeded: number; failed: number; promptTokens: number; completionTokens: number; costMicros: number; latencies: number }>();
  for (const event of events) {
    const key = `${new Date(Math.floor(Date.parse(event.occurredAt) / 3_600_000) * 3_600_000).toISOString()} ${event.tenantId} ${event.modelId}`;
    const sum = sums.get(key) ?? { requests: 0, succeeded: 0, failed: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, latencies: 0 };
    sum.requests += 1;
    if (event.status === "SUCCEEDED") sum.succeeded += 1;
    if (event.status === "FAILED") sum.failed += 1;
    sum.promptTokens += event.promptTokens;
    sum.completionTokens += event.completionTokens;
    sum.costMicros += event.costMicros;
    sum.latencies += 1;
    sums.set(key, sum);
  }
  return new Map([...sums].map(([key, sum]) => [key, JSON.stringify(sum)]));
}

async function requestCount(store: UsageStore): Promise<number> {
  return (await store.buckets(allTime)).reduce((sum, bucket) => sum + bucket.requests, 0);
}

/** Varied events over 4 tenants, 2 models and 3 hours. */
function manyEvents(count: number): UsageEvent[] {
  return Array.from({ length: count }, (_unused, index) =>
    usageEvent({
      eventId: `event-${index}`,
      tenantId: `tenant-${index % 4}`,
      modelId: `model-${index % 2}`,
      occurredAt: new Date(Date.parse("2026-11-22T03:00:00Z") + (index % 3) * 3_600_000 + (index % 60) * 1_000).toISOString(),
      status: index % 10 === 0 ? "FAILED" : "SUCCEEDED",
      errorCode: index % 10 === 0 ? "ENGINE_ERROR" : null,
      promptTokens: index % 97,
      completionTokens: index % 31,
      costMicros: index % 1_000,
      latencyMillis: (index % 500) + 1,
    }),
  );
}

describe("InProcessUsageQueue", () => {
  const quickly = { batchDelayMillis: 0, retryDelayMillis: 10, logger: recordingLogger() };

  it("keeps at most maximumBufferedEvents, dropping and counting the oldest", async () => {
    const queue = new InProcessUsageQueue({ ...quickly, maximumBufferedEvents: 10 });
    const events = Array.from({ length: 15 }, (_unused, index) => usageEvent({ eventId: `e${index}` }));
    for (const event of events) queue.emit(event);
    assert.deepEqual(queue.metrics(), { buffered: 10, delivered: 0, dropped: 5 });
    const handled: string[] = [];
    queue.start(async (batch) => void handled.push(...batch.map((event) => event.eventId)));
    await queue.flush(2_000);
    assert.deepEqual(handled, events.slice(5).map((event) => event.eventId), "the newest ten, in order");
    assert.deepEqual(queue.metrics(), { buffered: 0, delivered: 10, dropped: 5 });
    await queue.close();
  });

  it("hands over batches of at most maximumBatchSize, one at a time, in order", async () => {
    const queue = new InProcessUsageQueue({ ...quickly, maximumBatchSize: 4 });
    for (let index = 0; index < 10; index += 1) queue.emit(usageEvent({ eventId: `e${index}` }));
    const batches: string[][] = [];
    let concurrent = 0;
    queue.start(async (batch) => {
      concurrent += 1;
      assert.equal(concurrent, 1, "never concurrently");
      await new Promise((resolve) => setTimeout(resolve, 5));
      batches.push(batch.map((event) => event.eventId));
      concurrent -= 1;
    });
    await queue.flush(2_000);
    assert.deepEqual(batches.map((batch) => batch.length), [4, 4, 2]);
    assert.deepEqual(batches.flat(), Array.from({ length: 10 }, (_unused, index) => `e${index}`));
    await queue.close();
  });

  it("retries a batch whose handler failed, losing nothing, and counts it delivered once handled", async () => {
    const logger = recordingLogger();
    const queue = new InProcessUsageQueue({ ...quickly, logger });
    let failuresLeft = 2;
    const handled: string[] = [];
    queue.start(async (batch) => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error("store unavailable");
      }
      handled.push(...batch.map((event) => event.eventId));
    });
    queue.emit(usageEvent({ eventId: "a" }));
    queue.emit(usageEvent({ eventId: "b" }));
    await queue.flush(2_000);
    assert.deepEqual(handled, ["a", "b"]);
    assert.deepEqual(queue.metrics(), { buffered: 0, delivered: 2, dropped: 0 });
    assert.equal(logger.lines.filter((line) => line.level === "warn").length, 1, "one warning per outage, not per retry");
    await queue.close();
  });

  it("flush waits for the handler, skips the batch delay, and rejects after its timeout", async () => {
    const queue = new InProcessUsageQueue({ ...quickly, batchDelayMillis: 60_000 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handledCount = 0;
    queue.start(async (batch) => {
      await gate;
      handledCount += batch.length;
    });
    queue.emit(usageEvent());
    await assert.rejects(queue.flush(50), /within 50 ms/);
    assert.equal(queue.metrics().buffered, 1);
    const flushed = queue.flush(5_000);
    release();
    await flushed;
    assert.equal(handledCount, 1, "handled long before the one-minute batch delay");
    await queue.close();
  });

  it("waits the batch delay so that a trickle of events makes one batch", async () => {
    const queue = new InProcessUsageQueue({ ...quickly, batchDelayMillis: 150 });
    const sizes: number[] = [];
    queue.start(async (batch) => void sizes.push(batch.length));
    for (let index = 0; index < 3; index += 1) {
      queue.emit(usageEvent());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventually("the trickle is handled", () => queue.metrics().delivered === 3, 2_000);
    assert.deepEqual(sizes, [3]);
    await queue.close();
  });

  it("close handles what is buffered, then drops later events", async () => {
    const queue = new InProcessUsageQueue({ ...quickly, batchDelayMillis: 60_000 });
    let handledCount = 0;
    queue.start(async (batch) => void (handledCount += batch.length));
    queue.emit(usageEvent());
    queue.emit(usageEvent());
    await queue.close();
    assert.equal(handledCount, 2);
    queue.emit(usageEvent());
    assert.deepEqual(queue.metrics(), { buffered: 0, delivered: 2, dropped: 1 });
  });
});

/** Stops everything a test started, in reverse order, even when it failed. */
function cleanup(): { add: (stop: () => unknown) => void; run: () => Promise<void> } {
  const stops: (() => unknown)[] = [];
  return {
    add: (stop) => void stops.push(stop),
    run: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

function connectTo(server: TestRedisServer, stops: ReturnType<typeof cleanup>): Redis {
  const connection = new Redis(server.url);
  connection.on("error", () => undefined);
  stops.add(() => connection.disconnect());
  return connection;
}

describe("Redis stream sink and consumer", { skip: redis.skip }, () => {
  it("aggregates every emitted event exactly once, even when emitted twice", async () => {
    const stops = cleanup();
    try {
      const server = requireServer(redis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const store = new RedisUsageStore(connection, prefix);
      const sink = new RedisStreamUsageSink(connection, prefix, { logger: recordingLogger() });
      stops.add(() => sink.close());
      const consumer = new RedisStreamUsageConsumer(connection, prefix, { consumerName: "only", blockMillis: 100, logger: recordingLogger() });
      consumer.start(async (events) => void (await store.apply(events)));
      stops.add(() => consumer.stop());
      const events = manyEvents(3_000);
      for (const event of events) sink.emit(event);
      for (const event of events.slice(0, 100)) sink.emit(event);
      await sink.flush(10_000);
      assert.deepEqual(sink.metrics(), { buffered: 0, delivered: 3_100, dropped: 0 });
      await eventually("all events are aggregated", async () => (await requestCount(store)) >= 3_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(await bucketTotals(store), expectedTotals(events));
      await eventually("the stream is drained and deleted", async () => (await connection.xlen(usageStreamKey(prefix))) === 0);
    } finally {
      await stops.run();
    }
  });

  it("acknowledges and skips entries that can never be aggregated", async () => {
    const stops = cleanup();
    try {
      const server = requireServer(redis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const streamKey = usageStreamKey(prefix);
      await connection.xadd(streamKey, "*", "event", "not json");
      await connection.xadd(streamKey, "*", "event", JSON.stringify({ ...usageEvent(), promptTokens: -1 }));
      await connection.xadd(streamKey, "*", "other", "field");
      await connection.xadd(streamKey, "*", "event", JSON.stringify(usageEvent({ eventId: "good" })));
      const logger = recordingLogger();
      const handled: string[] = [];
      const consumer = new RedisStreamUsageConsumer(connection, prefix, { consumerName: "c", blockMillis: 100, logger });
      consumer.start(async (events) => void handled.push(...events.map((event) => event.eventId)));
      stops.add(() => consumer.stop());
      await eventually("the good event is handled", () => handled.length === 1);
      assert.deepEqual(handled, ["good"]);
      await eventually("nothing is pending", async () => Number(((await connection.xpending(streamKey, "usage-aggregator")) as unknown[])[0]) === 0);
      assert.equal(logger.lines.filter((line) => line.message.startsWith("skipping a usage stream entry")).length, 3);
    } finally {
      await stops.run();
    }
  });

  it("lets another consumer claim a dead consumer's pending entries after claimIdleMillis", async () => {
    const stops = cleanup();
    try {
      const server = requireServer(redis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const streamKey = usageStreamKey(prefix);
      const events = manyEvents(50);
      for (const event of events) await connection.xadd(streamKey, "*", "event", JSON.stringify(event));
      // The dead consumer read every entry and never acknowledged any.
      await connection.xgroup("CREATE", streamKey, "usage-aggregator", "0");
      await connection.call("XREADGROUP", "GROUP", "usage-aggregator", "dead", "COUNT", 100, "STREAMS", streamKey, ">");
      const store = new RedisUsageStore(connection, prefix);
      const startedAt = Date.now();
      const consumer = new RedisStreamUsageConsumer(connection, prefix, { consumerName: "alive", blockMillis: 50, claimIdleMillis: 400, logger: recordingLogger() });
      consumer.start(async (batch) => void (await store.apply(batch)));
      stops.add(() => consumer.stop());
      await eventually("the dead consumer's entries are aggregated", async () => (await requestCount(store)) === 50);
      assert.ok(Date.now() - startedAt >= 300, "not before they were idle long enough");
      assert.deepEqual(await bucketTotals(store), expectedTotals(events));
      await eventually("nothing is pending", async () => Number(((await connection.xpending(streamKey, "usage-aggregator")) as unknown[])[0]) === 0);
    } finally {
      await stops.run();
    }
  });

  it("recreates its group when the stream vanished (a Redis that lost its data)", async () => {
    const stops = cleanup();
    try {
      const server = requireServer(redis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const store = new RedisUsageStore(connection, prefix);
      const sink = new RedisStreamUsageSink(connection, prefix, { logger: recordingLogger() });
      stops.add(() => sink.close());
      const consumer = new RedisStreamUsageConsumer(connection, prefix, { consumerName: "c", blockMillis: 100, maximumRetryDelayMillis: 200, logger: recordingLogger() });
      consumer.start(async (events) => void (await store.apply(events)));
      stops.add(() => consumer.stop());
      const events = manyEvents(200);
      for (const event of events.slice(0, 100)) sink.emit(event);
      await eventually("the first events are aggregated", async () => (await requestCount(store)) === 100);
      await connection.del(usageStreamKey(prefix));
      for (const event of events.slice(100)) sink.emit(event);
      await sink.flush(5_000);
      await eventually("the later events are aggregated", async () => (await requestCount(store)) === 200);
      assert.deepEqual(await bucketTotals(store), expectedTotals(events));
    } finally {
      await stops.run();
    }
  });

  it("stops promptly even while waiting in a blocking read", async () => {
    const server = requireServer(redis);
    const stops = cleanup();
    try {
      const consumer = new RedisStreamUsageConsumer(connectTo(server, stops), server.uniquePrefix(), { consumerName: "c", blockMillis: 10_000, logger: recordingLogger() });
      consumer.start(async () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stoppingAt = Date.now();
      await consumer.stop();
      assert.ok(Date.now() - stoppingAt < 1_000, `stopped in ${Date.now() - stoppingAt} ms`);
    } finally {
      await stops.run();
    }
  });

  it("gives exact totals when a consumer process is killed mid-run and restarted", { timeout: 45_000 }, async () => {
    const stops = cleanup();
    try {
      const server = requireServer(redis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const store = new RedisUsageStore(connection, prefix);
      const events = manyEvents(20_000);
      const sink = new RedisStreamUsageSink(connection, prefix, { maximumBufferedEvents: events.length, logger: recordingLogger() });
      stops.add(() => sink.close());
      for (const event of events) sink.emit(event);
      await sink.flush(20_000);
      assert.deepEqual(sink.metrics(), { buffered: 0, delivered: events.length, dropped: 0 });

      const first = startConsumerChild(server.url, prefix, "aggregator-1", stops);
      await first.progressReaches(3_000);
      // A random moment within the next batch or two: mid-apply, between apply and acknowledge, or mid-read.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      first.child.kill("SIGKILL");
      await first.exited;
      const aggregatedBeforeKill = await requestCount(store);
      assert.ok(aggregatedBeforeKill > 0 && aggregatedBeforeKill < events.length, `killed mid-run (${aggregatedBeforeKill} aggregated)`);

      const second = startConsumerChild(server.url, prefix, "aggregator-1", stops);
      let previous = "";
      await eventually(
        "the totals stop changing",
        async () => {
          const current = JSON.stringify([...(await bucketTotals(store))]);
          const stable = current === previous && (await requestCount(store)) > aggregatedBeforeKill;
          previous = current;
          if (!stable) await new Promise((resolve) => setTimeout(resolve, 500));
          return stable;
        },
        30_000,
      );
      assert.deepEqual(await bucketTotals(store), expectedTotals(events), "exact totals: every event counted once");
      assert.equal(Number(((await connection.xpending(usageStreamKey(prefix), "usage-aggregator")) as unknown[])[0]), 0);
      const last = second.lastProgress();
      console.log(
        `kill test: ${aggregatedBeforeKill} events aggregated before SIGKILL, ${last?.applied} after restart (${last?.duplicates} redelivered duplicates ignored), ` +
          `${Math.round(((last?.applied ?? 0) + (last?.duplicates ?? 0)) / ((last?.elapsedMillis ?? 1) / 1_000))} events/s`,
      );
      assert.equal((last?.applied ?? 0) + aggregatedBeforeKill, events.length);
    } finally {
      await stops.run();
    }
  });
});

describe("Redis stream transport across a Redis restart", { skip: persistentRedis.skip }, () => {
  it("buffers while Redis is down and delivers when it is back, aggregating each event once", { timeout: 30_000 }, async () => {
    const stops = cleanup();
    try {
      const server = requireServer(persistentRedis);
      const prefix = server.uniquePrefix();
      const connection = connectTo(server, stops);
      const store = new RedisUsageStore(connection, prefix);
      const sink = new RedisStreamUsageSink(connection, prefix, { maximumRetryDelayMillis: 200, logger: recordingLogger() });
      stops.add(() => sink.close());
      const consumer = new RedisStreamUsageConsumer(connection, prefix, { consumerName: "c", blockMillis: 100, maximumRetryDelayMillis: 200, logger: recordingLogger() });
      consumer.start(async (events) => void (await store.apply(events)));
      stops.add(() => consumer.stop());
      const events = manyEvents(1_000);
      for (const event of events.slice(0, 500)) sink.emit(event);
      await sink.flush(5_000);
      await eventually("the first half is aggregated", async () => (await requestCount(store)) === 500);

      await server.stop();
      for (const event of events.slice(500)) sink.emit(event);
      await assert.rejects(sink.flush(300), /not delivered/);
      assert.deepEqual(sink.metrics(), { buffered: 500, delivered: 500, dropped: 0 }, "delivered counts only acknowledged writes");

      await server.restart();
      await sink.flush(10_000);
      assert.equal(sink.metrics().buffered, 0);
      await eventually("every event is aggregated", async () => (await requestCount(store).catch(() => 0)) === 1_000, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(await bucketTotals(store), expectedTotals(events));
    } finally {
      await stops.run();
    }
  });
});

interface ChildProgress {
  applied: number;
  duplicates: number;
  elapsedMillis: number;
}

/** Starts usage-consumer-child.ts; its progress lines are parsed as they come. */
function startConsumerChild(url: string, prefix: string, consumerName: string, stops: ReturnType<typeof cleanup>) {
  const script = fileURLToPath(new URL("./usage-consumer-child.ts", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script, url, prefix, consumerName], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  stops.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  let last: ChildProgress | undefined;
  const listeners = new Set<() => void>();
  if (child.stdout !== null) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      last = JSON.parse(line) as ChildProgress;
      for (const listener of listeners) listener();
    });
  }
  return {
    child,
    exited,
    lastProgress: () => last,
    /** Resolves once the child reports at least `applied` events applied. */
    progressReaches: (applied: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if ((last?.applied ?? 0) >= applied) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        void exited.then(() => reject(new Error(`the consumer child exited before applying ${applied} events`)));
      }),
  };
}

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { EmbeddedUsageStore } from "../../../subgraphs/usage/store/embedded-usage-store.ts";
import { RedisUsageStore } from "../../../subgraphs/usage/store/redis-usage-store.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { usageEvent } from "./usage-fixtures.ts";
import { usageStoreContract } from "./usage-store-contract.ts";

const redis = await provisionRedis();
const day = 24 * 3_600_000;

describe("EmbeddedUsageStore", () => {
  let counter = 0;
  usageStoreContract(async (options) => new EmbeddedUsageStore(await temporaryDirectory(`usage-store-${(counter += 1)}`), options));

  it("forgets event ids after the event retention", async () => {
    let now = Date.parse("2026-11-22T05:30:00Z");
    const directory = await temporaryDirectory("usage-store-retention");
    const store = new EmbeddedUsageStore(directory, { eventRetentionMillis: day, now: () => now });
    const event = usageEvent({ completionId: "completion-1" });
    await store.apply([event]);
    now += day;
    assert.deepEqual(await store.apply([event]), { applied: 0, duplicates: 1 }, "remembered for at least the retention");
    now += 2 * 3_600_000;
    await store.apply([usageEvent()]);
    const document = JSON.parse(await readFile(join(directory, "usage.json"), "utf8")) as { applied: { eventIds: string[] }[] };
    assert.ok(!document.applied.some((slot) => slot.eventIds.includes(event.eventId)), "the expired id left the file");
  });

  it("persists across instances and stores histograms sparsely", async () => {
    const directory = await temporaryDirectory("usage-store-reopen");
    const event = usageEvent({ latencyMillis: 80 });
    await new EmbeddedUsageStore(directory).apply([event]);
    const reopened = new EmbeddedUsageStore(directory);
    assert.deepEqual(await reopened.apply([event]), { applied: 0, duplicates: 1 });
    assert.equal((await reopened.buckets({ from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") }))[0]?.requests, 1);
    const document = JSON.parse(await readFile(join(directory, "usage.json"), "utf8")) as { buckets: { latency: Record<string, number> }[] };
    assert.equal(Object.keys(document.buckets[0]?.latency ?? {}).length, 1);
  });

  it("loads files that still hold completion events, and drops them on the next write", async () => {
    const directory = await temporaryDirectory("usage-store-legacy");
    const event = usageEvent({ completionId: "completion-1" });
    const appliedHourStartMillis = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const legacy = { buckets: [], applied: [{ appliedHourStartMillis, eventIds: [event.eventId], completions: [JSON.stringify(event)] }] };
    await writeFile(join(directory, "usage.json"), JSON.stringify(legacy));
    const store = new EmbeddedUsageStore(directory);
    assert.deepEqual(await store.apply([event, usageEvent()]), { applied: 1, duplicates: 1 });
    const document = JSON.parse(await readFile(join(directory, "usage.json"), "utf8")) as { applied: Record<string, unknown>[] };
    assert.ok(document.applied.every((slot) => !("completions" in slot)), "no slot keeps completions");
  });
});

describe("RedisUsageStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  const connect = () => {
    const connection = new Redis(requireServer(redis).url);
    connections.push(connection);
    return connection;
  };
  usageStoreContract(async (options) => new RedisUsageStore(connect(), requireServer(redis).uniquePrefix(), options));

  it("expires event ids with the event retention and buckets with the bucket retention", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const store = new RedisUsageStore(connection, prefix, { eventRetentionMillis: day, bucketRetentionMillis: 30 * day });
    const event = usageEvent({ completionId: "completion-1" });
    await store.apply([event]);
    const eventTimeToLive = await connection.pttl(`${prefix}usage-event:${event.eventId}`);
    assert.ok(eventTimeToLive > day - 60_000 && eventTimeToLive <= day, `event id expires in ${eventTimeToLive} ms`);
    assert.deepEqual(await connection.keys(`${prefix}usage-completion:*`), [], "completion events are not stored");
    const bucketKey = `${prefix}usage-bucket:acme:tiny-chat:2026-11-22T05:00:00.000Z`;
    assert.equal(Number(await connection.call("PEXPIRETIME", bucketKey)), Date.parse("2026-11-22T05:00:00Z") + 30 * day);
    assert.equal(Number(await connection.call("PEXPIRETIME", `${prefix}usage-buckets-by-hour:acme`)), Date.parse("2026-11-22T05:00:00Z") + 30 * day);
  });

  it("reloads its script after Redis lost it", async () => {
    const connection = connect();
    const store = new RedisUsageStore(connection, requireServer(redis).uniquePrefix());
    await store.apply([usageEvent()]);
    await connection.script("FLUSH");
    assert.deepEqual(await store.apply([usageEvent(), usageEvent()]), { applied: 2, duplicates: 0 });
  });
});

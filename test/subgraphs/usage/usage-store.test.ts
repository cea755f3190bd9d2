import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { EmbeddedUsageStore, legacyUsageFileName, usageDatabaseFileName } from "../../../subgraphs/usage/store/embedded-usage-store.ts";
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
    assert.ok(!appliedEventIds(directory).includes(event.eventId), "the expired id left the database");
    await store.close();
  });

  it("persists across instances and stores histograms sparsely", async () => {
    const directory = await temporaryDirectory("usage-store-reopen");
    const event = usageEvent({ latencyMillis: 80 });
    const writer = new EmbeddedUsageStore(directory);
    await writer.apply([event]);
    await writer.close();
    const reopened = new EmbeddedUsageStore(directory);
    assert.deepEqual(await reopened.apply([event]), { applied: 0, duplicates: 1 });
    assert.equal((await reopened.buckets({ from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") }))[0]?.requests, 1);
    const database = new Database(join(directory, usageDatabaseFileName), { readonly: true });
    const row = database.prepare("SELECT bucket FROM usage_buckets").get() as { bucket: string };
    database.close();
    assert.equal(Object.keys((JSON.parse(row.bucket) as { latency: Record<string, number> }).latency).length, 1);
    await reopened.close();
  });

  it("serves what one instance applies to another open on the same directory (the usage subgraph reads what inference writes)", async () => {
    const directory = await temporaryDirectory("usage-store-reader");
    const writer = new EmbeddedUsageStore(directory);
    const reader = new EmbeddedUsageStore(directory);
    const range = { from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") };
    assert.deepEqual(await reader.buckets(range), []);
    await writer.apply([usageEvent(), usageEvent()]);
    assert.equal((await reader.buckets(range))[0]?.requests, 2);
    await writer.close();
    await reader.close();
  });

  it("imports the usage.json of earlier versions on first start (buckets and remembered ids, old slots with completions too), once", async () => {
    const directory = await temporaryDirectory("usage-store-legacy");
    const remembered = usageEvent({ completionId: "completion-1" });
    const appliedHourStartMillis = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const legacy = {
      buckets: [
        {
          tenantId: "acme",
          modelId: "tiny-chat",
          hourStart: "2026-11-22T05:00:00.000Z",
          requests: 3,
          succeeded: 2,
          failed: 1,
          cancelled: 0,
          promptTokens: 30,
          completionTokens: 60,
          costMicros: 900,
          currency: "USD",
          latency: { "40": 3 },
          timeToFirstToken: {},
        },
      ],
      applied: [{ appliedHourStartMillis, eventIds: [remembered.eventId], completions: [JSON.stringify(remembered)] }],
    };
    await writeFile(join(directory, legacyUsageFileName), JSON.stringify(legacy));
    const store = new EmbeddedUsageStore(directory);
    assert.equal(existsSync(join(directory, legacyUsageFileName)), false, "the file is renamed once imported");
    assert.equal(existsSync(join(directory, `${legacyUsageFileName}.migrated`)), true, "and kept as a backup");
    assert.deepEqual(await store.apply([remembered, usageEvent()]), { applied: 1, duplicates: 1 }, "ids applied before the migration stay applied");
    const [bucket] = await store.buckets({ from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") });
    assert.deepEqual([bucket?.requests, bucket?.succeeded, bucket?.failed, bucket?.costMicros, bucket?.latency[40]], [4, 3, 1, 1_200, 3]);
    await store.close();
    // A file that shows up again (restored by hand) is not imported twice.
    await writeFile(join(directory, legacyUsageFileName), JSON.stringify(legacy));
    const reopened = new EmbeddedUsageStore(directory);
    assert.equal((await reopened.buckets({ from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") }))[0]?.requests, 4);
    await reopened.close();
  });

  it("refuses to start on a usage.json it cannot read, leaving the file in place", async () => {
    const directory = await temporaryDirectory("usage-store-legacy-bad");
    await writeFile(join(directory, legacyUsageFileName), "{ not json");
    assert.throws(() => new EmbeddedUsageStore(directory), /usage\.json is not valid JSON/);
    assert.equal(existsSync(join(directory, legacyUsageFileName)), true);
  });
});

/** The event ids the embedded store remembers, read straight from its database. */
function appliedEventIds(directory: string): string[] {
  const database = new Database(join(directory, usageDatabaseFileName), { readonly: true });
  try {
    return (database.prepare("SELECT event_id FROM applied_events").all() as { event_id: string }[]).map((row) => row.event_id);
  } finally {
    database.close();
  }
}

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

import assert from "node:assert/strict";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { EmbeddedQuotaStore } from "../../../subgraphs/usage/quota/embedded-quota-store.ts";
import type { TenantQuota } from "../../../subgraphs/usage/quota/quota-store.ts";
import { RedisQuotaStore } from "../../../subgraphs/usage/quota/redis-quota-store.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { quotaStoreContract } from "./quota-store-contract.ts";

const redis = await provisionRedis();
const now = Date.parse("2026-11-22T05:30:15.000Z");

function quota(overrides: Partial<TenantQuota> = {}): TenantQuota {
  return { tenantId: "tenant-a", tokensPerMinute: null, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: "2026-11-22T05:00:00.000Z", ...overrides };
}

describe("EmbeddedQuotaStore", () => {
  let counter = 0;
  // Counters live in the one inference process, so replicas cannot share them: one store stands
  // for all, and the concurrency cases run its reserves concurrently within the process.
  quotaStoreContract(async (_replicas, options) => [new EmbeddedQuotaStore(await temporaryDirectory(`quota-store-${(counter += 1)}`), options)]);

  it("enforces settings another process wrote, and picks up their replacement", async () => {
    const directory = await temporaryDirectory("quota-store-shared");
    const usageSubgraph = new EmbeddedQuotaStore(directory);
    const inference = new EmbeddedQuotaStore(directory);
    await usageSubgraph.setQuota(quota({ tokensPerMinute: 10 }));
    assert.equal((await inference.reserve({ reservationId: "first", tenantId: "tenant-a", tokens: 11, costMicros: 0, stream: false, nowMillis: now })).admitted, false);
    await usageSubgraph.setQuota(quota({ tokensPerMinute: 20, updatedAt: "2026-11-22T05:30:00.000Z" }));
    assert.equal((await inference.reserve({ reservationId: "second", tenantId: "tenant-a", tokens: 11, costMicros: 0, stream: false, nowMillis: now })).admitted, true);
    assert.equal((await inference.getQuota("tenant-a"))?.tokensPerMinute, 20);
  });

  it("keeps settings in quotas.json and rejects a file that is not a valid document", async () => {
    const directory = await temporaryDirectory("quota-store-file");
    const store = new EmbeddedQuotaStore(directory);
    await store.setQuota(quota({ concurrentStreams: 2 }));
    const replacement = join(directory, "replacement.json");
    await writeFile(replacement, JSON.stringify({ quotas: [{ ...quota(), tokensPerMinute: "many" }] }));
    await rename(replacement, join(directory, "quotas.json"));
    await assert.rejects(store.checkHealth(), /quotas\.json does not hold a valid document/);
  });
});

describe("RedisQuotaStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));

  function connect(): Redis {
    const connection = new Redis(requireServer(redis).url);
    connections.push(connection);
    return connection;
  }

  // Each replica gets its own connection, as separate inference processes would.
  quotaStoreContract(async (replicas, options) => {
    const prefix = requireServer(redis).uniquePrefix();
    return Array.from({ length: replicas }, () => new RedisQuotaStore(connect(), prefix, options));
  });

  it("lays out keys as documented, with their lifetimes", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const store = new RedisQuotaStore(connection, prefix, { streamLeaseMillis: 90_000 });
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const outcome = await store.reserve({ reservationId: "r1", tenantId: "tenant-a", tokens: 7, costMicros: 3, stream: true, nowMillis: now });
    assert.ok(outcome.admitted);
    const minute = Math.floor(now / 60_000);
    assert.deepEqual(await connection.hgetall(`${prefix}quota:tenant-a`), {
      tenantId: "tenant-a",
      tokensPerMinute: "100",
      tokensPerDay: "",
      costMicrosPerMonth: "",
      concurrentStreams: "",
      updatedAt: "2026-11-22T05:00:00.000Z",
    });
    assert.deepEqual(await connection.smembers(`${prefix}quota-tenants`), ["tenant-a"]);
    const expectations: [key: string, value: string, ttlSeconds: number][] = [
      [`${prefix}quota-use:tenant-a:minute:${minute}`, "7", 120],
      [`${prefix}quota-use:tenant-a:day:2026-11-22`, "7", 2 * 86_400],
      [`${prefix}quota-use:tenant-a:month:2026-11`, "3", 35 * 86_400],
      [`${prefix}quota-reservation:r1`, "1", 2 * 86_400],
    ];
    for (const [key, value, ttlSeconds] of expectations) {
      assert.equal(await connection.get(key), value, key);
      const ttl = await connection.ttl(key);
      assert.ok(ttl > ttlSeconds - 5 && ttl <= ttlSeconds, `${key} expires in ${ttl} s, expected ${ttlSeconds}`);
    }
    assert.deepEqual(await connection.zrange(`${prefix}quota-streams:tenant-a`, 0, -1, "WITHSCORES"), ["r1", String(now + 90_000)]);
    const streamsTtl = await connection.pttl(`${prefix}quota-streams:tenant-a`);
    assert.ok(streamsTtl > 80_000 && streamsTtl <= 90_000, `the stream set expires in ${streamsTtl} ms`);
    await store.settle(outcome.reservation, { tokens: 2, costMicros: 1 });
    assert.equal(await connection.exists(`${prefix}quota-reservation:r1`), 0, "settling removes the marker");
    assert.equal(await connection.zcard(`${prefix}quota-streams:tenant-a`), 0);
    assert.equal(await connection.get(`${prefix}quota-use:tenant-a:minute:${minute}`), "2");
    assert.ok((await connection.ttl(`${prefix}quota-use:tenant-a:minute:${minute}`)) > 100, "settling keeps the counter's lifetime");
  });

  it("refuses every reservation with STORE_FULL while Redis is full, streams included, and counts nothing", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const store = new RedisQuotaStore(connection, prefix);
    await store.setQuota(quota({ tokensPerMinute: 1_000, concurrentStreams: 5 }));
    const used = Number(/used_memory:(\d+)/.exec(await connection.info("memory"))?.[1]);
    await connection.config("SET", "maxmemory-policy", "noeviction");
    await connection.config("SET", "maxmemory", String(used - 100_000));
    try {
      for (const stream of [false, true]) {
        const refused = await store.reserve({ reservationId: `full-${stream}`, tenantId: "tenant-a", tokens: 5, costMicros: 0, stream, nowMillis: now }).catch((error: unknown) => error);
        assert.ok(refused instanceof ServiceError, `stream ${stream}: ${JSON.stringify(refused)}`);
        assert.deepEqual([refused.code, refused.retryable], ["STORE_FULL", false]);
      }
    } finally {
      await connection.config("SET", "maxmemory", "0");
    }
    assert.deepEqual(await store.currentUse("tenant-a", now), { tokensThisMinute: 0, tokensToday: 0, costMicrosThisMonth: 0, activeStreams: 0 });
  });

  it("runs its scripts again after the server's script cache was flushed", async () => {
    const connection = connect();
    const store = new RedisQuotaStore(connection, requireServer(redis).uniquePrefix());
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const first = await store.reserve({ reservationId: "before-flush", tenantId: "tenant-a", tokens: 60, costMicros: 0, stream: false, nowMillis: now });
    assert.ok(first.admitted);
    await connection.script("FLUSH");
    await store.settle(first.reservation, { tokens: 10, costMicros: 0 });
    const second = await store.reserve({ reservationId: "after-flush", tenantId: "tenant-a", tokens: 91, costMicros: 0, stream: false, nowMillis: now });
    assert.equal(second.admitted, false);
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 10);
  });
});

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { InMemoryRateLimitStore } from "../../../gateway/rate-limits/in-memory-rate-limit-store.ts";
import { RedisRateLimitStore } from "../../../gateway/rate-limits/redis-rate-limit-store.ts";
import { createRedisConnection } from "../../../platform/storage/redis-connection.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { manualClock, rateLimitStoreContract } from "./rate-limit-store-contract.ts";

const redis = await provisionRedis();

describe("InMemoryRateLimitStore", () => {
  // State lives in the one gateway process, so replicas cannot share it: one store stands for all,
  // and the concurrency cases run its acquires concurrently within the process.
  rateLimitStoreContract(async (_replicas, clock) => [new InMemoryRateLimitStore({ clock: clock.now })]);

  it("drops state that limits no one any more", async () => {
    const clock = manualClock();
    const store = new InMemoryRateLimitStore({ clock: clock.now, sweepIntervalMillis: 1_000 });
    await store.acquire({ rules: [{ kind: "rate", partition: "ip:192.0.2.1", limit: 1, windowMillis: 500 }, { kind: "concurrency", partition: "tenant:gone", limit: 1 }], leaseId: "held", leaseMillis: 500 });
    clock.advance(1_000);
    // The sweep runs in this acquire: both the old arrival time and the expired lease are gone.
    const outcome = await store.acquire({ rules: [{ kind: "concurrency", partition: "tenant:gone", limit: 1 }], leaseId: "next", leaseMillis: 500 });
    assert.equal(outcome.admitted, true);
    await store.close();
  });
});

describe("RedisRateLimitStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  const connect = () => {
    const connection = createRedisConnection(requireServer(redis).url);
    connections.push(connection);
    return connection;
  };

  // Each replica gets its own connection, as separate gateway processes would.
  rateLimitStoreContract(async (replicas, clock) => {
    const prefix = requireServer(redis).uniquePrefix();
    return Array.from({ length: replicas }, () => new RedisRateLimitStore(connect(), prefix, { clock: clock.now }));
  });

  it("measures time with Redis' clock by default, the same for every replica", async () => {
    const prefix = requireServer(redis).uniquePrefix();
    const [first, second] = [new RedisRateLimitStore(connect(), prefix), new RedisRateLimitStore(connect(), prefix)];
    const rule = { kind: "rate", partition: "api-key:clock", limit: 2, windowMillis: 60_000 } as const;
    const outcomes = [];
    for (const store of [first, second, first]) outcomes.push(await store.acquire({ rules: [rule], leaseId: "unused", leaseMillis: 1_000 }));
    assert.deepEqual(outcomes.map((outcome) => outcome.admitted), [true, true, false]);
    const retryAfterMillis = outcomes[2]?.rules[0]?.retryAfterMillis ?? 0;
    assert.ok(retryAfterMillis > 0 && retryAfterMillis <= 30_000, `retry after ${retryAfterMillis} ms: at most one interval`);
    const slots = { kind: "concurrency", partition: "tenant:clock", limit: 1 } as const;
    assert.equal((await first.acquire({ rules: [slots], leaseId: "one", leaseMillis: 60_000 })).admitted, true);
    await second.renew([slots.partition], "one", 60_000);
    assert.equal((await second.acquire({ rules: [slots], leaseId: "two", leaseMillis: 60_000 })).admitted, false);
    await second.release([slots.partition], "one");
    assert.equal((await first.acquire({ rules: [slots], leaseId: "two", leaseMillis: 60_000 })).admitted, true);
  });

  it("lets keys expire once they limit nothing", async () => {
    const server = requireServer(redis);
    const prefix = server.uniquePrefix();
    const connection = connect();
    const clock = manualClock();
    const store = new RedisRateLimitStore(connection, prefix, { clock: clock.now });
    await store.acquire({ rules: [{ kind: "rate", partition: "ip:198.51.100.7", limit: 10, windowMillis: 60_000 }, { kind: "concurrency", partition: "tenant:ttl", limit: 3 }], leaseId: "ttl", leaseMillis: 30_000 });
    const rateTtl = await connection.pttl(`${prefix}rate-limit:rate:ip:198.51.100.7`);
    const leaseTtl = await connection.pttl(`${prefix}rate-limit:concurrency:tenant:ttl`);
    assert.ok(rateTtl > 0 && rateTtl <= 6_000, `rate key expires when its arrival time passes (one interval): ${rateTtl} ms`);
    assert.ok(leaseTtl > 0 && leaseTtl <= 30_000, `lease set expires with its latest lease: ${leaseTtl} ms`);
  });

  it("answers SERVICE_UNAVAILABLE while Redis is unreachable", async () => {
    const connection = createRedisConnection("redis://127.0.0.1:1", { connectTimeoutMillis: 200, maxRetriesPerRequest: 0 });
    connections.push(connection);
    connection.on("error", () => {});
    const store = new RedisRateLimitStore(connection, "unreachable:");
    await assert.rejects(store.acquire({ rules: [{ kind: "rate", partition: "api-key:x", limit: 1, windowMillis: 1_000 }], leaseId: "x", leaseMillis: 1_000 }), { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
  });
});

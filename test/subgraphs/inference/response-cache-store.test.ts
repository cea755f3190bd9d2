import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { InMemoryResponseCacheStore } from "../../../subgraphs/inference/cache/in-memory-response-cache-store.ts";
import { RedisResponseCacheStore } from "../../../subgraphs/inference/cache/redis-response-cache-store.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { responseCacheStoreContract } from "./response-cache-store-contract.ts";

const redis = await provisionRedis();

describe("InMemoryResponseCacheStore", () => {
  responseCacheStoreContract(async () => new InMemoryResponseCacheStore({ maximumEntries: 100, maximumBytes: 1_000_000 }));

  it("drops the least recently used entry beyond its entry limit", async () => {
    const store = new InMemoryResponseCacheStore({ maximumEntries: 2, maximumBytes: 1_000_000 });
    await store.set("a", "1", 60);
    await store.set("b", "2", 60);
    assert.equal(await store.get("a"), "1", "reading a makes b the least recently used");
    await store.set("c", "3", 60);
    assert.equal(await store.get("b"), undefined);
    assert.equal(await store.get("a"), "1");
    assert.equal(await store.get("c"), "3");
    assert.equal(store.size, 2);
  });

  it("drops the least recently used entries beyond its byte limit, counting keys and UTF-8 values", async () => {
    const store = new InMemoryResponseCacheStore({ maximumEntries: 100, maximumBytes: 30 });
    await store.set("k1", "x".repeat(10), 60);
    await store.set("k2", "é".repeat(5), 60);
    assert.equal(store.bytes, 24);
    await store.set("k3", "y".repeat(10), 60);
    assert.equal(await store.get("k1"), undefined);
    assert.equal(await store.get("k2"), "é".repeat(5));
    assert.equal(await store.get("k3"), "y".repeat(10));
    assert.equal(store.bytes, 24);
  });

  it("keeps no value larger than its whole byte limit, and keeps the others", async () => {
    const store = new InMemoryResponseCacheStore({ maximumEntries: 100, maximumBytes: 20 });
    await store.set("small", "ok", 60);
    await store.set("huge", "z".repeat(100), 60);
    assert.equal(await store.get("huge"), undefined);
    assert.equal(await store.get("small"), "ok");
  });

  it("expires entries by its clock and frees their bytes", async () => {
    let now = 1_000_000;
    const store = new InMemoryResponseCacheStore({ maximumEntries: 10, maximumBytes: 1_000 }, () => now);
    await store.set("ttl", "value", 5);
    now += 4_999;
    assert.equal(await store.get("ttl"), "value");
    now += 1;
    assert.equal(await store.get("ttl"), undefined);
    assert.equal(store.bytes, 0);
    assert.equal(store.size, 0);
  });

  it("refuses limits that are not positive integers", () => {
    assert.throws(() => new InMemoryResponseCacheStore({ maximumEntries: 0, maximumBytes: 10 }), RangeError);
    assert.throws(() => new InMemoryResponseCacheStore({ maximumEntries: 10, maximumBytes: 1.5 }), RangeError);
  });
});

describe("RedisResponseCacheStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));

  function connect(): Redis {
    const connection = new Redis(requireServer(redis).url);
    connections.push(connection);
    return connection;
  }

  responseCacheStoreContract(async () => new RedisResponseCacheStore(connect(), requireServer(redis).uniquePrefix()));

  it("writes one string key under the prefix with SET ... EX, shared by every replica", async () => {
    const prefix = requireServer(redis).uniquePrefix();
    const replicaOne = new RedisResponseCacheStore(connect(), prefix);
    const replicaTwo = new RedisResponseCacheStore(connect(), prefix);
    await replicaOne.set("shared", "answer", 120);
    assert.equal(await replicaTwo.get("shared"), "answer");
    const inspector = connect();
    assert.deepEqual(await inspector.keys(`${prefix}*`), [`${prefix}inference:response-cache:shared`]);
    const ttl = await inspector.ttl(`${prefix}inference:response-cache:shared`);
    assert.ok(ttl > 110 && ttl <= 120, `TTL ${ttl}`);
  });

  it("fails with SERVICE_UNAVAILABLE when Redis cannot be reached", async () => {
    const unreachable = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    connections.push(unreachable);
    const store = new RedisResponseCacheStore(unreachable, "unreachable:");
    await assert.rejects(store.get("anything"), (error: { code?: string }) => error.code === "SERVICE_UNAVAILABLE");
  });
});

/**
 * The Redis audit log's streams: one id in all four streams of an event, trimming per stream, and
 * failures that are never silent.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { RedisAuditLog } from "../../../platform/audit/redis-audit-log.ts";
import { createRedisConnection } from "../../../platform/storage/redis-connection.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { auditInput, listAll } from "./audit-log-contract.ts";
import { capturingLogger } from "./capturing-logger.ts";

const redis = await provisionRedis();

describe("RedisAuditLog's streams", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  const connect = () => {
    const connection = createRedisConnection(requireServer(redis).url);
    connections.push(connection);
    return connection;
  };

  it("writes each event to the global, tenant, action and tenant-action streams, with one id, under the key prefix", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const log = new RedisAuditLog(connection, prefix);
    const event = await log.record(auditInput({ tenantId: "acme", action: "MODEL_DELETED", targetType: "model", targetId: "demo-chat" }));
    const keys = [`${prefix}audit-log`, `${prefix}audit-log:tenant:acme`, `${prefix}audit-log:action:MODEL_DELETED`, `${prefix}audit-log:action:MODEL_DELETED:tenant:acme`];
    assert.deepEqual((await connection.keys(`${prefix}*`)).sort(), [...keys].sort());
    const streamId = `${Number(event.id.slice(0, 13))}-${BigInt(`0x${event.id.slice(14)}`)}`;
    const { id: _id, occurredAt: _occurredAt, ...stored } = event;
    for (const key of keys) {
      const entries = await connection.xrange(key, "-", "+");
      assert.equal(entries.length, 1, key);
      const [id, fields] = entries[0] ?? [];
      assert.equal(id, streamId, key);
      assert.equal(fields?.length, 2);
      assert.equal(fields?.[0], "event");
      assert.deepEqual(JSON.parse(fields?.[1] ?? ""), stored, "the event without the id and time its stream id gives");
    }
    assert.equal(log.streamKey("a:action:ROLE_DENIED"), `${prefix}audit-log:tenant:a%3Aaction%3AROLE_DENIED`, "a tenant id cannot forge another stream's key");
  });

  it("gives an event an id after the newest of all its streams, even one ahead of Redis' clock", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const log = new RedisAuditLog(connection, prefix);
    await connection.xadd(`${prefix}audit-log:tenant:globex`, "9000000000000-5", "event", "{}");
    const event = await log.record(auditInput({ tenantId: "globex" }));
    assert.equal(event.id, `9000000000000-${(6).toString(16).padStart(16, "0")}`);
    assert.equal(event.occurredAt, new Date(9_000_000_000_000).toISOString());
    const next = await log.record(auditInput({ tenantId: "acme" }));
    assert.ok(next.id > event.id, "later events follow it, in every stream");
  });

  it("trims each stream on its own to about maximumStreamLength: a flood of one tenant's denials leaves other streams' events", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const log = new RedisAuditLog(connection, prefix, { maximumStreamLength: 10 });
    const deleted = await log.record(auditInput({ tenantId: "globex", action: "MODEL_DELETED", targetType: "model", targetId: "demo-chat" }));
    for (let index = 0; index < 250; index += 1) await log.record(auditInput({ tenantId: "mallory", action: "ROLE_DENIED", targetType: "operation", targetId: "Mutation.setQuota" }));
    const length = await connection.xlen(`${prefix}audit-log`);
    assert.ok(length >= 10 && length < 250, `trimmed to about 10 (whole nodes): ${length}`);
    const all = await listAll(log, {}, 100);
    assert.equal(all.events.length, length);
    assert.ok(!all.events.some((event) => event.id === deleted.id), "gone from the global stream");
    assert.deepEqual((await log.list({ first: 10, tenantId: "globex" })).events, [deleted]);
    assert.deepEqual((await log.list({ first: 10, action: "MODEL_DELETED" })).events, [deleted]);
  });

  it("skips an entry it cannot read, with a warning, and still fills the page", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const logger = capturingLogger();
    const log = new RedisAuditLog(connection, prefix, { logger });
    const recorded = [await log.record(auditInput()), await log.record(auditInput()), await log.record(auditInput())];
    const garbage = await connection.xadd(`${prefix}audit-log`, "*", "event", "not JSON");
    const other = await connection.xadd(`${prefix}audit-log`, "*", "something", "else");
    const page = await log.list({ first: 3 });
    assert.deepEqual(page.events, [...recorded].reverse());
    assert.equal(page.hasNextPage, false);
    assert.deepEqual(
      logger.lines.slice(0, 2).map((line) => [line.level, line.message, line.fields.streamId]),
      [
        ["warn", "skipping a malformed audit log entry", other],
        ["warn", "skipping a malformed audit log entry", garbage],
      ],
    );
  });

  it("answers SERVICE_UNAVAILABLE while Redis is unreachable", async () => {
    const connection = createRedisConnection("redis://127.0.0.1:1", { connectTimeoutMillis: 200, maxRetriesPerRequest: 0 });
    connections.push(connection);
    connection.on("error", () => {});
    const log = new RedisAuditLog(connection, "unreachable:");
    await assert.rejects(log.record(auditInput()), { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
    await assert.rejects(log.list({ first: 10 }), { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
  });
});

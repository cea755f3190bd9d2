import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { checkRedisMemoryBudget, memoryBudget, readRedisMemoryLimits } from "../../../platform/storage/redis-memory-budget.ts";
import { loadUsageConfig } from "../../../subgraphs/usage/config.ts";
import { measuredBytesPerCall, retainedKeyFamilies } from "../../../subgraphs/usage/redis-retained-keys.ts";
import { createUsageStore } from "../../../subgraphs/usage/usage-backends.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { recordingLogger, usageEvent } from "./usage-fixtures.ts";

const redis = await provisionRedis();
const megabyte = 1_024 * 1_024;

describe("the Redis memory budget", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));

  function connect(options: { username?: string; password?: string } = {}): Redis {
    const connection = new Redis(requireServer(redis).url, { ...options, maxRetriesPerRequest: 1 });
    connection.on("error", () => undefined);
    connections.push(connection);
    return connection;
  }

  /** The deployment's defaults: completions kept 24 h, event markers 24 h. */
  const families = retainedKeyFamilies(loadUsageConfig({}));
  const bytesPerCallPerSecond = (measuredBytesPerCall.completionRecord + measuredBytesPerCall.usageEventMarker) * 86_400;

  it("documents the defaults it budgets with", () => {
    assert.deepEqual(
      families.map((family) => [family.name, family.retentionSeconds]),
      [
        ["inference:completion:<id>", 86_400],
        ["usage-event:<eventId>", 86_400],
      ],
    );
    assert.equal(memoryBudget(families, 2, 0).neededBytes, Math.ceil(2 * bytesPerCallPerSecond));
  });

  it("warns when maxmemory cannot hold the retention at the expected rate, and says what it sustains", async () => {
    const admin = connect();
    await admin.config("SET", "maxmemory", String(100 * megabyte));
    await admin.config("SET", "maxmemory-policy", "noeviction");
    const logger = recordingLogger();
    const budget = await checkRedisMemoryBudget({ redis: admin, families, expectedCallsPerSecond: 2, logger });
    assert.ok(budget?.tooSmall);
    const sustainable = (100 * megabyte * 0.8) / bytesPerCallPerSecond;
    assert.ok(Math.abs((budget.sustainableCallsPerSecond ?? 0) - sustainable) < 1e-9);
    const warning = logger.lines.find((line) => line.level === "warn");
    assert.match(warning?.message ?? "", /cannot hold the configured retention at 2 calls\/s/);
    assert.equal(warning?.fields?.sustainableCallsPerSecond, Math.floor(sustainable * 10) / 10);
    assert.equal(warning?.fields?.source, "INFO");

    // At a rate it sustains, one info line and no warning.
    const quiet = recordingLogger();
    assert.equal((await checkRedisMemoryBudget({ redis: admin, families, expectedCallsPerSecond: 1, logger: quiet }))?.tooSmall, false);
    assert.deepEqual(quiet.lines.map((line) => [line.level, line.message]), [["info", "Redis memory budget holds the configured retention"]]);
  });

  it("warns about an evicting policy, and reports an unlimited Redis without warning about its size", async () => {
    const admin = connect();
    await admin.config("SET", "maxmemory", "0");
    await admin.config("SET", "maxmemory-policy", "allkeys-lru");
    const logger = recordingLogger();
    assert.deepEqual(await checkRedisMemoryBudget({ redis: admin, families, expectedCallsPerSecond: 1_000, logger }), { neededBytes: Math.ceil(1_000 * bytesPerCallPerSecond), sustainableCallsPerSecond: null, tooSmall: false });
    assert.deepEqual(
      logger.lines.map((line) => [line.level, line.message.split(":")[0]]),
      [
        ["warn", "Redis evicts keys under memory pressure (maxmemory-policy allkeys-lru)"],
        ["info", "Redis has no maxmemory"],
      ],
    );
    await admin.config("SET", "maxmemory-policy", "noeviction");
  });

  it("reads maxmemory where CONFIG is forbidden (managed Redis), and skips the check where INFO is too", async () => {
    const admin = connect();
    await admin.config("SET", "maxmemory", String(64 * megabyte));
    await admin.call("ACL", "SETUSER", "no-config", "on", ">secret-1", "~*", "&*", "+@all", "-config");
    await admin.call("ACL", "SETUSER", "no-info", "on", ">secret-2", "~*", "&*", "+@all", "-info");
    await admin.call("ACL", "SETUSER", "neither", "on", ">secret-3", "~*", "&*", "+@all", "-info", "-config");
    assert.deepEqual(await readRedisMemoryLimits(connect({ username: "no-config", password: "secret-1" })), { maxmemoryBytes: 64 * megabyte, policy: "noeviction", source: "INFO" });
    assert.deepEqual(await readRedisMemoryLimits(connect({ username: "no-info", password: "secret-2" })), { maxmemoryBytes: 64 * megabyte, policy: "noeviction", source: "CONFIG" });
    const logger = recordingLogger();
    assert.equal(await checkRedisMemoryBudget({ redis: connect({ username: "neither", password: "secret-3" }), families, expectedCallsPerSecond: 1, logger }), undefined);
    assert.deepEqual(logger.lines.map((line) => [line.level, line.message]), [["info", "Redis memory budget not checked: Redis answers neither INFO memory nor CONFIG GET maxmemory"]]);
    await admin.config("SET", "maxmemory", "0");
  });

  it("keeps usage-event markers for USAGE_EVENT_RETENTION_SECONDS", async () => {
    const connection = connect();
    const prefix = requireServer(redis).uniquePrefix();
    const config = loadUsageConfig({ STORE_BACKEND: "redis", REDIS_URL: requireServer(redis).url, REDIS_KEY_PREFIX: prefix, INTERNAL_SIGNING_SECRET: "budget-test-signing-secret-0123456789abcdef", USAGE_EVENT_RETENTION_SECONDS: "3600" });
    const store = createUsageStore(config, { redis: connection, pubsub: undefined as never, close: async () => {} }, config.usageEventRetentionSeconds * 1_000);
    const event = usageEvent({ occurredAt: new Date().toISOString() });
    await store.apply([event]);
    const ttl = await connection.ttl(`${prefix}usage-event:${event.eventId}`);
    assert.ok(ttl > 3_590 && ttl <= 3_600, `the marker expires in ${ttl} s`);
    assert.equal(loadUsageConfig({}).usageEventRetentionSeconds, 86_400, "default: one day");
  });
});

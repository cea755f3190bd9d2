/**
 * The audit log's storage (issue 14, item 6): the same contract against the embedded file and
 * Redis streams, and the log line every recorded event also becomes.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Redis } from "ioredis";
import type { AuditEvent, AuditEventInput } from "../../../platform/audit/audit-event.ts";
import type { AuditLog } from "../../../platform/audit/audit-log.ts";
import { createAuditLog } from "../../../platform/audit/create-audit-log.ts";
import { auditLogFileName, EmbeddedAuditLog } from "../../../platform/audit/embedded-audit-log.ts";
import { auditEventLogMessage, auditEventNotRecordedLogMessage, LoggingAuditLog } from "../../../platform/audit/logging-audit-log.ts";
import { RedisAuditLog } from "../../../platform/audit/redis-audit-log.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { createRedisConnection } from "../../../platform/storage/redis-connection.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { auditInput, auditLogContract } from "./audit-log-contract.ts";
import { capturingLogger } from "./capturing-logger.ts";

const redis = await provisionRedis();

describe("EmbeddedAuditLog", () => {
  auditLogContract(async (instances) => {
    const directory = await temporaryDirectory("audit-log");
    return Array.from({ length: instances }, () => new EmbeddedAuditLog(directory, { logger: createLogger("audit-test", "error") }));
  });
});

describe("RedisAuditLog", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));

  // Each instance gets its own connection, as separate processes would.
  auditLogContract(async (instances) => {
    const server = requireServer(redis);
    const prefix = server.uniquePrefix();
    return Array.from({ length: instances }, () => {
      const connection = createRedisConnection(server.url);
      connections.push(connection);
      return new RedisAuditLog(connection, prefix, { logger: createLogger("audit-test", "error") });
    });
  });
});

describe("audit events as log lines", () => {
  it("writes every recorded event as an info line with the event's fields", async () => {
    const logger = capturingLogger();
    const log = new LoggingAuditLog(new EmbeddedAuditLog(await temporaryDirectory("audit-log-lines"), { logger }), logger);
    const event = await log.record(auditInput({ action: "QUOTA_SET", targetType: "quota", targetId: "acme", details: { tokensPerMinute: 1_000 } }));
    assert.deepEqual(logger.lines, [{ level: "info", message: auditEventLogMessage, fields: { ...event } }]);
    assert.deepEqual((await log.list({ first: 1 })).events, [event], "list goes to the store");
  });

  it("is one JSON object on stderr: time, level, service, message, then the event at the top level", async () => {
    const inner: AuditLog = { record: async (input) => ({ id: "1764712800000-000000000000002a", occurredAt: "2025-12-02T22:00:00.000Z", ...input }), list: async () => ({ events: [], hasNextPage: false, endCursor: null }), close: async () => {} };
    const log = new LoggingAuditLog(inner, createLogger("model-registry"));
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    let event: AuditEvent;
    try {
      event = await log.record(auditInput({ action: "MODEL_DELETED", targetType: "model", targetId: "demo-chat", details: { version: 4 } }));
    } finally {
      process.stderr.write = original;
    }
    assert.equal(written.length, 1);
    assert.ok(written[0]?.endsWith("}\n") && !written[0].slice(0, -1).includes("\n"), "one line");
    const line = JSON.parse(written[0] ?? "") as Record<string, unknown>;
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual({ ...line, time: undefined }, { time: undefined, level: "info", service: "model-registry", message: "audit event", ...event });
  });

  it("logs an event it could not store as an error line, with the error, and rethrows", async () => {
    const logger = capturingLogger();
    const failure = new ServiceError(ErrorCode.ServiceUnavailable, "The shared store (Redis) is unavailable; retry shortly.");
    const failing: AuditLog = { record: async () => Promise.reject(failure), list: async () => ({ events: [], hasNextPage: false, endCursor: null }), close: async () => {} };
    const input: AuditEventInput = auditInput({ action: "API_KEY_REVOKED" });
    await assert.rejects(new LoggingAuditLog(failing, logger).record(input), (error) => error === failure);
    assert.deepEqual(logger.lines, [{ level: "error", message: auditEventNotRecordedLogMessage, fields: { ...input, error: failure } }]);
  });

  it("logs only the action of an invalid event, which may hold anything, even a key", async () => {
    const logger = capturingLogger();
    const log = new LoggingAuditLog(new EmbeddedAuditLog(await temporaryDirectory("audit-log-invalid"), { logger }), logger);
    const secret = `aig_${"C".repeat(32)}`;
    await assert.rejects(log.record(auditInput({ action: "API_KEY_CREATED", details: { key: secret } })), /must not hold API keys/);
    assert.equal(logger.lines.length, 1);
    assert.deepEqual({ ...logger.lines[0], fields: { ...logger.lines[0]?.fields, error: undefined } }, { level: "error", message: auditEventNotRecordedLogMessage, fields: { action: "API_KEY_CREATED", invalid: true, error: undefined } });
    assert.ok(!JSON.stringify(logger.lines, (_key, value: unknown) => (value instanceof Error ? value.message : value)).includes(secret));
  });
});

describe("createAuditLog", () => {
  it("uses the file in the data directory without Redis, and logs each event", async () => {
    const directory = await temporaryDirectory("audit-log-factory");
    const logger = capturingLogger();
    const log = createAuditLog({ redis: undefined, dataDirectory: directory, keyPrefix: "unused:", logger });
    const event = await log.record(auditInput());
    assert.ok(existsSync(join(directory, auditLogFileName)));
    assert.deepEqual(logger.lines.map((line) => [line.message, line.fields.id]), [[auditEventLogMessage, event.id]]);
    await log.close();
  });

  it("uses Redis streams under the key prefix when given a connection", { skip: redis.skip }, async () => {
    const server = requireServer(redis);
    const connection = createRedisConnection(server.url);
    try {
      const prefix = server.uniquePrefix();
      const directory = await temporaryDirectory("audit-log-factory");
      const logger = capturingLogger();
      const log = createAuditLog({ redis: connection, dataDirectory: directory, keyPrefix: prefix, logger });
      const event = await log.record(auditInput());
      assert.equal(await connection.xlen(`${prefix}audit-log`), 1);
      assert.equal(existsSync(join(directory, auditLogFileName)), false);
      assert.deepEqual(logger.lines.map((line) => [line.message, line.fields.id]), [[auditEventLogMessage, event.id]]);
      await log.close();
      assert.equal(connection.status, "ready", "the connection stays the caller's");
    } finally {
      connection.disconnect();
    }
  });
});

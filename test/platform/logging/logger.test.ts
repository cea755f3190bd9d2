/**
 * The pino-based logger (issue 16, item 3): one JSON line per call on its destination, errors with
 * their `cause` chain and codes, safe on BigInts and cycles, secrets always redacted and prompt
 * text redacted unless LOG_PROMPTS=true, the request id on lines written during a request.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { loadCommonConfig } from "../../../platform/config/common-config.ts";
import { ConfigurationError } from "../../../platform/config/parse-environment.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { createLogger, withFields } from "../../../platform/logging/logger.ts";
import { loggingSettingsFromEnvironment } from "../../../platform/logging/logging-settings.ts";
import { runInRequestScope, startRequestLogRecord, traceIdOf } from "../../../platform/logging/request-scope.ts";
import { captureLog } from "./log-capture.ts";

const apiKey = `aig_${"A1b2C3d4".repeat(4)}`;

describe("createLogger", () => {
  it("writes one JSON line per call: level, time, service, message, then the fields; below the level, nothing", () => {
    const log = captureLog();
    const logger = createLogger("model-registry", "info", { destination: log });
    logger.debug("hidden");
    logger.info("listening", { url: "http://127.0.0.1:4001/graphql", port: 4001 });
    assert.equal(log.lines.length, 1);
    const { time, ...rest } = log.lines[0] ?? {};
    assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rest, { level: "info", service: "model-registry", message: "listening", url: "http://127.0.0.1:4001/graphql", port: 4001 });
  });

  it("keeps its own keys: a field named message, level, time or service is renamed, not written twice", () => {
    const log = captureLog();
    createLogger("gateway", "info", { destination: log }).warn("real message", { message: "a field", level: 3 });
    assert.equal(log.text().match(/"message":/g)?.length, 1);
    assert.equal(log.lines[0]?.message, "real message");
    assert.equal(log.lines[0]?.messageField, "a field");
    assert.equal(log.lines[0]?.levelField, 3);
    assert.equal(log.lines[0]?.level, "warn");
  });

  it("redacts secrets by field name at any depth, and API keys, bearer tokens and URL passwords inside any string", () => {
    const log = captureLog();
    const logger = createLogger("model-registry", "info", { destination: log });
    logger.warn("could not publish a model change", {
      apiKey,
      api_key: apiKey,
      event: { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "https://vllm.internal/v1", apiKey } },
      headers: { authorization: `Bearer ${apiKey}`, "x-api-key": apiKey, "Proxy-Authorization": "Basic dXNlcjpwYXNz", accept: "application/json" },
      redisPassword: "hunter2",
      INTERNAL_SIGNING_SECRET: "s".repeat(32),
      token: "t0k3n",
      error: new Error(`upstream said 401 for key ${apiKey} at redis://admin:hunter2@redis.internal:6379`),
      note: `retrying with Bearer ${apiKey}`,
    });
    const line = log.lines[0] ?? {};
    assert.ok(!log.text().includes(apiKey), "the API key appears nowhere");
    assert.ok(!log.text().includes("hunter2"), "nor the password");
    assert.ok(!log.text().includes("t0k3n") && !log.text().includes("dXNlcjpwYXNz") && !log.text().includes("s".repeat(32)));
    assert.equal(line.apiKey, "[REDACTED]");
    assert.equal(line.api_key, "[REDACTED]");
    assert.deepEqual(line.event, { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "https://vllm.internal/v1", apiKey: "[REDACTED]" } });
    assert.deepEqual(line.headers, { authorization: "[REDACTED]", "x-api-key": "[REDACTED]", "Proxy-Authorization": "[REDACTED]", accept: "application/json" });
    assert.equal(line.redisPassword, "[REDACTED]");
    assert.equal((line.error as { message: string }).message, "upstream said 401 for key aig_[REDACTED] at redis://[REDACTED]@redis.internal:6379");
    assert.equal(line.note, "retrying with Bearer [REDACTED]");
  });

  it("redacts prompt and completion text by default, and keeps it with LOG_PROMPTS=true (never the secrets)", () => {
    const fields = {
      modelId: "demo-chat",
      prompt: "my medical history is",
      messages: [{ role: "user", content: "my medical history is" }],
      input: { text: "my medical history is", maxTokens: 16 },
      texts: ["my medical history is"],
      completion: "you should see a doctor",
      apiKey,
    };
    const hidden = captureLog();
    createLogger("inference", "info", { destination: hidden }).info("completion", fields);
    assert.ok(!hidden.text().includes("medical") && !hidden.text().includes("doctor"), hidden.text());
    assert.deepEqual(
      { ...hidden.lines[0], time: undefined },
      { time: undefined, level: "info", service: "inference", message: "completion", modelId: "demo-chat", prompt: "[REDACTED]", messages: "[REDACTED]", input: "[REDACTED]", texts: "[REDACTED]", completion: "[REDACTED]", apiKey: "[REDACTED]" },
    );

    const shown = captureLog();
    createLogger("inference", "info", { destination: shown, logPrompts: true }).info("completion", fields);
    assert.deepEqual(shown.lines[0]?.messages, fields.messages);
    assert.deepEqual(shown.lines[0]?.input, fields.input);
    assert.equal(shown.lines[0]?.apiKey, "[REDACTED]");

    assert.equal(loggingSettingsFromEnvironment({ LOG_PROMPTS: "true" }).logPrompts, true);
    assert.equal(loggingSettingsFromEnvironment({}).logPrompts, false);
  });

  it("serializes errors with their cause chain, code and extensions.code", () => {
    const log = captureLog();
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED", errno: -111 });
    const storeDown = new Error("the usage store is unreachable", { cause: refused });
    const error = new ServiceError(ErrorCode.ServiceUnavailable, "The shared store (Redis) is unavailable; retry shortly.", { cause: storeDown });
    createLogger("usage", "info", { destination: log }).error("request failed", { error, other: new AggregateError([new TypeError("a"), new RangeError("b")], "two failed") });
    const logged = log.lines[0]?.error as Record<string, any>;
    assert.equal(logged.type, "ServiceError");
    assert.equal(logged.code, "SERVICE_UNAVAILABLE");
    assert.equal(logged.extensions.code, "SERVICE_UNAVAILABLE");
    assert.equal(typeof logged.stack, "string");
    assert.equal(logged.cause.message, "the usage store is unreachable");
    assert.equal(logged.cause.cause.message, "connect ECONNREFUSED 127.0.0.1:6379");
    assert.equal(logged.cause.cause.code, "ECONNREFUSED");
    assert.equal(logged.cause.cause.errno, -111);
    const aggregate = log.lines[0]?.other as Record<string, any>;
    assert.equal(aggregate.type, "AggregateError");
    assert.deepEqual(aggregate.errors.map((entry: { type: string; message: string }) => [entry.type, entry.message]), [["TypeError", "a"], ["RangeError", "b"]]);
  });

  it("does not throw on a BigInt, a cyclic object, a cyclic cause chain or a throwing getter", () => {
    const log = captureLog();
    const cyclic: Record<string, unknown> = { name: "loop", tokens: 12n };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, 1n];
    const first = new Error("first");
    const second = new Error("second", { cause: first });
    (first as { cause?: unknown }).cause = second;
    const hostile = {
      get boom(): never {
        throw new Error("getter");
      },
    };
    const logger = createLogger("usage", "debug", { destination: log });
    assert.doesNotThrow(() => logger.info("odd fields", { cyclic, total: 2n ** 70n, error: second, hostile, map: new Map([["a", 1n]]), when: new Date(0), buffer: Buffer.from("abc") }));
    const line = log.lines[0] ?? {};
    assert.deepEqual(line.cyclic, { name: "loop", tokens: "12", self: "[Circular]", list: ["[Circular]", "1"] });
    assert.equal(line.total, "1180591620717411303424");
    assert.equal((line.error as any).cause.message, "first");
    assert.equal((line.error as any).cause.cause, "[Circular]");
    assert.deepEqual(line.hostile, { boom: "[Unreadable]" });
    assert.deepEqual(line.map, { a: "1" });
    assert.equal(line.when, "1970-01-01T00:00:00.000Z");
    assert.equal(line.buffer, "[Buffer 3 bytes]");
  });

  it("adds the request id and trace id to every line written while a request is served; child loggers add their bindings", () => {
    const log = captureLog();
    const logger = createLogger("gateway", "info", { destination: log });
    const request = { method: "POST", headers: { "x-request-id": "req-42", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } } as unknown as IncomingMessage;
    runInRequestScope(startRequestLogRecord(request), () => logger.warn("subgraph unavailable", { subgraph: "usage" }));
    logger.info("outside");
    withFields(logger, { component: "planner" }).info("child");
    assert.deepEqual(
      log.lines.map(({ time: _time, ...line }) => line),
      [
        { level: "warn", service: "gateway", requestId: "req-42", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", subgraph: "usage", message: "subgraph unavailable" },
        { level: "info", service: "gateway", message: "outside" },
        { level: "info", service: "gateway", component: "planner", message: "child" },
      ],
    );
  });

  it("reads trace ids from W3C traceparent headers only when well-formed", () => {
    assert.equal(traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), undefined);
    assert.equal(traceIdOf("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), undefined);
    assert.equal(traceIdOf("not a traceparent"), undefined);
    assert.equal(traceIdOf(undefined), undefined);
  });

  it("validates LOG_REQUEST_SAMPLE_RATE, LOG_SLOW_REQUEST_MILLIS and LOG_PROMPTS with the rest of the configuration", () => {
    assert.deepEqual(loadCommonConfig({}).logging, { requestSampleRate: 1, slowRequestMillis: 1_000, logPrompts: false });
    assert.deepEqual(loadCommonConfig({ LOG_REQUEST_SAMPLE_RATE: "0.25", LOG_SLOW_REQUEST_MILLIS: "250", LOG_PROMPTS: "true" }).logging, { requestSampleRate: 0.25, slowRequestMillis: 250, logPrompts: true });
    assert.throws(
      () => loadCommonConfig({ LOG_REQUEST_SAMPLE_RATE: "2", LOG_PROMPTS: "maybe" }),
      (error: unknown) => error instanceof ConfigurationError && error.problems.map((problem) => problem.variable).sort().join() === "LOG_PROMPTS,LOG_REQUEST_SAMPLE_RATE",
    );
    assert.equal(loggingSettingsFromEnvironment({ LOG_REQUEST_SAMPLE_RATE: "nonsense" }).requestSampleRate, 1, "a logger falls back to the default");
  });
});

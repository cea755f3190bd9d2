/**
 * One access line per GraphQL request (issue 16, item 3): operation, status, error code and count,
 * duration, tenant, key id, request and trace ids; refusals written before Apollo included;
 * successes sampled at LOG_REQUEST_SAMPLE_RATE, failures and slow requests always; the gateway's
 * line and its subgraph's share the request id.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApolloServer } from "@apollo/server";
import { buildSchema, GraphQLError } from "graphql";
import { loadGatewayConfig } from "../../../gateway/config.ts";
import { startGateway } from "../../../gateway/service.ts";
import { createApiKeyStore } from "../../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey, type IssuedApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { startServiceServer, type RunningService } from "../../../platform/http/service-server.ts";
import type { RequestAdmission } from "../../../platform/http/request-admission.ts";
import { accessLogMessage, sampled } from "../../../platform/logging/access-log.ts";
import { createLogger, type LoggerOptions } from "../../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../../platform/storage/shared-infrastructure.ts";
import { loadModelRegistryConfig } from "../../../subgraphs/model-registry/config.ts";
import { startModelRegistry } from "../../../subgraphs/model-registry/service.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { testRateLimits } from "../../harness/test-rate-limits.ts";
import { captureLog, type CapturedLog } from "./log-capture.ts";

const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const isAccessLine = (line: Record<string, unknown>) => line.message === accessLogMessage;

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** A service of its own: `{ ok }`, `{ broken }` (an error with a code), `{ slow }`; requests without `x-caller` are refused (401) before Apollo. */
async function startSmallService(log: CapturedLog, options: LoggerOptions): Promise<RunningService> {
  const schema = buildSchema("type Query { ok: String! broken: String slow: String! }");
  const rootValue = {
    ok: () => "fine",
    broken: () => {
      throw new ServiceError(ErrorCode.BadUserInput, "That will not do.", { field: "input.prompt" });
    },
    slow: async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return "late";
    },
  };
  const service = await startServiceServer<{ request: { requestId: string; tenantId: string; apiKeyId: string } }, string>({
    name: "small",
    host: "127.0.0.1",
    port: 0,
    maximumBodyBytes: 1_024,
    stopGracePeriodMillis: 1_000,
    logger: createLogger("small", "info", { destination: log, ...options }),
    createApolloServer: (plugins) => new ApolloServer({ schema, rootValue, plugins }),
    admitRequest: async (request): Promise<RequestAdmission<string>> => {
      const caller = request.headers["x-caller"];
      if (caller === "explode") throw new Error("the key store fell over");
      if (caller === "greedy") return { admitted: false, status: 429, error: new GraphQLError("Too many requests.", { extensions: { code: "RATE_LIMITED" } }), headers: { "retry-after": "1" } };
      if (typeof caller === "string") return { admitted: true, value: caller, headers: {}, release: () => {} };
      return { admitted: false, status: 401, error: new GraphQLError("Missing credentials.", { extensions: { code: "UNAUTHENTICATED" } }), headers: {} };
    },
    context: async (request, _signal, caller) => ({ request: { requestId: String(request.headers["x-request-id"] ?? "generated"), tenantId: "tenant-a", apiKeyId: String(caller) } }),
  });
  after(() => service.stop());
  return service;
}

describe("access lines of a service", () => {
  it("writes one line per request: success, an error with its code, refusals before Apollo (401, 429), a body too large, a batch, a parse failure; nothing for health checks", async () => {
    const log = captureLog();
    const service = await startSmallService(log, { requestSampleRate: 1 });
    const caller = { "x-caller": "key_1", "x-request-id": "req-ok", traceparent };
    assert.equal((await post(service.graphqlUrl, { query: "query Fine { ok }" }, caller)).status, 200);
    const ok = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-ok");
    const { time: _time, durationMillis, ...fields } = ok;
    assert.equal(typeof durationMillis, "number");
    assert.deepEqual(fields, {
      level: "info",
      service: "small",
      message: accessLogMessage,
      method: "POST",
      operationName: "Fine",
      operationType: "query",
      status: 200,
      errorCount: 0,
      tenantId: "tenant-a",
      apiKeyId: "key_1",
      requestId: "req-ok",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });

    await post(service.graphqlUrl, { query: "{ broken }" }, { "x-caller": "key_1", "x-request-id": "req-broken" });
    const broken = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-broken");
    assert.deepEqual([broken.level, broken.status, broken.errorCode, broken.errorCount, broken.operationType], ["warn", 200, "BAD_USER_INPUT", 1, "query"]);

    assert.equal((await post(service.graphqlUrl, { query: "{ ok }" }, { "x-request-id": "req-refused" })).status, 401);
    const refused = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-refused");
    assert.deepEqual([refused.level, refused.status, refused.errorCode, refused.errorCount, refused.tenantId], ["warn", 401, "UNAUTHENTICATED", 1, undefined]);

    assert.equal((await post(service.graphqlUrl, { query: "{ ok }" }, { "x-caller": "greedy", "x-request-id": "req-limited" })).status, 429);
    const limited = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-limited");
    assert.deepEqual([limited.level, limited.status, limited.errorCode], ["warn", 429, "RATE_LIMITED"]);

    assert.equal((await post(service.graphqlUrl, { query: `{ ok } # ${"x".repeat(2_000)}` }, { "x-caller": "key_1", "x-request-id": "req-large" })).status, 413);
    const large = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-large");
    assert.deepEqual([large.status, large.errorCode], [413, "PAYLOAD_TOO_LARGE"]);

    assert.equal((await post(service.graphqlUrl, [{ query: "{ ok }" }, { query: "{ ok }" }], { "x-caller": "key_1", "x-request-id": "req-batch" })).status, 400);
    const batch = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-batch");
    assert.deepEqual([batch.status, batch.errorCode], [400, "MAX_BATCH_OPERATIONS_EXCEEDED"]);

    const parse = await post(service.graphqlUrl, { query: "{ ok" }, { "x-caller": "key_1", "x-request-id": "req-parse" });
    assert.equal(parse.status, 400);
    const parseLine = await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-parse");
    assert.deepEqual([parseLine.status, parseLine.errorCode, parseLine.errorCount], [400, "GRAPHQL_PARSE_FAILED", 1]);

    await fetch(`${service.url}/healthz`);
    await fetch(`${service.url}/readyz`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(log.lines.filter(isAccessLine).length, 7, "one line per GraphQL request, none for health checks");
  });

  it("gives the error line of a failed request its request id, and writes the 500's access line", async () => {
    const log = captureLog();
    const service = await startSmallService(log, {});
    assert.equal((await post(service.graphqlUrl, { query: "{ ok }" }, { "x-caller": "explode", "x-request-id": "req-500" })).status, 500);
    const failed = await log.waitFor((line) => line.message === "request failed");
    assert.equal(failed.requestId, "req-500");
    assert.equal((failed.error as { message: string }).message, "the key store fell over");
    const access = await log.waitFor(isAccessLine);
    assert.deepEqual([access.level, access.status, access.errorCode, access.requestId], ["error", 500, "INTERNAL_SERVER_ERROR", "req-500"]);
  });

  it("at sample rate 0 drops successes but keeps errors, refusals and slow requests", async () => {
    const log = captureLog();
    const service = await startSmallService(log, { requestSampleRate: 0, slowRequestMillis: 400 });
    for (let index = 0; index < 5; index += 1) await post(service.graphqlUrl, { query: "{ ok }" }, { "x-caller": "key_1", "x-request-id": `req-fine-${index}` });
    await post(service.graphqlUrl, { query: "{ broken }" }, { "x-caller": "key_1", "x-request-id": "req-error" });
    await post(service.graphqlUrl, { query: "{ ok }" }, { "x-request-id": "req-refused" });
    await post(service.graphqlUrl, { query: "{ slow }" }, { "x-caller": "key_1", "x-request-id": "req-slow" });
    await log.waitFor((line) => isAccessLine(line) && line.requestId === "req-slow");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(log.lines.filter(isAccessLine).map((line) => [line.requestId, line.level]).sort(), [["req-error", "warn"], ["req-refused", "warn"], ["req-slow", "info"]]);
  });

  it("samples on the request id, so every service keeps the same requests", () => {
    const ids = Array.from({ length: 2_000 }, (_, index) => `request-${index}`);
    const kept = ids.filter((id) => sampled(id, 0.25));
    assert.ok(kept.length > 400 && kept.length < 600, `about a quarter kept (${kept.length})`);
    assert.deepEqual(ids.filter((id) => sampled(id, 0.25)), kept, "the same ones each time");
    assert.equal(ids.filter((id) => sampled(id, 1)).length, 2_000);
    assert.equal(ids.filter((id) => sampled(id, 0)).length, 0);
  });
});

describe("access lines of the gateway and a subgraph", () => {
  const gatewayLog = captureLog();
  const registryLog = captureLog();
  let gatewayUrl: string;
  let key: IssuedApiKey;
  let stop: () => Promise<void>;

  before(async () => {
    const environment = { DATA_DIR: await temporaryDirectory("access-log"), LOG_LEVEL: "info", SUPERGRAPH_WATCH: "false", PLAYGROUND_ENABLED: "false", SHUTDOWN_GRACE_PERIOD_MILLIS: "1000", ...testRateLimits };
    const registry = await startModelRegistry(loadModelRegistryConfig({ ...environment, MODEL_REGISTRY_PORT: "0" }), createLogger("model-registry", "info", { destination: registryLog }));
    const unreachable = "http://127.0.0.1:9/graphql";
    const config = loadGatewayConfig({ ...environment, GATEWAY_PORT: "0", MODEL_REGISTRY_URL: registry.graphqlUrl, INFERENCE_URL: unreachable, RETRIEVAL_URL: unreachable, USAGE_URL: unreachable });
    const gateway = await startGateway(config, createLogger("gateway", "info", { destination: gatewayLog }));
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    key = await issueApiKey(createApiKeyStore(config, infrastructure), "tenant-a", ["member"], "access log test");
    await infrastructure.close();
    gatewayUrl = gateway.graphqlUrl;
    stop = async () => {
      await gateway.stop();
      await registry.stop();
    };
  });
  after(() => stop?.());

  it("200: operation, tenant, key id, request and trace ids; the subgraph's line carries the same request id", async () => {
    const response = await post(gatewayUrl, { query: 'query OneModel { model(id: "no-such-model") { id } }', operationName: "OneModel" }, { authorization: `Bearer ${key.key}`, traceparent });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId !== null);
    const line = await gatewayLog.waitFor((entry) => isAccessLine(entry) && entry.requestId === requestId);
    assert.deepEqual(
      { ...line, time: undefined, durationMillis: undefined },
      {
        time: undefined,
        durationMillis: undefined,
        level: "info",
        service: "gateway",
        message: accessLogMessage,
        method: "POST",
        operationName: "OneModel",
        operationType: "query",
        status: 200,
        errorCount: 0,
        tenantId: "tenant-a",
        apiKeyId: key.id,
        requestId,
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      },
    );
    const subgraphLine = await registryLog.waitFor((entry) => isAccessLine(entry) && entry.requestId === requestId && entry.operationName !== undefined && String(entry.operationName).startsWith("OneModel"));
    assert.deepEqual([subgraphLine.service, subgraphLine.status, subgraphLine.tenantId, subgraphLine.apiKeyId], ["model-registry", 200, "tenant-a", key.id]);
    assert.ok(!gatewayLog.text().includes(key.key) && !registryLog.text().includes(key.key), "the key itself is never logged");
  });

  it("401 refused before Apollo: status and code, a request id, no tenant", async () => {
    const response = await post(gatewayUrl, { query: "{ __typename }" }, { authorization: "Bearer aig_not-a-real-key", "x-request-id": "client-chosen-401" });
    assert.equal(response.status, 401);
    const line = await gatewayLog.waitFor((entry) => isAccessLine(entry) && entry.requestId === "client-chosen-401");
    assert.deepEqual([line.level, line.status, line.errorCode, line.errorCount, line.tenantId, line.apiKeyId], ["warn", 401, "UNAUTHENTICATED", 1, undefined, undefined]);
    const anonymous = await post(gatewayUrl, { query: "{ __typename }" });
    assert.equal(anonymous.status, 401);
    const generated = await gatewayLog.waitFor((entry) => isAccessLine(entry) && entry.status === 401 && entry.requestId !== "client-chosen-401");
    assert.match(String(generated.requestId), /^[0-9a-f-]{36}$/);
  });

  it("400 with a code: a query that does not parse", async () => {
    const response = await post(gatewayUrl, { query: "query Broken { model(id: 1" }, { authorization: `Bearer ${key.key}` });
    assert.equal(response.status, 400);
    const requestId = response.headers.get("x-request-id");
    const line = await gatewayLog.waitFor((entry) => isAccessLine(entry) && entry.status === 400 && (requestId === null || entry.requestId === requestId));
    assert.deepEqual([line.level, line.errorCode, line.errorCount, line.tenantId, line.apiKeyId], ["warn", "GRAPHQL_PARSE_FAILED", 1, "tenant-a", key.id]);
  });
});

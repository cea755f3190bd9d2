/**
 * Rate limits and HTTP protection of the running gateway (issue 13, items 3 and 4): an attacker's
 * unauthenticated megabytes are refused on their headers, slow sockets are closed, keys, tenants
 * and addresses are limited, and other tenants keep being served meanwhile.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { issueApiKey, type IssuedApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../../../gateway/config.ts";
import { defaultRateLimitSettings } from "../../../gateway/rate-limits/rate-limit-policy.ts";
import { startGateway, type RunningGateway } from "../../../gateway/service.ts";
import { createApiKeyStore } from "../../../platform/api-keys/create-api-key-store.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../../platform/storage/shared-infrastructure.ts";
import { firstError, rawConnection, startPartialRequest, type PartialResponse } from "../../harness/partial-request.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../../harness/test-stack.ts";

const query = JSON.stringify({ query: "{ __typename }" });
const redis = await provisionRedis();

async function issueKey(stack: TestStack, tenantId: string): Promise<IssuedApiKey> {
  const config = loadGatewayConfig(stack.environment);
  const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
  try {
    return await issueApiKey(createApiKeyStore(config, infrastructure), tenantId, ["member"], `rate-limit test ${tenantId}`);
  } finally {
    await infrastructure.close();
  }
}

/** A complete GraphQL POST; `key` undefined sends no Authorization header. */
async function post(stack: TestStack, key: string | undefined, headers: Record<string, string> = {}, body = query): Promise<{ status: number; headers: Headers; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const response = await fetch(stack.gateway.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

/** A request that holds its concurrency slot: headers with `Expect: 100-continue`, admitted once the server says continue, body not sent yet. */
async function holdSlot(stack: TestStack, key: string): Promise<{ finish(): Promise<PartialResponse> } | PartialResponse> {
  const request = startPartialRequest(stack.gateway.graphqlUrl, {
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "content-length": Buffer.byteLength(query), expect: "100-continue" },
  });
  const outcome = await Promise.race([request.continued.then(() => "continued" as const), request.response]);
  if (outcome !== "continued") return outcome;
  return {
    finish: async () => {
      request.end(query);
      return request.response;
    },
  };
}

function upgradeStatus(stack: TestStack, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(stack.gateway.graphqlUrl.replace(/^http/, "ws"), "graphql-transport-ws", { headers: { "x-forwarded-for": forwardedFor } });
    socket.once("open", () => {
      socket.close();
      resolve(101);
    });
    socket.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

describe("rate limits and HTTP protection at the gateway", () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({
      DATA_DIR: await temporaryDirectory("gateway-rate-limits"),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: "5",
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT: "8",
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: "3",
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: "2",
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT: "3",
      // One proxy in front: each test speaks from its own address through X-Forwarded-For.
      TRUSTED_PROXY_HOPS: "1",
      MAX_REQUEST_BODY_BYTES: "1048576",
      MAX_DOCUMENT_BYTES: "524288",
      HTTP_HEADERS_TIMEOUT_MILLIS: "500",
      HTTP_REQUEST_TIMEOUT_MILLIS: "10000",
      HTTP_SOCKET_IDLE_TIMEOUT_MILLIS: "5000",
      HTTP_TIMEOUT_CHECK_INTERVAL_MILLIS: "50",
    });
  });
  after(() => stack?.stop());

  it("answers 429 RATE_LIMITED with Retry-After and RateLimit headers once a key has sent its requests per minute, and a tenant's keys share the tenant's", async () => {
    const [first, second] = [await issueKey(stack, "rate-a"), await issueKey(stack, "rate-a")];
    const admitted = [];
    for (let index = 0; index < 5; index += 1) admitted.push(await post(stack, first.key));
    assert.deepEqual(admitted.map((response) => response.status), [200, 200, 200, 200, 200]);
    assert.equal(admitted[0]?.headers.get("ratelimit-policy"), '"key";q=5;w=60, "tenant";q=8;w=60, "key-concurrency";q=2;qu="concurrent-requests", "tenant-concurrency";q=3;qu="concurrent-requests"');
    assert.equal(admitted[0]?.headers.get("ratelimit"), '"key";r=4;t=12, "tenant";r=7;t=8, "key-concurrency";r=1, "tenant-concurrency";r=2');
    assert.match(admitted[4]?.headers.get("ratelimit") ?? "", /^"key";r=0;t=\d+, "tenant";r=3;t=\d+, "key-concurrency";r=1, "tenant-concurrency";r=2$/);

    const refused = await post(stack, first.key);
    assert.equal(refused.status, 429);
    const extensions = refused.body.errors?.[0]?.extensions ?? {};
    assert.deepEqual({ ...extensions, retryAfterMillis: undefined }, { code: "RATE_LIMITED", retryable: true, policy: "key", limit: 5, retryAfterMillis: undefined });
    const retryAfterMillis = Number(extensions.retryAfterMillis);
    assert.ok(retryAfterMillis > 0 && retryAfterMillis <= 12_000, `one interval (60 s / 5) at most: ${retryAfterMillis}`);
    assert.equal(refused.headers.get("retry-after"), String(Math.ceil(retryAfterMillis / 1_000)));
    assert.equal(refused.headers.get("ratelimit"), `"key";r=0;t=${Math.ceil(retryAfterMillis / 1_000)}`);
    assert.equal(refused.headers.get("connection"), "close");
    assert.match(refused.body.errors?.[0]?.message ?? "", /5 per minute for this API key/);

    // The refused request cost the tenant nothing: 3 more of its 8 are left, for its other key.
    const secondKey = [await post(stack, second.key), await post(stack, second.key), await post(stack, second.key), await post(stack, second.key)];
    assert.deepEqual(secondKey.map((response) => response.status), [200, 200, 200, 429]);
    assert.equal(secondKey[3]?.body.errors?.[0]?.extensions?.policy, "tenant");
    // Another tenant is not affected.
    assert.equal((await post(stack, stack.otherTenantKey.key)).status, 200);
  });

  it("limits requests without a valid key per client address, on their headers, and counts WebSocket upgrades there too", async () => {
    const address = "198.51.100.7";
    // Entries left of the one the trusted proxy appended are the client's own claims: ignored.
    const spoofing = [`203.0.113.1, ${address}`, `203.0.113.2, ${address}`];
    assert.equal(await upgradeStatus(stack, address), 101);
    const unauthenticated = [
      await post(stack, undefined, { "x-forwarded-for": spoofing[0] ?? "" }),
      await post(stack, "aig_000000000000000000000000000000000", { "x-forwarded-for": spoofing[1] ?? "" }),
    ];
    assert.deepEqual(unauthenticated.map((response) => [response.status, response.body.errors?.[0]?.extensions?.code]), [
      [401, "UNAUTHENTICATED"],
      [401, "UNAUTHENTICATED"],
    ]);
    assert.match(unauthenticated[1]?.headers.get("ratelimit") ?? "", /^"address";r=0;t=\d+$/);
    assert.equal(unauthenticated[1]?.headers.get("ratelimit-policy"), '"address";q=3;w=60');
    const refused = await post(stack, "not-even-a-key", { "x-forwarded-for": address });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.errors?.[0]?.extensions?.policy, "address");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.equal(await upgradeStatus(stack, address), 429);
    // A valid key from the same address is limited by its key and tenant, not by the address.
    assert.equal((await post(stack, stack.memberKey.key, { "x-forwarded-for": address })).status, 200);
    // Another address still gets its own allowance.
    assert.equal((await post(stack, undefined, { "x-forwarded-for": "198.51.100.8" })).status, 401);
  });

  it("answers a wrong key's 2 MB body with 401 without reading it, and a waiting client never sends it", async () => {
    const streaming = startPartialRequest(stack.gateway.graphqlUrl, {
      headers: { "content-type": "application/json", authorization: "Bearer aig_000000000000000000000000000000000", "content-length": 2 * 1_048_576, "x-forwarded-for": "198.51.100.30" },
    });
    await streaming.write(`{"query":"{ __typename }","padding":"${"x".repeat(65_536)}`);
    const response = await streaming.response;
    assert.equal(response.status, 401);
    assert.equal(response.headers.connection, "close");
    assert.equal(firstError(response)?.extensions.code, "UNAUTHENTICATED");
    assert.ok(streaming.bytesWritten < 100_000, "the answer came after the first chunk, the rest was never sent");
    streaming.destroy();

    const waiting = startPartialRequest(stack.gateway.graphqlUrl, {
      headers: { "content-type": "application/json", authorization: "Bearer aig_000000000000000000000000000000000", "content-length": 2 * 1_048_576, expect: "100-continue", "x-forwarded-for": "198.51.100.31" },
    });
    const outcome = await Promise.race([waiting.continued.then(() => "invited to send the body"), waiting.response.then((answer) => answer.status)]);
    assert.equal(outcome, 401);
    assert.equal(waiting.bytesWritten, 0);
  });

  it("refuses requests with two Authorization headers", async () => {
    const request = startPartialRequest(stack.gateway.graphqlUrl, {
      // A flat list: node's client then sends each line as given (and no Host of its own).
      headers: ["host", new URL(stack.gateway.graphqlUrl).host, "content-type", "application/json", "authorization", `Bearer ${stack.memberKey.key}`, "authorization", `Bearer ${stack.adminKey.key}`, "x-forwarded-for", "198.51.100.40"],
    });
    request.end(query);
    const response = await request.response;
    assert.equal(response.status, 401);
    assert.deepEqual(firstError(response), { message: "Send one Authorization header, not several.", extensions: { code: "UNAUTHENTICATED", retryable: false } });
  });

  it("holds a concurrency slot per request in flight, per key and per tenant, and frees it when the request ends", async () => {
    const [first, second] = [await issueKey(stack, "slots"), await issueKey(stack, "slots")];
    const held = [await holdSlot(stack, first.key), await holdSlot(stack, first.key)];
    const overKey = await post(stack, first.key);
    assert.equal(overKey.status, 429);
    assert.deepEqual([overKey.body.errors?.[0]?.extensions?.policy, overKey.headers.get("retry-after")], ["key-concurrency", "1"]);
    const third = await holdSlot(stack, second.key);
    assert.ok("finish" in third, "the tenant's third slot");
    const overTenant = await post(stack, second.key);
    assert.deepEqual([overTenant.status, overTenant.body.errors?.[0]?.extensions?.policy], [429, "tenant-concurrency"]);
    const [firstHeld] = held;
    assert.ok(firstHeld !== undefined && "finish" in firstHeld);
    const finished = await firstHeld.finish();
    assert.equal(finished.status, 200);
    assert.deepEqual((JSON.parse(finished.body) as { data?: unknown }).data, { __typename: "Query" });
    assert.equal((await post(stack, second.key)).status, 200, "the finished request's slot came back");
    for (const request of [held[1], third]) if (request !== undefined && "finish" in request) await request.finish();
  });

  it("answers invalid JSON with 400 BAD_REQUEST and an oversized chunked body with 413 PAYLOAD_TOO_LARGE before it is complete", async () => {
    const invalid = await post(stack, stack.adminKey.key, { "x-forwarded-for": "198.51.100.50" }, "{ not json");
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errors?.[0]?.extensions?.code, "BAD_REQUEST");

    const oversized = startPartialRequest(stack.gateway.graphqlUrl, { headers: { "content-type": "application/json", "transfer-encoding": "chunked", authorization: `Bearer ${stack.otherTenantKey.key}` } });
    let answered = false;
    void oversized.response.then(() => (answered = true), () => (answered = true));
    const planned = 8 * 1_048_576;
    while (!answered && oversized.bytesWritten < planned) if (!(await oversized.write(Buffer.alloc(65_536, "x")))) break;
    const response = await oversized.response;
    assert.equal(response.status, 413);
    assert.deepEqual(firstError(response)?.extensions, { code: "PAYLOAD_TOO_LARGE", retryable: false, maximumBytes: 1_048_576 });
    assert.ok(oversized.bytesWritten < planned);
  });

  it("closes slowloris sockets within the headers timeout while keys keep being served", async () => {
    const header = `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.adminKey.key}\r\nX-Padding: ${"a".repeat(300)}\r\n\r\n`;
    const connections = await Promise.all(Array.from({ length: 20 }, () => rawConnection(stack.gateway.port)));
    let stopped = false;
    const dripping = connections.map(async ({ socket }) => {
      let sent = 0;
      while (!stopped && sent < header.length && !socket.destroyed) {
        socket.write(header.charAt(sent));
        sent += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return sent;
    });
    const served = await post(stack, stack.otherTenantKey.key);
    assert.equal(served.status, 200);
    await Promise.all(connections.map(({ closed }) => closed));
    stopped = true;
    const sent = await Promise.all(dripping);
    for (const [index, connection] of connections.entries()) {
      assert.ok((sent[index] ?? 0) < header.length, "closed before its headers were complete");
      assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    }
  });

  it("keeps answering another tenant while 20 unauthenticated 2 MB bodies are in flight (canary)", async () => {
    const canaryKey = await issueKey(stack, "canary");
    let attacking = true;
    const statuses = new Map<number, number>();
    const attacker = async (index: number) => {
      const chunk = Buffer.alloc(65_536, "x");
      while (attacking) {
        const request = startPartialRequest(stack.gateway.graphqlUrl, {
          headers: { "content-type": "application/json", "content-length": 2 * 1_048_576, "x-forwarded-for": `192.0.2.${index}` },
        });
        let answered = false;
        void request.response.then(
          (response) => {
            answered = true;
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          },
          () => (answered = true),
        );
        while (attacking && !answered && request.bytesWritten < 2 * 1_048_576) if (!(await request.write(chunk))) break;
        await request.response.catch(() => undefined);
        request.destroy();
      }
    };
    const attackers = Array.from({ length: 20 }, (_, index) => attacker(index + 1));
    try {
      for (let index = 0; index < 3; index += 1) {
        const answer = await post(stack, canaryKey.key);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body.data, { __typename: "Query" });
      }
    } finally {
      attacking = false;
      await Promise.all(attackers);
    }
    assert.ok((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0) >= 20, `attackers were answered: ${JSON.stringify([...statuses])}`);
    assert.deepEqual([...statuses.keys()].filter((status) => status !== 401 && status !== 429), [], "attackers only ever got 401 or 429");
  });
});

describe("rate limits at their real defaults", () => {
  let stack: TestStack;
  before(async () => {
    // Empty values count as unset: the test stack's raised limits give way to the defaults.
    stack = await startTestStack({
      DATA_DIR: await temporaryDirectory("gateway-rate-limit-defaults"),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: "",
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT: "",
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: "",
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: "",
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT: "",
    });
  });
  after(() => stack?.stop());

  it("are 600 per minute and 64 in flight per key, 3,000 and 128 per tenant, 60 per minute per address", () => {
    assert.deepEqual(loadGatewayConfig(stack.environment).rateLimits, defaultRateLimitSettings);
    assert.deepEqual(defaultRateLimitSettings, {
      requestsPerMinutePerKey: 600,
      requestsPerMinutePerTenant: 3_000,
      requestsPerMinutePerAddress: 60,
      concurrentRequestsPerKey: 64,
      concurrentRequestsPerTenant: 128,
      leaseMillis: 60_000,
      trustedProxyHops: 0,
    });
  });

  /**
   * Sends `send` one at a time after the burst until one is refused: with GCRA the allowance
   * refills while the burst is sent (1 per second per address, 10 per second per key), so the
   * refusal comes a few requests past the burst; sending faster than the refill, it must come.
   */
  async function untilRefused(send: () => Promise<Awaited<ReturnType<typeof post>>>, bound: number) {
    for (let index = 0; index < bound; index += 1) {
      const response = await send();
      if (response.status === 429) return response;
      assert.equal(response.status === 200 || response.status === 401, true, `unexpected status ${response.status}`);
    }
    assert.fail(`no refusal within ${bound} requests past the burst`);
  }

  it("admits a burst of 60 unauthenticated requests per address, then refuses with at most a second to wait", async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 60; index += 1) statuses.push((await post(stack, undefined)).status);
    assert.deepEqual(statuses, Array.from({ length: 60 }, () => 401));
    const refused = await untilRefused(() => post(stack, undefined), 60);
    assert.equal(refused.body.errors?.[0]?.extensions?.policy, "address");
    assert.ok(Number(refused.body.errors?.[0]?.extensions?.retryAfterMillis) <= 1_000);
    assert.equal(refused.headers.get("retry-after"), "1");
  });

  it("admits a burst of 600 requests per key, then refuses with at most 100 ms to wait, and refuses the 65th request in flight", async () => {
    const key = await issueKey(stack, "defaults");
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 600) {
          next += 1;
          statuses.push((await post(stack, key.key)).status);
        }
      }),
    );
    assert.deepEqual([...new Set(statuses)], [200], JSON.stringify(statuses.filter((status) => status !== 200)));
    assert.equal(statuses.length, 600);
    const refused = await untilRefused(() => post(stack, key.key), 600);
    assert.equal(refused.body.errors?.[0]?.extensions?.policy, "key");
    assert.ok(Number(refused.body.errors?.[0]?.extensions?.retryAfterMillis) <= 100);

    const slotKey = await issueKey(stack, "defaults-slots");
    const held = await Promise.all(Array.from({ length: 64 }, () => holdSlot(stack, slotKey.key)));
    assert.equal(held.filter((request) => "finish" in request).length, 64);
    const overSlots = await post(stack, slotKey.key);
    assert.deepEqual([overSlots.status, overSlots.body.errors?.[0]?.extensions?.policy], [429, "key-concurrency"]);
    await Promise.all(held.map((request) => ("finish" in request ? request.finish() : undefined)));
  });
});

describe("rate limits across gateway replicas sharing Redis", { skip: redis.skip }, () => {
  let stack: TestStack;
  let replica: RunningGateway;
  before(async () => {
    const server = requireServer(redis);
    stack = await startTestStack({
      STORE_BACKEND: "redis",
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: server.uniquePrefix(),
      INTERNAL_SIGNING_SECRET: "rate-limit-test-secret-at-least-32-chars",
      DATA_DIR: await temporaryDirectory("gateway-rate-limits-redis"),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: "10",
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: "3",
    });
    // A second gateway process in all but name: its own server and connections, the same Redis.
    replica = await startGateway(
      loadGatewayConfig({
        ...stack.environment,
        ...{ RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: "10", RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: "3" },
        LOG_LEVEL: "error",
        SUPERGRAPH_WATCH: "false",
        GATEWAY_PORT: "0",
        MODEL_REGISTRY_URL: stack.modelRegistry.graphqlUrl,
        INFERENCE_URL: stack.inference.graphqlUrl,
        RETRIEVAL_URL: stack.retrieval.graphqlUrl,
        USAGE_URL: stack.usage.graphqlUrl,
      }),
      createLogger("gateway-replica", "error"),
    );
  });
  after(async () => {
    await replica?.stop();
    await stack?.stop();
  });

  it("admits a key's limit once in total, not once per replica, for rates and requests in flight", async () => {
    const key = await issueKey(stack, "replicas");
    const replicaStack = { ...stack, gateway: replica } as TestStack;
    const statuses: (string | number | undefined)[][] = [];
    // One at a time, alternating replicas: 10 per minute in total, whichever replica answers.
    for (let index = 0; index < 12; index += 1) {
      const outcome = await post(index % 2 === 0 ? stack : replicaStack, key.key);
      statuses.push([outcome.status, outcome.body.errors?.[0]?.extensions?.policy as string | undefined]);
    }
    assert.deepEqual(statuses, [...Array.from({ length: 10 }, () => [200, undefined]), [429, "key"], [429, "key"]]);

    const slotKey = await issueKey(stack, "replica-slots");
    const held = [await holdSlot(stack, slotKey.key), await holdSlot(replicaStack, slotKey.key), await holdSlot(stack, slotKey.key)];
    assert.equal(held.filter((request) => "finish" in request).length, 3);
    const over = [await post(replicaStack, slotKey.key), await post(stack, slotKey.key)];
    assert.deepEqual(over.map((outcome) => [outcome.status, outcome.body.errors?.[0]?.extensions?.policy]), [
      [429, "key-concurrency"],
      [429, "key-concurrency"],
    ]);
    for (const request of held) if ("finish" in request) assert.equal((await request.finish()).status, 200);
    assert.equal((await post(replicaStack, slotKey.key)).status, 200, "slots freed on one replica are free on the other");
  });
});

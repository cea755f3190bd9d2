import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { InternalContextSigner, internalContextHeader } from "../../platform/context/internal-context-token.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { RedisModelStore } from "../../subgraphs/model-registry/store/redis-model-store.ts";
import { RedisQuotaStore } from "../../subgraphs/usage/quota/redis-quota-store.ts";
import { modelRecord } from "../subgraphs/model-registry/model-fixtures.ts";
import { findFreePort } from "../harness/redis-server.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

// Persistent, so the registry and quota survive the restart of the Redis-down test.
const redis = await provisionRedis({ appendOnly: true });
const secret = "quota-test-signing-secret-0123456789abcdef";
const signer = new InternalContextSigner(secret);
const replicas = 3;
const tokensPerMinute = 300;
const maxTokens = 8;

const createCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id usage { promptTokens completionTokens } } }`;

interface Replica {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function post(replica: Replica, index: number): Promise<{ data?: { createCompletion: null | { usage: { promptTokens: number; completionTokens: number } } }; errors?: { extensions?: { code?: string; limit?: string } }[] }> {
  const response = await fetch(replica.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [internalContextHeader]: signer.sign({ requestId: `request-${index}`, tenantId: "tenant-q", apiKeyId: "key-q", roles: ["member"] }),
    },
    body: JSON.stringify({ query: createCompletion, variables: { input: { model: "quota-chat", prompt: "Hello there", maxTokens } } }),
  });
  return (await response.json()) as Awaited<ReturnType<typeof post>>;
}

async function startReplica(environment: NodeJS.ProcessEnv): Promise<Replica> {
  const port = await findFreePort();
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "subgraphs/inference/main.ts"], {
    cwd: projectRoot,
    env: { ...process.env, ...environment, INFERENCE_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) assert.fail(`an inference replica exited: ${output}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ready) return { child, url: `${url}/graphql`, output: () => output };
    if (Date.now() > deadline) assert.fail(`an inference replica did not become ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("a token-per-minute quota across inference replicas", { skip: redis.skip }, () => {
  const running: Replica[] = [];
  let prefix: string;
  let connection: Redis;

  before(async () => {
    const server = requireServer(redis);
    prefix = server.uniquePrefix();
    connection = new Redis(server.url);
    const modelsDirectory = await temporaryDirectory("quota-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "tiny.gguf") });
    await new RedisModelStore(connection, prefix).create(modelRecord({ id: "quota-chat" }));
    await new RedisQuotaStore(connection, prefix).setQuota({ tenantId: "tenant-q", tokensPerMinute, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: new Date().toISOString() });
    const environment = {
      STORE_BACKEND: "redis",
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: prefix,
      INTERNAL_SIGNING_SECRET: secret,
      MODELS_DIR: modelsDirectory,
      DATA_DIR: await temporaryDirectory("quota-data"),
      LLAMA_CPP_THREADS: "1",
      // Warnings name what a replica did while Redis was away; printed only when a test fails.
      LOG_LEVEL: "warn",
    };
    for (let index = 0; index < replicas; index += 1) running.push(await startReplica(environment));
  });
  after(async () => {
    for (const replica of running) replica.child.kill("SIGKILL");
    await connection?.quit();
  });

  it("admits no more tokens than the limit, whichever replica each request reaches", async () => {
    // A fixed window: the burst must not straddle a minute boundary, or two windows' worth is legal.
    const secondOfMinute = new Date().getUTCSeconds();
    if (secondOfMinute > 40) await new Promise((resolve) => setTimeout(resolve, (61 - secondOfMinute) * 1_000));
    const requests = 60;
    const outcomes = await Promise.all(Array.from({ length: requests }, (_, index) => post(running[index % replicas] as Replica, index)));
    // createCompletion is nullable: a refused call answers `{ createCompletion: null }` with the error.
    const admitted = outcomes.filter((outcome) => outcome.data?.createCompletion !== undefined && outcome.data.createCompletion !== null);
    const refused = outcomes.filter((outcome) => outcome.errors !== undefined);
    assert.equal(admitted.length + refused.length, requests);
    for (const outcome of refused) assert.deepEqual([outcome.errors?.[0]?.extensions?.code, outcome.errors?.[0]?.extensions?.limit], ["QUOTA_EXCEEDED", "TOKENS_PER_MINUTE"]);
    // What the admitted calls really used fits the limit. (Reservations are settled to real use as
    // calls end, so a call ending early makes room for another: estimates may add up to more.)
    const used = admitted.reduce((sum, outcome) => sum + (outcome.data?.createCompletion?.usage.promptTokens ?? 0) + (outcome.data?.createCompletion?.usage.completionTokens ?? 0), 0);
    assert.ok(used <= tokensPerMinute, `admitted calls used ${used} tokens against a limit of ${tokensPerMinute}`);
    assert.ok(refused.length > 0, "the burst asks for more than the limit");
    const reserved = admitted.reduce((sum, outcome) => sum + (outcome.data?.createCompletion?.usage.promptTokens ?? 0) + maxTokens, 0);
    const perCall = (admitted[0]?.data?.createCompletion?.usage.promptTokens ?? 0) + maxTokens;
    assert.ok(reserved > tokensPerMinute - perCall, `the limit is used, not under-admitted (${reserved} of ${tokensPerMinute})`);
    const use = await new RedisQuotaStore(connection, prefix).currentUse("tenant-q", Date.now());
    assert.ok(use.tokensThisMinute <= tokensPerMinute);
  });

  it("fails closed while Redis is down, metering the refusals once it is back", async () => {
    const server = requireServer(redis);
    const streamKey = `${prefix}usage-events`;
    const eventsBefore = await connection.xlen(streamKey);
    await connection.quit();
    await server.stop();
    const replica = running[0] as Replica;
    const outcome = await post(replica, 1_000);
    assert.equal(outcome.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE", JSON.stringify(outcome));
    await server.restart();
    connection = new Redis(server.url);
    // The refusal's usage event waited in the replica's buffer and is written once Redis returns.
    const deadline = Date.now() + 20_000;
    while ((await connection.xlen(streamKey)) < eventsBefore + 1) {
      if (Date.now() > deadline) {
        const metrics = await fetch(replica.url.replace(/\/graphql$/, "/metrics")).then((response) => response.text());
        assert.fail(`the buffered usage event never reached the stream (${JSON.stringify(outcome)}; ${metrics}): ${replica.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const last = await connection.xrevrange(streamKey, "+", "-", "COUNT", 1);
    assert.match(JSON.stringify(last), /SERVICE_UNAVAILABLE/);
  });
});

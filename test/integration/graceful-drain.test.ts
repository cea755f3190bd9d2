/**
 * Graceful drain on SIGTERM, with real processes: an inference replica and a gateway, each spawned
 * with `node --import tsx` on one embedded data directory, and a test client streaming a
 * completion through the gateway over graphql-ws. The model is served by a FAKE OpenAI-compatible
 * server in this process (ReplayOpenAIServer, a test double), so the test decides when the
 * generation goes on: the signal lands mid-stream every time, with no timing involved.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { after, afterEach, before, describe, it } from "node:test";
import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import type { Client } from "graphql-ws";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { loadCommonConfig } from "../../platform/config/common-config.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { WebSocketCloseCode } from "../../platform/websocket/close-codes.ts";
import { EmbeddedModelStore } from "../../subgraphs/model-registry/store/embedded-model-store.ts";
import { ReplayOpenAIServer } from "../engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, writeEvents } from "../engines/openai-compatible/wire-format.ts";
import { gatewayClient, subscribe, waitFor, type CollectedStream, type RunningStream } from "../gateway/subscriptions/subscription-test-stack.ts";
import { modelRecord } from "../subgraphs/model-registry/model-fixtures.ts";
import { findFreePort } from "../harness/redis-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { testRateLimits } from "../harness/test-rate-limits.ts";

/** Tokens the fake upstream sends before it waits for the test, and in all. */
const tokensBeforeSignal = 3;
const tokensInAll = 40;
const pieces = Array.from({ length: tokensInAll }, (_, index) => `t${index} `);

const CompletionStream = `subscription($input: CompletionInput!) {
  completionStream(input: $input) { __typename ... on TextDeltaEvent { index text } ... on TextEndEvent { completionId } }
}`;

interface Service {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startService(entryPoint: string, environment: NodeJS.ProcessEnv, url: string): Promise<Service> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", entryPoint], { cwd: projectRoot, env: { ...process.env, ...environment }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit").then(([status]) => status as number | null);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) assert.fail(`${entryPoint} exited: ${output}`);
    if (await fetch(`${url}/readyz`).then((response) => response.ok, () => false)) return { child, url, output: () => output, exited };
    if (Date.now() > deadline) assert.fail(`${entryPoint} did not become ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readiness(url: string): Promise<number | undefined> {
  return fetch(`${url}/readyz`).then((response) => response.status, () => undefined);
}

/** Waits until `url` answers `/readyz` with 503 (stopping) or no longer takes connections (it stopped listening). */
async function untilNotReady(url: string): Promise<void> {
  for (;;) {
    const status = await readiness(url);
    if (status !== 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the tokens the fake upstream sends before it holds; a stream that ends first fails with what the services logged. */
async function firstTokens(stream: RunningStream, services: readonly Service[]): Promise<void> {
  let ended: unknown;
  void stream.ended.then((value) => (ended = value));
  await waitFor(() => deltas(stream.events).length >= tokensBeforeSignal || ended !== undefined, 30_000, "the first tokens").catch(() => undefined);
  if (deltas(stream.events).length >= tokensBeforeSignal) return;
  assert.fail(`no first tokens: ${JSON.stringify(ended ?? stream.events)}\n${services.map((service) => service.output()).join("\n")}`);
}

/** The code, retryability and reason of a refusal's first error. */
function restartingRefusal(error: CollectedStream["error"]): Record<string, unknown> | undefined {
  if (!Array.isArray(error)) return { notAnErrorMessage: JSON.stringify(error) };
  const extensions = (error as readonly GraphQLFormattedError[])[0]?.extensions;
  return { code: extensions?.code, retryable: extensions?.retryable, reason: extensions?.reason };
}

function deltas(events: readonly FormattedExecutionResult[]): string[] {
  return events.flatMap((event) => {
    const value = (event.data as { completionStream?: { __typename: string; text?: string } } | undefined)?.completionStream;
    return value?.__typename === "TextDeltaEvent" ? [value.text ?? ""] : [];
  });
}

describe("graceful drain on SIGTERM (real processes: gateway and inference)", () => {
  let upstream: ReplayOpenAIServer;
  /** Resolves the generation the fake upstream holds: it then sends the rest. */
  let release: () => void = () => undefined;
  let dataDirectory: string;
  let apiKey: string;
  const running: Service[] = [];

  before(async () => {
    upstream = await ReplayOpenAIServer.start();
    upstream.replyAlways("/v1/chat/completions", async (_request, response: ServerResponse) => {
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), ...pieces.slice(0, tokensBeforeSignal).map((piece) => chatChunk({ content: piece }))], { end: false });
      await released;
      await writeEvents(response, [...pieces.slice(tokensBeforeSignal).map((piece) => chatChunk({ content: piece })), chatChunk({}, "length"), "[DONE]"]);
    });
    dataDirectory = await temporaryDirectory("graceful-drain");
    const store = new EmbeddedModelStore(dataDirectory);
    await store.create(
      modelRecord({
        id: "drain-chat",
        capabilities: ["CHAT"],
        engine: { kind: "OPENAI_COMPATIBLE", modelPath: null, baseUrl: upstream.baseUrl, upstreamModel: "replay-model", apiKey: null },
        pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0, currency: "USD" },
      }),
    );
    await store.close();
    const config = loadCommonConfig({ DATA_DIR: dataDirectory });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    apiKey = (await issueApiKey(createApiKeyStore(config, infrastructure), "tenant-drain", ["member"], "drain test")).key;
    await infrastructure.close();
  });
  afterEach(() => {
    release();
    for (const service of running.splice(0)) if (service.child.exitCode === null) service.child.kill("SIGKILL");
  });
  after(async () => {
    await upstream.close();
  });

  async function startStack(gracePeriodMillis: number): Promise<{ inference: Service; gateway: Service }> {
    const inferencePort = await findFreePort();
    const gatewayPort = await findFreePort();
    const common = {
      ...testRateLimits,
      DATA_DIR: dataDirectory,
      STORE_BACKEND: "embedded",
      SHUTDOWN_GRACE_PERIOD_MILLIS: String(gracePeriodMillis),
      ENGINE_ALLOWED_HOSTS: "127.0.0.0/8,::1",
      SUPERGRAPH_WATCH: "false",
      LOG_LEVEL: "info",
    };
    const inferenceUrl = `http://127.0.0.1:${inferencePort}`;
    const inference = await startService("subgraphs/inference/main.ts", { ...common, INFERENCE_PORT: String(inferencePort) }, inferenceUrl);
    running.push(inference);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const gateway = await startService("gateway/main.ts", { ...common, GATEWAY_PORT: String(gatewayPort), INFERENCE_URL: `${inferenceUrl}/graphql` }, gatewayUrl);
    running.push(gateway);
    return { inference, gateway };
  }

  function startStream(gateway: Service, client = gatewayClient(`${gateway.url.replace(/^http/, "ws")}/graphql`, apiKey)): RunningStream & { client: Client } {
    return { ...subscribe(client, CompletionStream, { input: { model: "drain-chat", messages: [{ role: "USER", content: "Count" }], maxTokens: tokensInAll } }), client };
  }

  it("lets a running stream finish with every token when both the gateway and the inference replica get SIGTERM, then both exit 0", async () => {
    const { inference, gateway } = await startStack(60_000);
    const stream = startStream(gateway);
    await firstTokens(stream, [inference, gateway]);
    inference.child.kill("SIGTERM");
    gateway.child.kill("SIGTERM");
    // Both stop taking work before the generation goes on: readiness fails first (load balancers drain them).
    await untilNotReady(inference.url);
    await untilNotReady(gateway.url);
    // The gateway takes no new connections while it drains (it stopped listening), nor new operations on open sockets.
    assert.notEqual(await readiness(gateway.url), 200);
    const refusedConnection = await startStream(gateway).ended;
    assert.equal(refusedConnection.completed, false, "a new connection is not accepted while draining");
    const refusedOperation = await startStream(gateway, stream.client).ended;
    assert.deepEqual(restartingRefusal(refusedOperation.error), { code: "SERVICE_UNAVAILABLE", retryable: true, reason: "SERVER_RESTARTING" });
    release();
    const ended = await stream.ended;
    assert.equal(ended.error, undefined, JSON.stringify(ended.error));
    assert.equal(ended.completed, true);
    assert.deepEqual(deltas(ended.events), pieces);
    assert.equal(await inference.exited, 0, inference.output());
    assert.equal(await gateway.exited, 0, gateway.output());
  });

  it("ends a gateway stream that outlives the grace period with close code 4503 (ServerRestarting), then exits 0", async () => {
    const { inference, gateway } = await startStack(1_500);
    const stream = startStream(gateway);
    await firstTokens(stream, [inference, gateway]);
    gateway.child.kill("SIGTERM");
    const ended = await stream.ended;
    assert.deepEqual(ended.error, { code: WebSocketCloseCode.ServerRestarting, reason: "Server restarting: the operation outlived the grace period; reconnect and retry." });
    assert.deepEqual(deltas(ended.events), pieces.slice(0, tokensBeforeSignal));
    assert.equal(await gateway.exited, 0, gateway.output());
  });

  it("ends an inference stream that outlives the grace period with a retryable SERVICE_UNAVAILABLE through the gateway, then exits 0", async () => {
    const { inference, gateway } = await startStack(1_500);
    const stream = startStream(gateway);
    await firstTokens(stream, [inference, gateway]);
    inference.child.kill("SIGTERM");
    await untilNotReady(inference.url);
    // A new stream reaches the draining replica over the gateway's open upstream socket: refused, retryably, with the reason.
    const refused = await startStream(gateway).ended;
    assert.deepEqual(restartingRefusal(refused.error), { code: "SERVICE_UNAVAILABLE", retryable: true, reason: "SERVER_RESTARTING" });
    const ended = await stream.ended;
    assert.ok(Array.isArray(ended.error), JSON.stringify(ended.error));
    const [error] = ended.error as { message: string; extensions?: Record<string, unknown> }[];
    assert.equal(error?.extensions?.code, "SERVICE_UNAVAILABLE", JSON.stringify(ended.error));
    assert.equal(error?.extensions?.retryable, true);
    assert.match(error?.message ?? "", /restarted before the stream finished/);
    assert.equal(await inference.exited, 0, inference.output());
    assert.equal(await readiness(gateway.url), 200, "the gateway itself keeps serving");
  });
});

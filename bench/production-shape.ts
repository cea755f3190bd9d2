/**
 * Scale figures of the production shape (issue 17): Redis, 1 registry, 3 inference, 1 retrieval,
 * 2 usage and 2 gateway processes behind a per-connection round-robin balancer
 * (test/harness/production-shape-stack.ts, the stack of the fault-injection suite). The model is a
 * FAKE OpenAI-compatible server in this process (a test double answering at once), so the figures
 * are the services' own cost, not a model's: start-up, completions per second and latency through
 * both gateways, held streams spread over the replicas with the memory they take, and how long a
 * usage report takes to count every call.
 *
 *   node --import tsx bench/production-shape.ts [--requests 2000] [--concurrency 32] [--streams 300]
 */
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { gatewayClient, subscribe, waitFor, type RunningStream } from "../test/gateway/subscriptions/subscription-test-stack.ts";
import { ReplayOpenAIServer } from "../test/engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, usageChunk, writeEvents } from "../test/engines/openai-compatible/wire-format.ts";
import { startProductionShapeStack, sumOf, type ServiceProcess } from "../test/harness/production-shape-stack.ts";
import { startTestRedis } from "../test/harness/redis-server.ts";
import { runLoad } from "./measure.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "2000" }, concurrency: { type: "string", default: "32" }, streams: { type: "string", default: "300" } } });
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const streamCount = Number(values.streams);
const pieces = Array.from({ length: 8 }, (_, index) => `w${index} `);

let held: Promise<void> | undefined;
let release: () => void = () => undefined;
const upstream = await ReplayOpenAIServer.start();
upstream.replyAlways("/v1/chat/completions", async (_request, response: ServerResponse) => {
  await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), chatChunk({ content: pieces[0] ?? "" })], { end: false });
  if (held !== undefined) await held;
  await writeEvents(response, [...pieces.slice(1).map((piece) => chatChunk({ content: piece })), chatChunk({}, "length"), usageChunk({ prompt_tokens: 7, completion_tokens: pieces.length }), "[DONE]"]);
});
const redis = await startTestRedis();
const startedAt = performance.now();
// 128 streams per replica to the upstream (default 64, of which one tenant may hold 63), and held streams never time out.
const stack = await startProductionShapeStack({ redis, environment: { LOG_LEVEL: "error" }, roleEnvironment: { inference: { UPSTREAM_MAX_CONCURRENT_STREAMS: "128", UPSTREAM_REQUEST_TIMEOUT_MILLIS: "600000" } } });
const startSeconds = (performance.now() - startedAt) / 1000;

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(service: ServiceProcess): number {
  const status = readFileSync(`/proc/${service.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
const memory = () => Object.fromEntries(Object.values(stack.services).flat().map((service) => [service.name, Math.round(rssMiB(service))]));

try {
  await stack.request(stack.adminKey, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
    input: { id: "bench-chat", displayName: "Bench chat", family: "replay", capabilities: ["CHAT"], contextLength: 4096, engine: { kind: "OPENAI_COMPATIBLE", baseUrl: upstream.baseUrl, upstreamModel: "replay-model" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
  });
  const key = await stack.issueKey("bench-tenant", ["member"]);
  const input = { input: { model: "bench-chat", messages: [{ role: "USER", content: "Count" }], maxTokens: pieces.length } };
  const createCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id } }`;
  const complete = async () => (await stack.post<{ createCompletion: { id: string } | null }>(key, createCompletion, input)).data?.createCompletion != null;
  // Warm-up: every process's code paths compiled, every connection open.
  await runLoad(complete, 200, concurrency);
  const memoryIdle = memory();
  const load = await runLoad(complete, requests, concurrency);
  const meteredAt = performance.now();
  const usageQuery = `query($input: UsageQueryInput!) { usage(input: $input) { totals { requests } } }`;
  const usageInput = { input: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), granularity: "TOTAL", tenantId: "bench-tenant" } };
  await waitFor(async () => (await stack.request<{ usage: { totals: { requests: number } } }>(stack.adminKey, usageQuery, usageInput)).usage.totals.requests >= requests + 200, 120_000, "the usage report");
  const reportLagMillis = performance.now() - meteredAt;

  held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const query = `subscription($input: CompletionInput!) { completionStream(input: $input) { __typename } }`;
  const streams: RunningStream[] = [];
  const clients = Array.from({ length: streamCount }, () => gatewayClient(stack.webSocketUrl, key));
  const streamsStartedAt = performance.now();
  const progress = setInterval(() => console.error(`${Math.round((performance.now() - streamsStartedAt) / 1000)} s: ${streams.filter((stream) => stream.events.length >= 2).length} streams with first events`), 5_000);
  for (let index = 0; index < streamCount; index += 1) streams.push(subscribe(clients[index] as ReturnType<typeof gatewayClient>, query, input));
  await waitFor(() => streams.every((stream) => stream.events.length >= 2), 120_000, "every stream's first events");
  const streamsOpenSeconds = (performance.now() - streamsStartedAt) / 1000;
  clearInterval(progress);
  const placement: Record<string, { running: number; queued: number }> = {};
  for (const replica of stack.services.inference) {
    const samples = await replica.metrics();
    placement[replica.name] = { running: sumOf(samples, "scheduler_running", { kind: "stream" }), queued: sumOf(samples, "scheduler_queue_depth", { kind: "stream" }) };
  }
  const openByGateway = await Promise.all(stack.services.gateway.map(async (gateway) => sumOf(await gateway.metrics(), "gateway_subscriptions_open")));
  const memoryStreams = memory();
  release();
  await Promise.all(streams.map((stream) => stream.ended));
  await Promise.all(clients.map((client) => client.dispose()));

  console.log(
    JSON.stringify(
      {
        processes: Object.values(stack.services).flat().length,
        startSeconds: Math.round(startSeconds * 10) / 10,
        completions: load,
        usageReportCompleteAfterMillis: Math.round(reportLagMillis),
        streams: { count: streamCount, openedInSeconds: Math.round(streamsOpenSeconds * 10) / 10, byInferenceReplica: placement, openByGateway },
        rssMiB: { idle: memoryIdle, withStreamsOpen: memoryStreams },
      },
      null,
      2,
    ),
  );
} finally {
  release();
  await stack.stop();
  await upstream.close();
  await redis.stop();
}

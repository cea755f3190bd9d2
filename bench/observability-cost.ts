/**
 * What Prometheus metrics cost: registry query throughput and streaming tokens/s through the
 * multi-process stack (each service its own process, as `npm start` runs them) with metrics off
 * (METRICS_ENABLED=false: nothing recorded, no /metrics), on (the default) without a scraper, and
 * on while a real Prometheus (test/harness/prometheus-server.ts, on the same machine) scrapes every
 * service every second, 15 times more often than the shipped ServiceMonitor. Tracing is off. Modes run in rounds,
 * interleaved, so drift of a shared machine spreads over all; each figure is the median of its
 * rounds. Beside throughput, the CPU time all five service processes spent per request and per
 * streamed token (from /proc): steadier than throughput when other work shares the machine.
 * First, in this process: the CPU time of the recording calls one request makes (the access line's
 * RED series, a subgraph fetch, the scheduler's observer, one metered call), and of one scrape.
 *
 *   node --import tsx bench/observability-cost.ts [--rounds 3] [--requests 1500] [--concurrency 16] [--streams 8] [--max-tokens 64]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { recordMeteredCall } from "../platform/metrics/generation-metrics.ts";
import { defaultMetricsSettings } from "../platform/metrics/metrics-settings.ts";
import { operationRecorder } from "../platform/metrics/operation-metrics.ts";
import { recordQuotaDecision } from "../platform/metrics/quota-metrics.ts";
import { observeScheduler } from "../platform/metrics/scheduler-metrics.ts";
import { ServiceMetrics } from "../platform/metrics/service-metrics.ts";
import { defineSubgraphFetchMetrics } from "../platform/metrics/subgraph-fetch-metrics.ts";
import { startTestPrometheus, type TestPrometheus } from "../test/harness/prometheus-server.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";
import { describeMachine, measureInterleaved, median, runLoad } from "./measure.ts";
import { cpuTime, startMultiProcessStack, type MultiProcessStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "1500" },
    concurrency: { type: "string", default: "16" },
    streams: { type: "string", default: "8" },
    "max-tokens": { type: "string", default: "64" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const streams = Number(values.streams);
const maxTokens = Number(values["max-tokens"]);

/** Microseconds of CPU per call of `record`, over `iterations` calls after a warm-up. */
function microsecondsPerCall(record: (index: number) => void, iterations = 200_000): number {
  for (let index = 0; index < 10_000; index += 1) record(index);
  const started = process.cpuUsage();
  for (let index = 0; index < iterations; index += 1) record(index);
  const used = process.cpuUsage(started);
  return Math.round(((used.user + used.system) / iterations) * 1000) / 1000;
}

async function recordingCost(): Promise<Record<string, number>> {
  const metrics = new ServiceMetrics("bench", defaultMetricsSettings);
  const operations = operationRecorder(metrics);
  const fetches = metrics.concern(defineSubgraphFetchMetrics);
  const observer = observeScheduler(metrics, "bench-chat")("generate");
  const names = ["Catalogue", "Completion", "Search", "Ingest"];
  const line = (index: number) => ({
    method: "POST", operationName: names[index % names.length], operationType: "query", operationCount: undefined, status: 200, errorCode: undefined, errorCount: 0,
    durationMillis: 3.2, tenantId: "tenant-a", apiKeyId: "key", requestId: "request", traceId: undefined, clientClosed: undefined, sampleRate: undefined,
  });
  const figures = {
    operationMicros: microsecondsPerCall((index) => operations.ended(line(index), [])),
    subgraphFetchMicros: microsecondsPerCall(() => fetches.durationSeconds.observe({ subgraph: "model-registry", outcome: "ok" }, 0.002)),
    schedulerRequestMicros: microsecondsPerCall(() => {
      observer.queueWait(1.5);
      observer.batchSize(4);
      observer.callDuration(20);
      observer.outcome("completed", 1);
    }),
    meteredCallMicros: microsecondsPerCall(() => {
      recordQuotaDecision(metrics, "admitted", "", "tenant-a");
      recordMeteredCall(metrics, {
        modelId: "bench-chat", genAi: { operation: "chat", provider: "llama.cpp", model: "bench-chat" }, operation: "STREAM", status: "SUCCEEDED", tenantId: "tenant-a",
        promptTokens: 40, completionTokens: 64, durationMillis: 900, timeToFirstTokenMillis: 80,
      });
    }),
  };
  const scrapes = 200;
  const started = process.cpuUsage();
  for (let index = 0; index < scrapes; index += 1) await metrics.exposition();
  const used = process.cpuUsage(started);
  return { ...figures, scrapeMillis: Math.round(((used.user + used.system) / scrapes / 1000) * 100) / 100 };
}

const recording = await recordingCost();
console.error(`recording, in-process: ${JSON.stringify(recording)}`);

type Mode = "metrics off" | "metrics on, not scraped" | "metrics on, scraped every 1 s";
const modes: Mode[] = ["metrics off", "metrics on, not scraped", "metrics on, scraped every 1 s"];
const modelsDirectory = await temporaryDirectory("observability-cost-models");
await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });

interface Figures {
  queriesPerSecond: number;
  tokensPerSecond: number;
  /** CPU milliseconds of all service processes per registry query. */
  cpuMillisPerQuery: number;
  /** CPU milliseconds of all service processes per streamed token. */
  cpuMillisPerToken: number;
  /** Tokens Prometheus counted (inference_tokens_total, output) at the end; null with metrics off. */
  tokensCounted: number | null;
  /** Tokens the streams delivered, all rounds' warm-ups included. */
  tokensStreamed: number;
}

function stackCpuMillis(stack: MultiProcessStack): number {
  return Object.values(stack.pids).reduce((sum, pid) => sum + cpuTime(pid).process, 0);
}

async function measure(mode: Mode): Promise<Figures> {
  const metricsOn = mode !== "metrics off";
  const stack = await startMultiProcessStack({
    environment: { DATA_DIR: await temporaryDirectory("observability-cost"), MODELS_DIR: modelsDirectory, LLAMA_CPP_THREADS: "1", OTEL_EXPORTER_OTLP_ENDPOINT: "", METRICS_ENABLED: String(metricsOn) },
  });
  let prometheus: TestPrometheus | undefined;
  try {
    if (mode === "metrics on, scraped every 1 s") {
      prometheus = await startTestPrometheus([
        { job: "gateway", url: new URL(stack.graphqlUrl).origin },
        ...Object.entries(stack.subgraphUrls).map(([name, url]) => ({ job: name, url: new URL(url).origin })),
      ]);
    }
    await stack.request("mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
      input: { id: "bench-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
    });
    const body = JSON.stringify({ query: "query Catalogue { models(first: 20) { nodes { id displayName capabilities contextLength } } }", operationName: "Catalogue" });
    const query = async () => {
      const response = await fetch(stack.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}` }, body });
      const result = (await response.json()) as { errors?: unknown };
      return response.ok && result.errors === undefined;
    };
    await runLoad(query, 200, concurrency);
    const queryCpuBefore = stackCpuMillis(stack);
    const load = await runLoad(query, requests, concurrency);
    const queryCpu = stackCpuMillis(stack) - queryCpuBefore;
    const client = createClient({ url: stack.webSocketUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.key}` }, retryAttempts: 0 });
    const stream = async (seed: number): Promise<number> => {
      let tokens = 0;
      const input = { model: "bench-chat", prompt: "Once upon a time", maxTokens, seed, stop: [] };
      const subscription = "subscription S($input: CompletionInput!) { completionStream(input: $input) { __typename ... on TextEndEvent { completion { usage { completionTokens } } } } }";
      for await (const result of client.iterate({ query: subscription, variables: { input } })) {
        if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
        // Tokens as the usage report counts them (a text delta may carry more than one token).
        tokens += (result.data as { completionStream?: { completion?: { usage: { completionTokens: number } } } } | undefined)?.completionStream?.completion?.usage.completionTokens ?? 0;
      }
      return tokens;
    };
    const warmUpTokens = await stream(0);
    const streamCpuBefore = stackCpuMillis(stack);
    const started = performance.now();
    const counts = await Promise.all(Array.from({ length: streams }, (_, index) => stream(index + 1)));
    const seconds = (performance.now() - started) / 1000;
    const streamCpu = stackCpuMillis(stack) - streamCpuBefore;
    const tokens = counts.reduce((sum, count) => sum + count, 0);
    await client.dispose();
    if (load.errors > 0) throw new Error(`${load.errors} queries failed`);
    let tokensCounted: number | null = null;
    if (prometheus !== undefined) {
      await prometheus.waitForScrapesAfter(Date.now());
      tokensCounted = (await prometheus.query('sum(inference_tokens_total{direction="output"})'))[0]?.value ?? 0;
    }
    return { queriesPerSecond: load.requestsPerSecond, tokensPerSecond: tokens / seconds, cpuMillisPerQuery: queryCpu / requests, cpuMillisPerToken: streamCpu / tokens, tokensCounted, tokensStreamed: tokens + warmUpTokens };
  } finally {
    await prometheus?.stop();
    await stack.stop();
  }
}

const results = await measureInterleaved(modes, rounds, measure, (figures) => `${figures.queriesPerSecond.toFixed(0)} queries/s (${figures.cpuMillisPerQuery.toFixed(2)} CPU ms each), ${figures.tokensPerSecond.toFixed(0)} tokens/s (${figures.cpuMillisPerToken.toFixed(2)} CPU ms each)`);
type Measured = "queriesPerSecond" | "tokensPerSecond" | "cpuMillisPerQuery" | "cpuMillisPerToken";
const medianOf = (mode: Mode, key: Measured) => median((results.get(mode) ?? []).map((figures) => figures[key]));
const changePercent = (mode: Mode, key: Measured) => Math.round((medianOf(mode, key) / medianOf("metrics off", key) - 1) * 1000) / 10;
const table = modes.map((mode) => ({
  mode,
  queriesPerSecond: Math.round(medianOf(mode, "queriesPerSecond")),
  queryChangePercent: changePercent(mode, "queriesPerSecond"),
  cpuMillisPerQuery: Math.round(medianOf(mode, "cpuMillisPerQuery") * 100) / 100,
  queryCpuChangePercent: changePercent(mode, "cpuMillisPerQuery"),
  tokensPerSecond: Math.round(medianOf(mode, "tokensPerSecond")),
  tokenChangePercent: changePercent(mode, "tokensPerSecond"),
  cpuMillisPerToken: Math.round(medianOf(mode, "cpuMillisPerToken") * 100) / 100,
  tokenCpuChangePercent: changePercent(mode, "cpuMillisPerToken"),
  rounds: (results.get(mode) ?? []).map((figures) => [Math.round(figures.queriesPerSecond), Math.round(figures.tokensPerSecond)]),
  // With metrics on, Prometheus' token counter against what the streams delivered: they must agree.
  tokensCountedVersusStreamed: (results.get(mode) ?? []).map((figures) => [figures.tokensCounted, figures.tokensStreamed]),
}));
console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), settings: { rounds, requests, concurrency, streams, maxTokens }, recordingCpuMicrosecondsPerCall: recording, results: table }, null, 2));

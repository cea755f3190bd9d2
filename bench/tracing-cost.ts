/**
 * What metrics and tracing cost: CPU per registry query and per streamed token of the multi-process
 * stack (each service its own process, running its bundle from dist/ as `npm start` and the images
 * do), measured in pairs. Two stacks run
 * side by side on the same machine, a baseline with metrics and tracing off and one with the mode
 * under test, and every round sends the same load to both at the same time (queries alternate
 * between the two; streams run on both at once). Each round gives the ratio of the two stacks' CPU
 * per query and per token: whatever the machine does during the round (on a shared 2-core VM its
 * speed wandered by ±40 % between runs) it does to both, and cancels out. The first pair is the
 * baseline against itself: its spread is the precision of the method. Medians of the rounds.
 *
 * CPU is what all five service processes spent (user + system, /proc). On a machine the stack
 * saturates, throughput is inversely proportional to it: a ratio r means 1/r of the baseline's
 * queries/s or tokens/s.
 *
 * Spans go over OTLP/HTTP to a real receiver (test/harness/otlp-receiver.ts) in this process.
 * Streams come from a FAKE OpenAI-compatible server in this process (ReplayOpenAIServer, a test
 * double), not a model: a model's decoding would hide the services' own per-token cost, which is
 * what tracing can add to; the fake's CPU is not counted. It paces its tokens as an engine does
 * (one every `--token-interval-millis`), so every token is an event of its own through inference,
 * the gateway and graphql-ws. Sent all at once (0), the services coalesce them by timing, and the
 * CPU per token of two identical stacks differed by −22 … +47 % between rounds.
 *
 *   node --import tsx bench/tracing-cost.ts [--rounds 10] [--requests 5000] [--concurrency 16] [--streams 16] [--max-tokens 1000] [--token-interval-millis 4] [--modes metrics,...] [--typescript]
 */
import type { ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ReplayOpenAIServer, type ReplayedRequest } from "../test/engines/openai-compatible/replay-openai-server.ts";
import { completionChunk, usageChunk, writeEvents } from "../test/engines/openai-compatible/wire-format.ts";
import { startOtlpReceiver } from "../test/harness/otlp-receiver.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";
import { describeMachine, median, percentile, sendAlternately } from "./measure.ts";
import { buildServices } from "../scripts/build/build-services.ts";
import { cpuTime, startMultiProcessStack, type MultiProcessStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "16" },
    streams: { type: "string", default: "16" },
    "max-tokens": { type: "string", default: "1000" },
    "token-interval-millis": { type: "string", default: "4" },
    /** Which pairs to run, comma-separated (default: all, the control first). */
    modes: { type: "string" },
    /** Run the services' TypeScript through tsx instead of their bundles (the test suite's layout). */
    typescript: { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
/** Queries per stack per round. */
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
/** Streams per stack per round. */
const streams = Number(values.streams);
/** Tokens per stream. */
const maxTokens = Number(values["max-tokens"]);
/**
 * The fake engine's pause between tokens. At 0 (all at once) a stream's events wait in the
 * gateway's per-client buffer (256 events) while this process reads: 512 tokens outran it and the
 * gateway ended streams with SUBSCRIPTION_BUFFER_OVERFLOW, as it should for a slow client.
 */
const tokenIntervalMillis = Number(values["token-interval-millis"]);
const compiled = values.typescript !== true;
if (compiled) await buildServices();

type Mode = "baseline (control)" | "metrics" | "metrics + tracing 1 %" | "metrics + tracing 100 %";
const allModes: Mode[] = ["baseline (control)", "metrics", "metrics + tracing 1 %", "metrics + tracing 100 %"];
const modeNames: Record<string, Mode> = { control: "baseline (control)", metrics: "metrics", "tracing-1": "metrics + tracing 1 %", "tracing-100": "metrics + tracing 100 %" };
const modes: Mode[] =
  values.modes === undefined
    ? allModes
    : values.modes.split(",").map((name) => {
        const mode = modeNames[name.trim()];
        if (mode === undefined) throw new Error(`--modes: unknown mode "${name}" (known: ${Object.keys(modeNames).join(", ")})`);
        return mode;
      });
const receiver = await startOtlpReceiver();
const upstream = await ReplayOpenAIServer.start();
upstream.replyAlways("/v1/completions", async (request: ReplayedRequest, response: ServerResponse) => {
  const tokens = Number((request.body as { max_tokens?: number }).max_tokens ?? maxTokens);
  await writeEvents(response, [...Array.from({ length: tokens }, (_, index) => completionChunk(`t${index} `)), completionChunk("", "length"), usageChunk({ prompt_tokens: 4, completion_tokens: tokens }, "text_completion"), "[DONE]"], { intervalMillis: tokenIntervalMillis });
});

const untraced: NodeJS.ProcessEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_SERVICE_NAME: "" };
function environmentOf(mode: Mode): NodeJS.ProcessEnv {
  switch (mode) {
    case "baseline (control)":
      return { ...untraced, METRICS_ENABLED: "false" };
    case "metrics":
      return { ...untraced, METRICS_ENABLED: "true" };
    case "metrics + tracing 1 %":
    case "metrics + tracing 100 %":
      return {
        METRICS_ENABLED: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_SERVICE_NAME: "",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: mode === "metrics + tracing 1 %" ? "0.01" : "1",
      };
  }
}

function stackCpuMillis(stack: MultiProcessStack): number {
  return totalOf(serviceCpuMillis(stack));
}

/** The sum over services. */
function totalOf(perService: Record<string, number>): number {
  return Object.values(perService).reduce((sum, cpu) => sum + cpu, 0);
}

/** CPU milliseconds each service's process has used so far, by service name. */
function serviceCpuMillis(stack: MultiProcessStack): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.pids).map(([service, pid]) => [service, cpuTime(pid).process]));
}

const catalogueQuery = JSON.stringify({ query: "query Catalogue { models(first: 20) { nodes { id displayName capabilities contextLength } } }", operationName: "Catalogue" });

async function query(stack: MultiProcessStack): Promise<void> {
  const response = await fetch(stack.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}` }, body: catalogueQuery });
  const result = (await response.json()) as { errors?: unknown };
  if (!response.ok || result.errors !== undefined) throw new Error(`query failed: ${response.status} ${JSON.stringify(result.errors)}`);
}

/** Starts a stack with the benchmark's model and serves one request of each kind, as deployed replicas have. */
async function startStack(mode: Mode): Promise<MultiProcessStack> {
  const stack = await startMultiProcessStack({ environment: { DATA_DIR: await temporaryDirectory("tracing-cost"), ...environmentOf(mode) }, compiled });
  await stack.request("mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
    input: { id: "bench-chat", displayName: "Chat", family: "llama", capabilities: ["COMPLETION"], contextLength: 8192, engine: { kind: "OPENAI_COMPATIBLE", baseUrl: upstream.baseUrl, upstreamModel: "replay-model" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
  });
  // One HTTP request to the inference subgraph, as every replica serves in production: it turns on
  // the request logger's AsyncLocalStorage in that process too.
  await stack.request(`query { tokenCounts(model: "bench-chat", texts: ["warm up"]) }`);
  return stack;
}

/** `count` queries to each stack, alternating between them, `concurrency` in flight in all. */
function queryBoth(stacks: readonly [MultiProcessStack, MultiProcessStack], count: number): Promise<void> {
  return sendAlternately(count, concurrency, (target) => query(stacks[target]));
}

async function streamTokens(stack: MultiProcessStack, count: number): Promise<number> {
  const client = createClient({ url: stack.webSocketUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.key}` }, retryAttempts: 0 });
  const stream = async (seed: number): Promise<number> => {
    let tokens = 0;
    const input = { model: "bench-chat", prompt: "Once upon a time", maxTokens, seed, stop: [] };
    for await (const result of client.iterate({ query: "subscription S($input: CompletionInput!) { completionStream(input: $input) { __typename } }", variables: { input } })) {
      if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
      if ((result.data as { completionStream?: { __typename?: string } } | undefined)?.completionStream?.__typename === "TextDeltaEvent") tokens += 1;
    }
    return tokens;
  };
  try {
    const counts = await Promise.all(Array.from({ length: count }, (_, index) => stream(index + 1)));
    return counts.reduce((sum, tokens) => sum + tokens, 0);
  } finally {
    await client.dispose();
  }
}

interface Round {
  baselineCpuMillisPerQuery: number;
  cpuMillisPerQuery: number;
  /** Per service: the baseline's and the measured stack's CPU milliseconds per query. */
  byService: Record<string, { baseline: number; measured: number }>;
  baselineCpuMillisPerToken: number;
  cpuMillisPerToken: number;
}

async function measurePair(mode: Mode): Promise<Round[]> {
  const baseline = await startStack("baseline (control)");
  const measured = await startStack(mode);
  const pair = [baseline, measured] as const;
  try {
    await queryBoth(pair, 2000);
    await Promise.all(pair.map((stack) => streamTokens(stack, 2)));
    const measuredRounds: Round[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const before = pair.map(serviceCpuMillis);
      await queryBoth(pair, requests);
      const after = pair.map(serviceCpuMillis);
      // Each stack's CPU per query by service, from one read of /proc before and one after.
      const [baselinePerQuery, measuredPerQuery] = [0, 1].map((index) =>
        Object.fromEntries(Object.keys(baseline.pids).map((service) => [service, ((after[index]?.[service] ?? 0) - (before[index]?.[service] ?? 0)) / requests])),
      ) as [Record<string, number>, Record<string, number>];
      const byService = Object.fromEntries(Object.keys(baseline.pids).map((service) => [service, { baseline: baselinePerQuery[service] ?? 0, measured: measuredPerQuery[service] ?? 0 }]));
      const streamCpu = pair.map(stackCpuMillis);
      const tokens = await Promise.all(pair.map((stack) => streamTokens(stack, streams)));
      const [baselineStreamCpu, measuredStreamCpu] = pair.map((stack, index) => stackCpuMillis(stack) - (streamCpu[index] ?? 0));
      const figures: Round = {
        baselineCpuMillisPerQuery: totalOf(baselinePerQuery),
        cpuMillisPerQuery: totalOf(measuredPerQuery),
        byService,
        baselineCpuMillisPerToken: (baselineStreamCpu ?? 0) / (tokens[0] ?? 1),
        cpuMillisPerToken: (measuredStreamCpu ?? 0) / (tokens[1] ?? 1),
      };
      measuredRounds.push(figures);
      console.error(
        `${mode}, round ${round + 1}: query ${figures.baselineCpuMillisPerQuery.toFixed(3)} → ${figures.cpuMillisPerQuery.toFixed(3)} CPU ms, token ${figures.baselineCpuMillisPerToken.toFixed(4)} → ${figures.cpuMillisPerToken.toFixed(4)} CPU ms`,
      );
    }
    return measuredRounds;
  } finally {
    await Promise.all(pair.map((stack) => stack.stop()));
  }
}

const percentChange = (ratio: number) => Math.round((ratio - 1) * 1000) / 10;
const results = [];
for (const mode of modes) {
  const measuredRounds = await measurePair(mode);
  const queryRatios = measuredRounds.map((round) => round.cpuMillisPerQuery / round.baselineCpuMillisPerQuery).sort((left, right) => left - right);
  const tokenRatios = measuredRounds.map((round) => round.cpuMillisPerToken / round.baselineCpuMillisPerToken).sort((left, right) => left - right);
  results.push({
    mode,
    baselineCpuMillisPerQuery: Math.round(median(measuredRounds.map((round) => round.baselineCpuMillisPerQuery)) * 1000) / 1000,
    queryCpuChangePercent: percentChange(median(queryRatios)),
    queryCpuChangeInterquartilePercent: [percentChange(percentile(queryRatios, 0.25)), percentChange(percentile(queryRatios, 0.75))],
    // Where a query's change lands: each service's median CPU per query (µs) in the baseline, and the
    // median of its rounds' differences (the measured stack's minus the baseline's, µs per query).
    queryCpuByService: Object.fromEntries(
      Object.keys(measuredRounds[0]?.byService ?? {}).map((service) => {
        const rounds = measuredRounds.map((round) => round.byService[service] ?? { baseline: 0, measured: 0 });
        return [
          service,
          {
            baselineMicroseconds: Math.round(median(rounds.map((round) => round.baseline * 1000))),
            changeMicroseconds: Math.round(median(rounds.map((round) => (round.measured - round.baseline) * 1000))),
          },
        ];
      }),
    ),
    baselineCpuMillisPerToken: Math.round(median(measuredRounds.map((round) => round.baselineCpuMillisPerToken)) * 10000) / 10000,
    tokenCpuChangePercent: percentChange(median(tokenRatios)),
    tokenCpuChangeInterquartilePercent: [percentChange(percentile(tokenRatios, 0.25)), percentChange(percentile(tokenRatios, 0.75))],
  });
}
console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), node: process.version, settings: { rounds, requests, concurrency, streams, maxTokens, tokenIntervalMillis, modes, layout: compiled ? "dist bundles" : "TypeScript through tsx" }, spansReceived: receiver.spans().length, results }, null, 2));
await receiver.close();
await upstream.close();

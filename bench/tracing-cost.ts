/**
 * What tracing costs: registry query throughput and streaming tokens/s through the multi-process
 * stack (each service its own process, as `npm start` runs them) with tracing off, on at 100 %
 * sampling and on at 1 % (OTEL_TRACES_SAMPLER=traceidratio), spans exported over OTLP/HTTP to a
 * real receiver (test/harness/otlp-receiver.ts) in this process. Modes run in rounds, interleaved,
 * so drift of a shared machine spreads over all of them; each figure is the median of its rounds.
 * Beside throughput, the CPU time all five service processes spent per request and per streamed
 * token (from /proc): steadier than throughput when other work shares the machine.
 *
 * Streams come from a FAKE OpenAI-compatible server in this process (ReplayOpenAIServer, a test
 * double sending every token at once), not a model: a model's decoding (whose speed wanders by tens
 * of percent between runs on two shared cores) would hide the services' own per-token cost, which is
 * what tracing can add to; the fake's CPU is not counted.
 *
 *   node --import tsx bench/tracing-cost.ts [--rounds 3] [--requests 1500] [--concurrency 16] [--streams 16] [--max-tokens 256]
 */
import type { ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ReplayOpenAIServer, type ReplayedRequest } from "../test/engines/openai-compatible/replay-openai-server.ts";
import { completionChunk, usageChunk, writeEvents } from "../test/engines/openai-compatible/wire-format.ts";
import { startOtlpReceiver } from "../test/harness/otlp-receiver.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";
import { describeMachine, measureInterleaved, median, runLoad } from "./measure.ts";
import { cpuTime, startMultiProcessStack, type MultiProcessStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "1500" },
    concurrency: { type: "string", default: "16" },
    streams: { type: "string", default: "16" },
    "max-tokens": { type: "string", default: "256" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const streams = Number(values.streams);
const maxTokens = Number(values["max-tokens"]);

type Mode = "off" | "on, 100 %" | "on, 1 %";
const modes: Mode[] = ["off", "on, 100 %", "on, 1 %"];
const receiver = await startOtlpReceiver();
const upstream = await ReplayOpenAIServer.start();
upstream.replyAlways("/v1/completions", async (request: ReplayedRequest, response: ServerResponse) => {
  const tokens = Number((request.body as { max_tokens?: number }).max_tokens ?? maxTokens);
  await writeEvents(response, [...Array.from({ length: tokens }, (_, index) => completionChunk(`t${index} `)), completionChunk("", "length"), usageChunk({ prompt_tokens: 4, completion_tokens: tokens }, "text_completion"), "[DONE]"]);
});

function tracingEnvironment(mode: Mode): NodeJS.ProcessEnv {
  if (mode === "off") return { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_SERVICE_NAME: "" };
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_SERVICE_NAME: "",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: mode === "on, 1 %" ? "0.01" : "1",
  };
}

interface Figures {
  queriesPerSecond: number;
  tokensPerSecond: number;
  /** CPU milliseconds of all service processes per registry query. */
  cpuMillisPerQuery: number;
  /** CPU milliseconds of all service processes per streamed token. */
  cpuMillisPerToken: number;
}

function stackCpuMillis(stack: MultiProcessStack): number {
  return Object.values(stack.pids).reduce((sum, pid) => sum + cpuTime(pid).process, 0);
}

async function measure(mode: Mode): Promise<Figures> {
  const stack = await startMultiProcessStack({ environment: { DATA_DIR: await temporaryDirectory("tracing-cost"), ...tracingEnvironment(mode) } });
  try {
    await stack.request("mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
      input: { id: "bench-chat", displayName: "Chat", family: "llama", capabilities: ["COMPLETION"], contextLength: 8192, engine: { kind: "OPENAI_COMPATIBLE", baseUrl: upstream.baseUrl, upstreamModel: "replay-model" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
    });
    // One HTTP request to the inference subgraph, as every replica serves in production: it turns on
    // the request logger's AsyncLocalStorage (and so Node 20's promise hooks) in that process too.
    // Without it a streams-only inference process runs with no promise hooks while tracing is off,
    // and the comparison charges tracing for hooks every deployed replica already pays for.
    await stack.request(`query { tokenCounts(model: "bench-chat", texts: ["warm up"]) }`);
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
      for await (const result of client.iterate({ query: "subscription S($input: CompletionInput!) { completionStream(input: $input) { __typename } }", variables: { input } })) {
        if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
        if ((result.data as { completionStream?: { __typename?: string } } | undefined)?.completionStream?.__typename === "TextDeltaEvent") tokens += 1;
      }
      return tokens;
    };
    await stream(0);
    const streamCpuBefore = stackCpuMillis(stack);
    const started = performance.now();
    const counts = await Promise.all(Array.from({ length: streams }, (_, index) => stream(index + 1)));
    const seconds = (performance.now() - started) / 1000;
    const streamCpu = stackCpuMillis(stack) - streamCpuBefore;
    const tokens = counts.reduce((sum, count) => sum + count, 0);
    await client.dispose();
    if (load.errors > 0) throw new Error(`${load.errors} queries failed`);
    return { queriesPerSecond: load.requestsPerSecond, tokensPerSecond: tokens / seconds, cpuMillisPerQuery: queryCpu / requests, cpuMillisPerToken: streamCpu / tokens };
  } finally {
    await stack.stop();
  }
}

const results = await measureInterleaved(modes, rounds, measure, (figures) => `${figures.queriesPerSecond.toFixed(0)} queries/s (${figures.cpuMillisPerQuery.toFixed(2)} CPU ms each), ${figures.tokensPerSecond.toFixed(0)} tokens/s (${figures.cpuMillisPerToken.toFixed(2)} CPU ms each)`);
const medianOf = (mode: Mode, key: keyof Figures) => median((results.get(mode) ?? []).map((figures) => figures[key]));
const changePercent = (mode: Mode, key: keyof Figures) => Math.round((medianOf(mode, key) / medianOf("off", key) - 1) * 1000) / 10;
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
}));
console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), settings: { rounds, requests, concurrency, streams, maxTokens }, spansReceived: receiver.spans().length, results: table }, null, 2));
await receiver.close();
await upstream.close();

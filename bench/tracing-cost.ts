/**
 * What tracing costs: registry query throughput and streaming tokens/s through the multi-process
 * stack (each service its own process, as `npm start` runs them) with tracing off, on at 100 %
 * sampling and on at 1 % (OTEL_TRACES_SAMPLER=traceidratio), spans exported over OTLP/HTTP to a
 * real receiver (test/harness/otlp-receiver.ts) in this process. Modes run in rounds, interleaved,
 * so drift of a shared machine spreads over all of them; each figure is the median of its rounds.
 * Beside throughput, the CPU time all five service processes spent per request and per streamed
 * token (from /proc): steadier than throughput when other work shares the machine.
 *
 *   node --import tsx bench/tracing-cost.ts [--rounds 3] [--requests 1500] [--concurrency 16] [--streams 8] [--max-tokens 64]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { startOtlpReceiver } from "../test/harness/otlp-receiver.ts";
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

type Mode = "off" | "on, 100 %" | "on, 1 %";
const modes: Mode[] = ["off", "on, 100 %", "on, 1 %"];
const modelsDirectory = await temporaryDirectory("tracing-cost-models");
await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
const receiver = await startOtlpReceiver();

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
  const stack = await startMultiProcessStack({ environment: { DATA_DIR: await temporaryDirectory("tracing-cost"), MODELS_DIR: modelsDirectory, LLAMA_CPP_THREADS: "1", ...tracingEnvironment(mode) } });
  try {
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

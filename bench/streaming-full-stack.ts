/**
 * Streamed generation through the whole stack (graphql-ws client → gateway → inference subgraph →
 * scheduler → llama.cpp) versus the llama.cpp engine called directly, on a generated ~100M model.
 * Both paths run in alternating rounds at each level, on one machine; the direct engine is opened on the
 * same file (the loaded weights are shared) with the same sequences and threads.
 *
 *   node --import tsx bench/streaming-full-stack.ts [--concurrency 1,16,64] [--max-tokens 32] [--preset bench] [--threads N]
 *
 * Prints one JSON document: per path and level, tokens per second and time to first token p50/p99.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { print, type ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createGraphClient, graphql } from "../client/index.ts";
import type { GenerationRequest } from "../engines/engine.ts";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { generateModel, isModelPresetName, modelPresets } from "../engines/gguf/generate-model.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { startBenchStack } from "./bench-stack.ts";
import { describeMachine, percentile } from "./measure.ts";

const BenchStream = graphql(`
  subscription BenchStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextEndEvent { completion { usage { completionTokens } } }
    }
  }
`);
const BenchRegister = graphql(`
  mutation BenchRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }
`);

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "1,16,64" },
    "max-tokens": { type: "string", default: "32" },
    preset: { type: "string", default: "bench" },
    // The service's default (LLAMA_CPP_THREADS): every core but one.
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
  },
});
const levels = values.concurrency.split(",").map(Number);
const maxTokens = Number(values["max-tokens"]);
const sequences = Math.max(...levels);
if (!isModelPresetName(values.preset)) throw new Error(`--preset must be tiny, small or bench`);
const preset = values.preset;
const contextLength = 256;

const directory = await mkdtemp(join(tmpdir(), "bench-streaming-"));
const modelFile = join(directory, "models", "bench.gguf");
const model = await generateModel({ ...modelPresets[preset], outputPath: modelFile });
const stack = await startBenchStack({
  DATA_DIR: directory,
  MODELS_DIR: join(directory, "models"),
  LLAMA_CPP_SEQUENCES: String(sequences),
  LLAMA_CPP_THREADS: values.threads,
  LLAMA_CPP_MAX_CONTEXT_LENGTH: String(contextLength),
});
const { gateway, key } = stack;
await createGraphClient({ url: gateway.graphqlUrl, apiKey: key }).request(BenchRegister, {
  input: {
    id: "bench",
    displayName: "Bench",
    family: "llama",
    capabilities: ["COMPLETION"],
    contextLength,
    engine: { kind: "LLAMA_CPP", modelPath: "bench.gguf" },
    pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 },
  },
});
const direct = await LlamaCppEngine.open({ modelPath: modelFile, contextLength, sequences, threads: Number(values.threads) });
// Not lazy: the client keeps its socket open between streams, as an app does while it streams
// (a lazy client closes when its last operation ends and would pay a handshake per stream).
const client = createClient({ url: gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false });

interface Measure {
  firstTokenMillis: number;
  tokens: number;
}

async function throughStack(index: number): Promise<Measure> {
  const start = performance.now();
  let firstTokenMillis = Number.NaN;
  let tokens = 0;
  const input = { model: "bench", prompt: `Request ${index}: the quick brown fox jumps over the lazy dog and`, maxTokens, seed: index, temperature: 0.8 };
  for await (const result of client.iterate({ query: print(BenchStream), variables: { input } }) as AsyncIterable<ExecutionResult<{ completionStream: { __typename: string; completion?: { usage: { completionTokens: number } } } }>>) {
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
    const event = result.data?.completionStream;
    if (event?.__typename === "TextDeltaEvent" && Number.isNaN(firstTokenMillis)) firstTokenMillis = performance.now() - start;
    if (event?.__typename === "TextEndEvent") tokens = event.completion?.usage.completionTokens ?? 0;
  }
  return { firstTokenMillis, tokens };
}

async function directly(index: number): Promise<Measure> {
  const start = performance.now();
  let firstTokenMillis = Number.NaN;
  const request: GenerationRequest = { prompt: { kind: "text", text: `Request ${index}: the quick brown fox jumps over the lazy dog and` }, parameters: { maxTokens, seed: index, temperature: 0.8 } };
  for await (const event of direct.streamGeneration(request)) {
    if (event.type === "text-delta" && Number.isNaN(firstTokenMillis)) firstTokenMillis = performance.now() - start;
    if (event.type === "text-end") return { firstTokenMillis, tokens: event.result.usage.completionTokens };
  }
  throw new Error("no text-end");
}

/** Runs `requests` streams, `concurrency` at a time; returns their measures and the wall time. */
async function batch(run: (index: number) => Promise<Measure>, concurrency: number, requests: number, firstIndex: number) {
  const measures: Measure[] = [];
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < requests) {
        started += 1;
        measures.push(await run(firstIndex + started));
      }
    }),
  );
  return { measures, seconds: (performance.now() - begin) / 1000 };
}

/**
 * Both paths at one concurrency, in alternating rounds (direct, stack, direct, stack...) so that a
 * drift of the machine's speed during the run falls on both alike.
 */
async function level(concurrency: number) {
  const rounds = concurrency === 1 ? 4 : 2;
  const requestsPerRound = Math.max(15, concurrency);
  const totals = { direct: { measures: [] as Measure[], seconds: 0 }, fullStack: { measures: [] as Measure[], seconds: 0 } };
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of [["direct", directly], ["fullStack", throughStack]] as const) {
      const result = await batch(run, concurrency, requestsPerRound, round * requestsPerRound);
      totals[name].measures.push(...result.measures);
      totals[name].seconds += result.seconds;
    }
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  const summary = ({ measures, seconds }: { measures: Measure[]; seconds: number }) => {
    const tokens = measures.reduce((sum, measure) => sum + measure.tokens, 0);
    const firstTokens = measures.map((measure) => measure.firstTokenMillis).sort((left, right) => left - right);
    return { requests: measures.length, tokens, seconds: round(seconds), tokensPerSecond: round(tokens / seconds), timeToFirstTokenMillis: { p50: round(percentile(firstTokens, 0.5)), p99: round(percentile(firstTokens, 0.99)) } };
  };
  return { direct: summary(totals.direct), fullStack: summary(totals.fullStack) };
}

try {
  await throughStack(0); // warm-up: engine load and first-use allocations
  await directly(0);
  const results = [];
  for (const concurrency of levels) {
    const { direct: viaDirect, fullStack: viaStack } = await level(concurrency);
    results.push({ concurrency, direct: viaDirect, fullStack: viaStack, throughputRatio: Math.round((viaStack.tokensPerSecond / viaDirect.tokensPerSecond) * 1000) / 1000, addedTimeToFirstTokenP50Millis: Math.round((viaStack.timeToFirstTokenMillis.p50 - viaDirect.timeToFirstTokenMillis.p50) * 100) / 100 });
  }
  console.log(JSON.stringify({ benchmark: "streaming-full-stack", machine: await describeMachine(), model: { preset, parameters: model.parameterCount }, maxTokens, sequences, threads: Number(values.threads), results }, null, 2));
} finally {
  await client.dispose();
  await direct.close();
  await stack.stop();
  await rm(directory, { recursive: true, force: true });
}

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
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createGraphClient } from "../packages/client/src/index.ts";
import { graphql } from "../client/generated/index.ts";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { generateModel, isModelPresetName, modelPresets } from "../engines/gguf/generate-model.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { startBenchStack } from "./bench-stack.ts";
import { describeMachine } from "./measure.ts";
import { alternatingRounds, compareStreams, streamDirectly, streamThroughGraphql } from "./streaming-rounds.ts";

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

const input = (index: number) => ({ model: "bench", prompt: `Request ${index}: the quick brown fox jumps over the lazy dog and`, maxTokens, seed: index, temperature: 0.8 });
const throughStack = (index: number) => streamThroughGraphql(client, input(index));
const directly = (index: number) => streamDirectly(direct, { prompt: { kind: "text", text: input(index).prompt }, parameters: { maxTokens, seed: index, temperature: 0.8 } });

async function level(concurrency: number) {
  const { direct: viaDirect, fullStack: viaStack } = await alternatingRounds([["direct", directly], ["fullStack", throughStack]], concurrency, concurrency === 1 ? 4 : 2, Math.max(15, concurrency));
  return { direct: viaDirect, fullStack: viaStack };
}

try {
  await throughStack(0); // warm-up: engine load and first-use allocations
  await directly(0);
  const results = [];
  for (const concurrency of levels) {
    const { direct: viaDirect, fullStack: viaStack } = await level(concurrency);
    results.push({ concurrency, direct: viaDirect, fullStack: viaStack, ...compareStreams(viaDirect, viaStack) });
  }
  console.log(JSON.stringify({ benchmark: "streaming-full-stack", machine: await describeMachine(), model: { preset, parameters: model.parameterCount }, maxTokens, sequences, threads: Number(values.threads), results }, null, 2));
} finally {
  await client.dispose();
  await direct.close();
  await stack.stop();
  await rm(directory, { recursive: true, force: true });
}

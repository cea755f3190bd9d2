/**
 * Streamed generation on a real model (SmolLM2-135M-Instruct Q4_1) in the layout `npm start`
 * runs: the gateway and each subgraph in its own Node.js process (see multi-process-stack.ts),
 * against the llama.cpp engine called directly in the benchmark's process with the inference
 * service's settings (LLAMA_CPP_THREADS: cores − 1; LLAMA_CPP_SEQUENCES: 8; context 8192).
 * Paths run in alternating rounds at each level:
 * - `direct`: LlamaCppEngine in this process;
 * - `stack`: graphql-ws client (socket kept open) → gateway process → inference process;
 * - `subgraph` (with `--subgraph-path`): graphql-ws client → inference process, with a signed
 *   context, skipping the gateway: splits the two hops;
 * - `compared` (with `--compare-root DIR`): a second multi-process stack started from another
 *   checkout (with node_modules), e.g. the commit before a change, so both versions meet the same
 *   drift of a shared machine.
 *
 *   node --import tsx bench/streaming-multi-process.ts [--concurrency 1,8,64] [--max-tokens 32]
 *     [--threads N] [--sequences 8] [--subgraph-path] [--compare-root DIR] [--cpu-prof-dir DIR]
 *
 * `--cpu-prof-dir` starts the gateway and inference processes with `--cpu-prof`: profiles are written
 * to `<dir>/<service>/` when they stop, one per thread (the largest is the main thread's; tsx's
 * loader thread writes a small one). Prints one JSON document.
 */
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { loadCommonConfig } from "../platform/config/common-config.ts";
import { internalContextHeader, InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";
import { describeMachine } from "./measure.ts";
import { cpuTime, startRealModelStack, type CpuTime } from "./multi-process-stack.ts";
import { alternatingRounds, compareStreams, streamDirectly, streamThroughGraphql, type StreamMeasure } from "./streaming-rounds.ts";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "1,8,64" },
    "max-tokens": { type: "string", default: "32" },
    // The inference service's defaults (LLAMA_CPP_THREADS, LLAMA_CPP_SEQUENCES, LLAMA_CPP_MAX_CONTEXT_LENGTH).
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
    sequences: { type: "string", default: "8" },
    "context-length": { type: "string", default: "8192" },
    rounds: { type: "string" },
    "subgraph-path": { type: "boolean", default: false },
    "compare-root": { type: "string" },
    "cpu-prof-dir": { type: "string" },
  },
});
const levels = values.concurrency.split(",").map(Number);
const maxTokens = Number(values["max-tokens"]);
const threads = Number(values.threads);
const sequences = Number(values.sequences);
const contextLength = Number(values["context-length"]);

const profileDirectory = values["cpu-prof-dir"];
const profiled = profileDirectory === undefined ? undefined : Object.fromEntries(["gateway", "inference"].map((name) => [name, ["--cpu-prof", `--cpu-prof-dir=${join(profileDirectory, name)}`]]));
const engineSettings = { LLAMA_CPP_THREADS: String(threads), LLAMA_CPP_SEQUENCES: String(sequences), LLAMA_CPP_MAX_CONTEXT_LENGTH: String(contextLength) };
const real = await startRealModelStack({
  environment: engineSettings,
  ...(profiled === undefined ? {} : { nodeArguments: profiled }),
});
const { stack, chatModelPath } = real;
const compareRoot = values["compare-root"];
const compared = compareRoot === undefined ? undefined : await startRealModelStack({ environment: engineSettings, root: compareRoot });
const direct = await LlamaCppEngine.open({ modelPath: chatModelPath, contextLength, sequences, threads });
const client = real.gatewayClient();
const signer = new InternalContextSigner(await resolveSigningSecret(loadCommonConfig({ ...process.env, ...real.environment })));
const subgraphClient = createClient({
  url: (stack.subgraphUrls.inference ?? "").replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  lazy: false,
  connectionParams: { [internalContextHeader]: signer.sign({ requestId: "bench", tenantId: "bench", apiKeyId: "bench", roles: ["member"] }) },
});

const prompt = (index: number) => `Story ${index}. Once upon a time, in a small village by the sea, there lived an old fisherman who`;
const input = (index: number) => ({ model: "smollm2", prompt: prompt(index), maxTokens, seed: index, temperature: 0.8 });
const paths: [string, (index: number) => Promise<StreamMeasure>][] = [
  ["direct", (index) => streamDirectly(direct, { prompt: { kind: "text", text: prompt(index) }, parameters: { maxTokens, seed: index, temperature: 0.8 } })],
  ["stack", (index) => streamThroughGraphql(client, input(index))],
];
if (values["subgraph-path"]) paths.push(["subgraph", (index) => streamThroughGraphql(subgraphClient, input(index))]);
if (compared !== undefined) {
  const comparedClient = compared.gatewayClient();
  paths.push(["compared", (index) => streamThroughGraphql(comparedClient, input(index))]);
}

/**
 * CPU time each process (and its main thread) spent during each path's rounds, per token streamed:
 * what each hop costs in CPU, beside what it costs in time.
 */
const processes: Record<string, number> = { bench: process.pid, ...stack.pids, ...Object.fromEntries(Object.entries(compared?.stack.pids ?? {}).map(([name, pid]) => [`compared ${name}`, pid])) };
function cpuAccounting() {
  const spent = new Map<string, Record<string, CpuTime>>();
  let started: Record<string, CpuTime> = {};
  const now = () => Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuTime(pid)]));
  return {
    hooks: {
      before: () => {
        started = now();
      },
      after: (path: string) => {
        const ended = now();
        const total = spent.get(path) ?? {};
        for (const [name, time] of Object.entries(ended)) {
          const previous = total[name] ?? { process: 0, mainThread: 0 };
          total[name] = { process: previous.process + time.process - started[name]!.process, mainThread: previous.mainThread + time.mainThread - started[name]!.mainThread };
        }
        spent.set(path, total);
      },
    },
    perToken: (path: string, tokens: number) =>
      Object.fromEntries(
        Object.entries(spent.get(path) ?? {}).map(([name, time]) => [name, { process: Math.round((time.process / tokens) * 1000) / 1000, mainThread: Math.round((time.mainThread / tokens) * 1000) / 1000 }]),
      ),
  };
}

try {
  for (const [, run] of paths) await run(0); // warm-up: engine load and first-use allocations
  const results = [];
  for (const concurrency of levels) {
    const rounds = values.rounds === undefined ? (concurrency === 1 ? 4 : 2) : Number(values.rounds);
    const cpu = cpuAccounting();
    const summaries = await alternatingRounds(paths, concurrency, rounds, Math.max(15, concurrency), cpu.hooks);
    const { direct: viaDirect, stack: viaStack, subgraph: viaSubgraph, compared: viaCompared } = summaries as Record<string, (typeof summaries)[string]>;
    results.push({
      concurrency,
      ...summaries,
      cpuMillisPerToken: Object.fromEntries(Object.entries(summaries).map(([path, summary]) => [path, cpu.perToken(path, summary.tokens)])),
      stack: { ...viaStack, ...compareStreams(viaDirect!, viaStack!) },
      ...(viaSubgraph === undefined ? {} : { subgraph: { ...viaSubgraph, ...compareStreams(viaDirect!, viaSubgraph) } }),
      ...(viaCompared === undefined ? {} : { compared: { root: compareRoot, ...viaCompared, ...compareStreams(viaDirect!, viaCompared) } }),
    });
  }
  console.log(JSON.stringify({ benchmark: "streaming-multi-process", machine: await describeMachine(), model: basename(chatModelPath), maxTokens, threads, sequences, contextLength, pids: stack.pids, results }, null, 2));
} finally {
  await subgraphClient.dispose();
  await direct.close();
  await real.stop();
  await compared?.stop();
}

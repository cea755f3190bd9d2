/**
 * Prompt processing (prefill) on a real model, SmolLM2-135M-Instruct Q4_1: a prompt of about
 * 2,000 tokens, streamed with 2 completion tokens, directly from the llama.cpp engine (in this
 * process, the inference service's settings) versus through the multi-process stack (graphql-ws
 * client → gateway process → inference process). Time to first token is the prefill plus one
 * decode step; prefill tokens per second = prompt tokens / time to first token. Paths alternate,
 * one prompt at a time, the same prompt on both; every request's prompt starts differently, so
 * no KV cache is reused.
 *
 *   node --import tsx bench/prefill.ts [--prompt-tokens 2000] [--requests 3] [--threads N]
 *
 * Prints one JSON document.
 */
import { parseArgs } from "node:util";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { describeMachine, percentile } from "./measure.ts";
import { startRealModelStack } from "./multi-process-stack.ts";
import { streamDirectly, streamThroughGraphql, type StreamMeasure } from "./streaming-rounds.ts";

const { values } = parseArgs({
  options: {
    "prompt-tokens": { type: "string", default: "2000" },
    requests: { type: "string", default: "3" },
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
  },
});
const targetTokens = Number(values["prompt-tokens"]);
const requests = Number(values.requests);
const threads = Number(values.threads);
// The inference service's defaults: 8 sequences of 8,192 tokens.
const contextLength = 8192;
const sequences = 8;

const real = await startRealModelStack({ environment: { LLAMA_CPP_THREADS: String(threads), LLAMA_CPP_SEQUENCES: String(sequences), LLAMA_CPP_MAX_CONTEXT_LENGTH: String(contextLength) } });
const direct = await LlamaCppEngine.open({ modelPath: real.chatModelPath, contextLength, sequences, threads });
const client = real.gatewayClient();

const sentences = [
  "The harbour master counted the boats that came in before the storm.",
  "Every morning the baker opened the shop at six and sold warm bread to the fishermen.",
  "A long road wound through the hills, past orchards, mills and a small stone church.",
  "The library kept maps of the coast drawn by sailors over three hundred years.",
  "In winter the river froze and children skated from one village to the next.",
  "The old clock in the square had not kept the right time since the war.",
];
/** About `targetTokens` tokens of plain English, starting with `index` so prompts differ from the first token. */
async function promptOf(index: number): Promise<string> {
  const paragraph = (count: number) => Array.from({ length: count }, (_, sentence) => sentences[(sentence + index) % sentences.length]).join(" ");
  let count = 100;
  for (;;) {
    const text = `Document ${index}. ${paragraph(count)}\n\nSummarise the document above in one sentence:`;
    const tokens = (await direct.countPromptTokens({ kind: "text", text })).tokens;
    if (tokens >= targetTokens) return text;
    count = Math.ceil((count * targetTokens) / tokens) + 1;
  }
}

const paths: [string, (prompt: string) => Promise<StreamMeasure>][] = [
  ["direct", (prompt) => streamDirectly(direct, { prompt: { kind: "text", text: prompt }, parameters: { maxTokens: 2, temperature: 0 } })],
  ["stack", (prompt) => streamThroughGraphql(client, { model: "smollm2", prompt, maxTokens: 2, temperature: 0 })],
];
const round = (value: number) => Math.round(value * 100) / 100;

try {
  for (const [, run] of paths) await run(await promptOf(-1)); // warm-up
  const measures: Record<string, StreamMeasure[]> = { direct: [], stack: [] };
  for (let index = 0; index < requests; index += 1) {
    // The same prompt on both paths (each has its own engine, so nothing is cached across them).
    const prompt = await promptOf(index);
    for (const [name, run] of paths) measures[name]!.push(await run(prompt));
  }
  const results = Object.fromEntries(
    Object.entries(measures).map(([name, list]) => {
      const firstTokens = list.map((measure) => measure.firstTokenMillis).sort((left, right) => left - right);
      const rates = list.map((measure) => measure.promptTokens / (measure.firstTokenMillis / 1000)).sort((left, right) => left - right);
      return [
        name,
        {
          promptTokens: list.map((measure) => measure.promptTokens),
          timeToFirstTokenMillis: list.map((measure) => round(measure.firstTokenMillis)),
          timeToFirstTokenP50Millis: round(percentile(firstTokens, 0.5)),
          prefillTokensPerSecond: rates.map(round),
          prefillTokensPerSecondP50: round(percentile(rates, 0.5)),
        },
      ];
    }),
  );
  console.log(JSON.stringify({ benchmark: "prefill", machine: await describeMachine(), threads, sequences, contextLength, targetTokens, requests, results }, null, 2));
} finally {
  await direct.close();
  await real.stop();
}

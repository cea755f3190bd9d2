/**
 * What routing among deployments adds to each engine call (engines/routing/deployment-router.ts):
 * the same no-op engine called directly, and through a router of three deployments (two of
 * priority 0, one of priority 1) with WEIGHTED and LEAST_BUSY routing. The engine is a FAKE that
 * answers at once, so the figure is the router's own cost per call.
 *
 *   node --import tsx bench/deployment-routing.ts [--calls 200000] [--rounds 5]
 */
import { parseArgs } from "node:util";
import type { GenerationEvent, GenerationRequest, GenerationResult, InferenceEngine } from "../engines/engine.ts";
import { DeploymentRouter, type RoutingStrategy } from "../engines/routing/deployment-router.ts";
import { describeMachine, measureInterleaved, median } from "./measure.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "200000" }, rounds: { type: "string", default: "5" } } });
const calls = Number(values.calls);
const result: GenerationResult = { text: "ok", finishReason: "stop", usage: { promptTokens: 1, completionTokens: 1 } };

/** FAKE engine: answers every call at once. */
const fakeEngine = (): InferenceEngine => ({
  describe: () => ({ kind: "openai-compatible", contextLength: 4096, embeddingDimensions: undefined }),
  async *streamGeneration(): AsyncIterable<GenerationEvent> {
    yield { type: "text-start" };
    yield { type: "text-delta", index: 0, text: "ok" };
    yield { type: "text-end", result };
  },
  generateBatch: async (requests) => requests.map(() => result),
  embedBatch: async (texts) => texts.map(() => new Float32Array(1)),
  countPromptTokens: async () => ({ tokens: 1, exact: true }),
  applyChatTemplate: async () => "",
  close: async () => undefined,
});

type Mode = "direct" | RoutingStrategy;
const request: GenerationRequest = { prompt: { kind: "text", text: "hi" }, parameters: { maxTokens: 1 } };
const engines: Record<Mode, InferenceEngine> = {
  direct: fakeEngine(),
  WEIGHTED: router("WEIGHTED"),
  LEAST_BUSY: router("LEAST_BUSY"),
};

function router(strategy: RoutingStrategy): InferenceEngine {
  return new DeploymentRouter({
    modelId: "bench",
    strategy,
    deployments: [
      { name: "a", engine: fakeEngine(), weight: 3, priority: 0, maxConcurrentRequests: 8 },
      { name: "b", engine: fakeEngine(), weight: 1, priority: 0, maxConcurrentRequests: 8 },
      { name: "c", engine: fakeEngine(), weight: 1, priority: 1 },
    ],
  });
}

interface Figures {
  batchMicros: number;
  streamMicros: number;
}

const results = await measureInterleaved<Mode, Figures>(
  ["direct", "WEIGHTED", "LEAST_BUSY"],
  Number(values.rounds),
  async (mode) => {
    const engine = engines[mode];
    let started = performance.now();
    for (let call = 0; call < calls; call += 1) await engine.generateBatch([request]);
    const batchMicros = ((performance.now() - started) * 1000) / calls;
    started = performance.now();
    for (let call = 0; call < calls / 4; call += 1) for await (const event of engine.streamGeneration(request)) void event;
    const streamMicros = ((performance.now() - started) * 1000) / (calls / 4);
    return { batchMicros, streamMicros };
  },
  (figures) => `generateBatch ${figures.batchMicros.toFixed(3)} µs, stream ${figures.streamMicros.toFixed(3)} µs per call`,
);
const table = [...results].map(([mode, rounds]) => ({
  mode,
  generateBatchMicros: Math.round(median(rounds.map((figures) => figures.batchMicros)) * 1000) / 1000,
  streamMicros: Math.round(median(rounds.map((figures) => figures.streamMicros)) * 1000) / 1000,
}));
console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), calls, results: table }, null, 2));

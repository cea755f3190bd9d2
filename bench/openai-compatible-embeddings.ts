/**
 * Embeddings per second through OpenAICompatibleEngine.embedBatch: one batched call for N texts versus
 * N calls of one text each, sent one after another.
 *
 * The upstream is a local HTTP server started here that answers `/v1/embeddings` in vLLM's wire format
 * after a SIMULATED LATENCY MODEL of a GPU embedding server — used only in this benchmark, no model runs:
 * every call costs a fixed time (HTTP, tokenization, scheduling, the forward pass launch) plus a small
 * time per input (the batch's extra compute), and calls are served one at a time, like one GPU. A second
 * scenario with the latency model off shows the engine's own cost (HTTP, JSON, validation).
 *
 *   node --import tsx bench/openai-compatible-embeddings.ts [--texts 512] [--fixed-millis 15] [--per-item-millis 0.1] [--dimensions 384]
 *
 * Prints one JSON object.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { OpenAICompatibleEngine } from "../engines/openai-compatible/openai-compatible-engine.ts";
import { loopbackEngineNetwork } from "../test/engines/openai-compatible/loopback-network.ts";

interface SimulatedLatencyModel {
  /** Milliseconds every call costs, whatever its size. */
  readonly fixedMillisPerCall: number;
  /** Extra milliseconds per input in the call. */
  readonly millisPerInput: number;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** A deterministic unit-length-ish vector per text, so replies are realistic in size. */
function vectorFor(text: string, dimensions: number): number[] {
  let state = 2166136261;
  for (let index = 0; index < text.length; index += 1) state = Math.imul(state ^ text.charCodeAt(index), 16777619);
  const vector = new Array<number>(dimensions);
  for (let index = 0; index < dimensions; index += 1) {
    state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0;
    vector[index] = (state / 4294967296 - 0.5) / Math.sqrt(dimensions);
  }
  return vector;
}

/** SIMULATED GPU embedding server (benchmark only): one call at a time, each delayed by the latency model. */
async function startSimulatedGpuServer(latency: SimulatedLatencyModel, dimensions: number) {
  let gpuQueue: Promise<void> = Promise.resolve();
  let calls = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const body: unknown = JSON.parse(await readBody(request));
      const input = typeof body === "object" && body !== null && "input" in body && Array.isArray(body.input) ? body.input.map(String) : [];
      calls += 1;
      const computeMillis = latency.fixedMillisPerCall + latency.millisPerInput * input.length;
      // Calls queue for the single simulated GPU.
      const turn = gpuQueue.then(() => (computeMillis > 0 ? delay(computeMillis) : undefined));
      gpuQueue = turn;
      await turn;
      const data = input.map((text, index) => ({ object: "embedding", index, embedding: vectorFor(text, dimensions) }));
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "list", model: "simulated-embedder", data, usage: { prompt_tokens: input.length, total_tokens: input.length } }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    callCount: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Measurement {
  readonly calls: number;
  readonly seconds: number;
  readonly embeddingsPerSecond: number;
}

async function measure(texts: readonly string[], latency: SimulatedLatencyModel, dimensions: number, mode: "batched" | "one-by-one"): Promise<Measurement> {
  const server = await startSimulatedGpuServer(latency, dimensions);
  const engine = new OpenAICompatibleEngine({ baseUrl: server.baseUrl, upstreamModel: "simulated-embedder", contextLength: 512, embeddingDimensions: dimensions, network: loopbackEngineNetwork });
  try {
    await engine.embedBatch(["warm-up"]); // opens the keep-alive connection
    const callsBefore = server.callCount();
    const started = performance.now();
    if (mode === "batched") {
      const vectors = await engine.embedBatch(texts);
      if (vectors.length !== texts.length) throw new Error("wrong vector count");
    } else {
      for (const text of texts) await engine.embedBatch([text]);
    }
    const seconds = (performance.now() - started) / 1000;
    return { calls: server.callCount() - callsBefore, seconds: Number(seconds.toFixed(4)), embeddingsPerSecond: Math.round(texts.length / seconds) };
  } finally {
    await engine.close();
    await server.close();
  }
}

const { values } = parseArgs({
  options: {
    texts: { type: "string", default: "512" },
    "fixed-millis": { type: "string", default: "15" },
    "per-item-millis": { type: "string", default: "0.1" },
    dimensions: { type: "string", default: "384" },
  },
});
const textCount = Number(values.texts);
const dimensions = Number(values.dimensions);
const simulated: SimulatedLatencyModel = { fixedMillisPerCall: Number(values["fixed-millis"]), millisPerInput: Number(values["per-item-millis"]) };
const texts = Array.from({ length: textCount }, (_, index) => `Document ${index}: a short passage about topic ${index % 17} for retrieval.`);

const scenarios = [];
for (const [name, latency] of [
  ["simulated-gpu-latency", simulated],
  ["no-latency (engine and HTTP overhead only)", { fixedMillisPerCall: 0, millisPerInput: 0 }],
] as const) {
  const batched = await measure(texts, latency, dimensions, "batched");
  const oneByOne = await measure(texts, latency, dimensions, "one-by-one");
  scenarios.push({ name, latencyModel: latency, batched, oneByOne, speedup: Number((batched.embeddingsPerSecond / oneByOne.embeddingsPerSecond).toFixed(1)) });
}
console.log(JSON.stringify({ benchmark: "openai-compatible-embeddings", texts: textCount, dimensions, maxEmbeddingInputsPerCall: 256, node: process.version, scenarios }, null, 2));

/**
 * The OpenAI-compatible engine against a real, independent server: llama-cpp-python 0.3.36
 * serving SmolLM2-135M-Instruct and all-MiniLM-L6-v2 (the same contract the simulated server
 * passes), and what only a real server can show: a caller that leaves stops its generation.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../engines/engine-error.ts";
import { OpenAICompatibleEngine } from "../../engines/openai-compatible/openai-compatible-engine.ts";
import { describeOpenAICompatibleContract } from "../engines/openai-compatible/openai-compatible-contract.ts";
import { loopbackEngineNetwork } from "../engines/openai-compatible/loopback-network.ts";
import { provisionLlamaCppPython, startLlamaCppPythonServer, type LlamaCppPythonServer } from "../harness/llama-cpp-python-server.ts";
import { provisionRealModelsOrSkip, realEmbeddingModelPath } from "../harness/real-models.ts";

const models = await provisionRealModelsOrSkip();
const server = models.skip === false ? await provisionLlamaCppPython() : { python: undefined, skip: models.skip };
const skip = models.skip || server.skip;
const contextLength = 1024;

async function startChatServer(): Promise<LlamaCppPythonServer> {
  return startLlamaCppPythonServer(server.python ?? "", { modelPath: models.models?.chatModelPath ?? "", alias: "smollm2", contextLength });
}

describeOpenAICompatibleContract(
  "llama-cpp-python 0.3.36 (real)",
  async () => {
    const chat = await startChatServer();
    const embedding = await startLlamaCppPythonServer(server.python ?? "", {
      modelPath: models.models === undefined ? "" : await realEmbeddingModelPath(models.models),
      alias: "minilm",
      contextLength: 512,
      embedding: true,
    });
    return {
      baseUrl: chat.baseUrl,
      model: "smollm2",
      contextLength,
      tokenizerPath: models.models?.chatModelPath ?? "",
      embeddingBaseUrl: embedding.baseUrl,
      embeddingModel: "minilm",
      embeddingDimensions: 384,
      countTokens: async (generated: string) => {
        const response = await fetch(`${chat.baseUrl.replace(/\/v1$/, "")}/extras/tokenize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: generated }) });
        return ((await response.json()) as { tokens: unknown[] }).tokens.length;
      },
      kill: () => chat.kill("SIGKILL"),
      close: async () => {
        await chat.stop();
        await embedding.stop();
      },
    };
  },
  { skip },
);

/** The process's user plus system CPU time, in clock ticks (Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

/** A TCP relay in front of the server that records when the engine's side of each connection closes. */
async function startRelay(targetPort: number): Promise<{ port: number; closedAt: number[]; close(): Promise<void> }> {
  const closedAt: number[] = [];
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => {
      closedAt.push(performance.now());
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    closedAt,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

describe("llama-cpp-python: a caller that leaves", { skip }, () => {
  let chat: LlamaCppPythonServer;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let engine: OpenAICompatibleEngine;
  before(async () => {
    chat = await startChatServer();
    relay = await startRelay(Number(new URL(chat.baseUrl).port));
    engine = new OpenAICompatibleEngine({ baseUrl: `http://127.0.0.1:${relay.port}/v1`, upstreamModel: "smollm2", contextLength, tokenizerPath: models.models?.chatModelPath ?? "", network: loopbackEngineNetwork });
  });
  after(async () => {
    await engine?.close();
    await relay?.close();
    await chat?.stop();
  });

  it("closes the server connection of a non-streamed call at once when its caller leaves", async () => {
    const caller = new AbortController();
    const request = { prompt: { kind: "chat" as const, messages: [{ role: "user" as const, content: "Write a very long story about the sea." }] }, parameters: { maxTokens: 400, temperature: 0.8, seed: 1 }, signal: caller.signal };
    const pending = engine.generateBatch([request]).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const closedBefore = relay.closedAt.length;
    const abortedAt = performance.now();
    caller.abort();
    const outcome = await pending;
    assert.ok(outcome instanceof EngineError && outcome.code === "cancelled", String(outcome));
    for (let waited = 0; relay.closedAt.length === closedBefore && waited < 1_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const closedAt = relay.closedAt[closedBefore];
    assert.ok(closedAt !== undefined, "the engine closed its connection to the server");
    // What the server does next is its own affair: measured with llama-cpp-python 0.3.36
    // (starlette 1.10, sse-starlette 3.7), it generates on to max_tokens after the client left.
    const before = await cpuTicks(chat.pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    console.log(
      `connection closed ${(closedAt - abortedAt).toFixed(1)} ms after the abort; llama-cpp-python then used ${(await cpuTicks(chat.pid)) - before} CPU ticks in 500 ms (50 = one core busy)`,
    );
  });
});

/**
 * The OpenAI-compatible engine against a real, independent server: llama-cpp-python 0.3.36
 * (the test harness's cached build) serving SmolLM2-135M-Instruct with one thread, and
 * all-MiniLM-L6-v2 for embeddings. Paths, in alternating rounds at 1 and 8 streams:
 * - `direct`: the `openai` client streaming `/v1/chat/completions` from the server itself;
 * - `stack`: graphql-ws → gateway process → inference process (the multi-process layout of
 *   `npm start`) → the same server, with exact usage on (the model's GGUF as `tokenizerPath`,
 *   since llama-cpp-python reports no usage in streams).
 * Then embeddings per second, batched (one call of 32 texts) against one by one, directly and
 * through the stack.
 *
 *   node --import tsx bench/openai-compatible-real.ts [--concurrency 1,8] [--max-tokens 32] [--rounds 3]
 *
 * Prints one JSON document.
 */
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { provisionLlamaCppPython, startLlamaCppPythonServer } from "../test/harness/llama-cpp-python-server.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { describeMachine } from "./measure.ts";
import { startRealModelStack } from "./multi-process-stack.ts";
import { alternatingRounds, compareStreams, streamThroughGraphql, type StreamMeasure } from "./streaming-rounds.ts";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "1,8" },
    "max-tokens": { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
  },
});
const levels = values.concurrency.split(",").map(Number);
const maxTokens = Number(values["max-tokens"]);
const rounds = Number(values.rounds);
const prompts = ["Tell me about the sea.", "Describe a forest in autumn.", "What makes a good cup of tea?", "Explain how bees make honey."];

const models = await provisionRealModels();
const { python } = await provisionLlamaCppPython();
if (python === undefined) throw new Error("llama-cpp-python could not be provisioned");
const chatServer = await startLlamaCppPythonServer(python, { modelPath: models.chatModelPath, alias: "smollm2", contextLength: 2048 });
const embeddingServer = await startLlamaCppPythonServer(python, { modelPath: await realEmbeddingModelPath(models), alias: "minilm", contextLength: 512, embedding: true });
const real = await startRealModelStack({ environment: {} });
const results: Record<string, unknown> = { machine: await describeMachine(), date: new Date().toISOString(), server: "llama-cpp-python 0.3.36, --n_threads 1, --interrupt_requests False" };
try {
  const pricing = { inputPerMillionTokens: 0, outputPerMillionTokens: 0 };
  const register = "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }";
  await real.stack.request(register, {
    input: {
      id: "smollm2-remote", displayName: "SmolLM2 on llama-cpp-python", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, pricing,
      engine: { kind: "OPENAI_COMPATIBLE", baseUrl: chatServer.baseUrl, upstreamModel: "smollm2", tokenizerPath: models.chatModelPath },
    },
  });
  await real.stack.request(register, {
    input: {
      id: "minilm-remote", displayName: "MiniLM on llama-cpp-python", family: "bert", capabilities: ["EMBEDDING"], contextLength: 512, embeddingDimensions: 384, pricing,
      engine: { kind: "OPENAI_COMPATIBLE", baseUrl: embeddingServer.baseUrl, upstreamModel: "minilm" },
    },
  });
  const openai = new OpenAI({ baseURL: chatServer.baseUrl, apiKey: "none", maxRetries: 0 });
  const direct = async (index: number): Promise<StreamMeasure> => {
    const start = performance.now();
    let firstTokenMillis = Number.NaN;
    let tokens = 0;
    const stream = await openai.chat.completions.create({
      model: "smollm2",
      messages: [{ role: "user", content: prompts[index % prompts.length] ?? "" }],
      max_tokens: maxTokens,
      temperature: 0.8,
      stream: true,
    });
    for await (const chunk of stream) {
      if ((chunk.choices[0]?.delta.content ?? "") === "") continue;
      if (Number.isNaN(firstTokenMillis)) firstTokenMillis = performance.now() - start;
      // llama-cpp-python sends one chunk per generated token.
      tokens += 1;
    }
    return { firstTokenMillis, tokens, promptTokens: 0 };
  };
  const client = real.gatewayClient();
  const stack = (index: number) =>
    streamThroughGraphql(client, { model: "smollm2-remote", messages: [{ role: "USER", content: prompts[index % prompts.length] }], maxTokens, temperature: 0.8 });
  // Warm both paths: the server's first request loads its state, the engine's first opens it.
  await direct(0);
  await stack(0);
  const streaming: Record<string, unknown> = {};
  for (const concurrency of levels) {
    const summaries = await alternatingRounds([["direct", direct], ["stack", stack]] as const, concurrency, rounds, Math.max(4, concurrency * 2));
    streaming[String(concurrency)] = { ...summaries, stackAgainstDirect: compareStreams(summaries.direct, summaries.stack) };
  }
  results.streaming = streaming;

  const texts = Array.from({ length: 32 }, (_, index) => `Sentence number ${index} about ${prompts[index % prompts.length]}`);
  const embedDirect = new OpenAI({ baseURL: embeddingServer.baseUrl, apiKey: "none", maxRetries: 0 });
  const timed = async (work: () => Promise<unknown>) => {
    const start = performance.now();
    await work();
    return Math.round((texts.length / ((performance.now() - start) / 1000)) * 10) / 10;
  };
  const embedThroughStack = (batch: string[]) => real.stack.request("query($texts: [String!]!) { embeddings(model: \"minilm-remote\", texts: $texts) { dimensions } }", { texts: batch });
  await embedThroughStack(texts.slice(0, 2));
  results.embeddingsPerSecond = {
    directBatched: await timed(() => embedDirect.embeddings.create({ model: "minilm", input: texts, encoding_format: "float" })),
    directOneByOne: await timed(async () => {
      for (const text of texts) await embedDirect.embeddings.create({ model: "minilm", input: [text], encoding_format: "float" });
    }),
    stackBatched: await timed(() => embedThroughStack(texts)),
    stackOneByOne: await timed(async () => {
      for (const text of texts) await embedThroughStack([text]);
    }),
  };
} finally {
  await real.stop();
  await chatServer.stop();
  await embeddingServer.stop();
}
console.log(JSON.stringify(results, null, 2));

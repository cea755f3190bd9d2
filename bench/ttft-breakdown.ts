/**
 * Where the full stack's time to first token goes: the engine directly, the inference subgraph
 * over graphql-ws directly (with a signed context), and through the gateway. Concurrency 1.
 *
 *   node --import tsx bench/ttft-breakdown.ts [--requests 40] [--preset tiny] [--threads 1]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateModel, isModelPresetName, modelPresets } from "../engines/gguf/generate-model.ts";
import { LlamaCppEngine } from "../engines/llama-cpp/llama-cpp-engine.ts";
import { loadCommonConfig } from "../platform/config/common-config.ts";
import { internalContextHeader, InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";
import { startBenchStack } from "./bench-stack.ts";
import { describeMachine, percentile } from "./measure.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "40" }, preset: { type: "string", default: "tiny" }, threads: { type: "string", default: "1" } } });
if (!isModelPresetName(values.preset)) throw new Error("--preset must be tiny, small or bench");
const requests = Number(values.requests);
const directory = await mkdtemp(join(tmpdir(), "bench-ttft-"));
const modelFile = join(directory, "models", "m.gguf");
await generateModel({ ...modelPresets[values.preset], outputPath: modelFile });
const environment: NodeJS.ProcessEnv = { DATA_DIR: directory, MODELS_DIR: join(directory, "models"), LLAMA_CPP_THREADS: values.threads, LLAMA_CPP_MAX_CONTEXT_LENGTH: "256" };
const stack = await startBenchStack(environment);
const { gateway, inference, key } = stack;
const signer = new InternalContextSigner(await resolveSigningSecret(loadCommonConfig(environment)));
await fetch(gateway.graphqlUrl, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
  body: JSON.stringify({
    query: "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }",
    variables: { input: { id: "m", displayName: "M", family: "llama", capabilities: ["COMPLETION"], contextLength: 256, engine: { kind: "LLAMA_CPP", modelPath: "m.gguf" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } } },
  }),
});
// The same settings as the subgraph's engine (LLAMA_CPP_SEQUENCES defaults to 8), so only the hops differ.
const direct = await LlamaCppEngine.open({ modelPath: modelFile, contextLength: 256, sequences: 8, threads: Number(values.threads) });
const query = "subscription($input: CompletionInput!) { completionStream(input: $input) { __typename } }";

/**
 * Time to the first token, reading the stream to its end: leaving early would let the next request
 * queue behind the engine finishing the abandoned one's last decode step, and charge that to TTFT.
 */
async function firstToken(run: () => AsyncIterable<unknown>, isToken: (event: unknown) => boolean): Promise<number> {
  const start = performance.now();
  let first = Number.NaN;
  for await (const event of run()) {
    if (Number.isNaN(first) && isToken(event)) first = performance.now() - start;
  }
  return first;
}
const input = (index: number) => ({ model: "m", prompt: `Request ${index}: the quick brown fox`, maxTokens: 2, seed: index });
const isDelta = (result: unknown) => (result as { data?: { completionStream?: { __typename?: string } } }).data?.completionStream?.__typename === "TextDeltaEvent";

const paths: Record<string, (index: number) => Promise<number>> = {
  engine: (index) =>
    firstToken(() => direct.streamGeneration({ prompt: { kind: "text", text: input(index).prompt }, parameters: { maxTokens: 2, seed: index } }), (event) => (event as { type: string }).type === "text-delta"),
  "subgraph over graphql-ws": async (index) => {
    const client = createClient({ url: inference.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { [internalContextHeader]: signer.sign({ requestId: `r${index}`, tenantId: "bench", apiKeyId: "bench", roles: ["member"] }) } });
    try {
      return await firstToken(() => client.iterate({ query, variables: { input: input(index) } }), isDelta);
    } finally {
      await client.dispose();
    }
  },
  "gateway over graphql-ws (new socket)": async (index) => {
    const client = createClient({ url: gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${key}` } });
    try {
      return await firstToken(() => client.iterate({ query, variables: { input: input(index) } }), isDelta);
    } finally {
      await client.dispose();
    }
  },
};
// Not lazy: a lazy client closes its socket when its last operation ends and reconnects for the next.
const subgraphClient = createClient({ url: inference.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { [internalContextHeader]: signer.sign({ requestId: "open", tenantId: "bench", apiKeyId: "bench", roles: ["member"] }) } });
paths["subgraph over graphql-ws (open socket)"] = (index) => firstToken(() => subgraphClient.iterate({ query, variables: { input: input(index) } }), isDelta);
const gatewayClient = createClient({ url: gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${key}` } });
paths["gateway over graphql-ws (open socket)"] = (index) => firstToken(() => gatewayClient.iterate({ query, variables: { input: input(index) } }), isDelta);

// When the subgraph's TextStartEvent arrives, against its first TextDeltaEvent: splits the hop
// (start) from the engine's prompt processing and first token (delta).
const startArrivals: number[] = [];
for (let index = 0; index < 20; index += 1) {
  const begin = performance.now();
  for await (const result of subgraphClient.iterate({ query, variables: { input: input(1000 + index) } })) {
    const type = (result as { data?: { completionStream?: { __typename?: string } } }).data?.completionStream?.__typename;
    if (type === "TextStartEvent") startArrivals.push(performance.now() - begin);
  }
}
startArrivals.sort((left, right) => left - right);

const results: Record<string, { p50: number; p99: number }> = {};
for (const name of Object.keys(paths)) await paths[name]!(0);
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
for (let index = 1; index <= requests; index += 1) {
  for (const [name, run] of Object.entries(paths)) samples[name]!.push(await run(index));
}
for (const [name, values] of Object.entries(samples)) {
  values.sort((left, right) => left - right);
  results[name] = { p50: Math.round(percentile(values, 0.5) * 100) / 100, p99: Math.round(percentile(values, 0.99) * 100) / 100 };
}
console.log(
  JSON.stringify(
    {
      benchmark: "ttft-breakdown",
      machine: await describeMachine(),
      preset: values.preset,
      threads: Number(values.threads),
      requests,
      timeToFirstTokenMillis: results,
      subgraphTextStartArrivalMillis: { p50: Math.round(percentile(startArrivals, 0.5) * 100) / 100, p99: Math.round(percentile(startArrivals, 0.99) * 100) / 100 },
    },
    null,
    2,
  ),
);
await gatewayClient.dispose();
await subgraphClient.dispose();
await direct.close();
await stack.stop();
await rm(directory, { recursive: true, force: true });

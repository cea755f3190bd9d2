/**
 * Throughput and latency of catalogue queries through the gateway versus the model-registry
 * subgraph called directly (with the signed context the gateway would add): what federation and
 * authentication cost per request.
 *
 *   node --import tsx bench/gateway-registry-queries.ts [--requests 3000] [--concurrency 1,16,64] [--backend embedded|redis --redis-url URL]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCommonConfig } from "../platform/config/common-config.ts";
import { internalContextHeader, InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";
import { startBenchStack } from "./bench-stack.ts";
import { describeMachine, runLoad } from "./measure.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "1,16,64" },
    backend: { type: "string", default: "embedded" },
    "redis-url": { type: "string" },
  },
});
const requests = Number(values.requests);
const concurrencies = values.concurrency.split(",").map(Number);
const dataDirectory = await mkdtemp(join(tmpdir(), "bench-gateway-"));
const environment: NodeJS.ProcessEnv = {
  DATA_DIR: dataDirectory,
  ...(values.backend === "redis"
    ? { STORE_BACKEND: "redis", REDIS_URL: values["redis-url"], REDIS_KEY_PREFIX: `bench${Date.now()}:`, INTERNAL_SIGNING_SECRET: "benchmark-signing-secret-of-32-chars!!" }
    : {}),
};

const stack = await startBenchStack(environment);
const { registry, gateway, key } = stack;
const signer = new InternalContextSigner(await resolveSigningSecret(loadCommonConfig(environment)));

async function post(url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<boolean> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { errors?: unknown };
  return response.ok && body.errors === undefined;
}

const register = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
for (let index = 0; index < 50; index += 1) {
  await post(gateway.graphqlUrl, { authorization: `Bearer ${key}` }, register, {
    input: {
      id: `model-${String(index).padStart(2, "0")}`,
      displayName: `Model ${index}`,
      family: index % 2 === 0 ? "llama" : "qwen",
      capabilities: ["CHAT"],
      contextLength: 4096,
      engine: { kind: "LLAMA_CPP", modelPath: `model-${index}.gguf` },
      pricing: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.2 },
      aliases: [`alias-${index}`],
    },
  });
}

const queries = {
  "model by alias": '{ model(id: "alias-25") { id displayName pricing { inputPerMillionTokens } } }',
  "list 20 of 50": "{ models(first: 20, filter: { family: \"llama\" }) { totalCount nodes { id displayName capabilities status } } }",
};
const results = [];
for (const [name, query] of Object.entries(queries)) {
  for (const concurrency of concurrencies) {
    const viaGateway = await runLoad(() => post(gateway.graphqlUrl, { authorization: `Bearer ${key}` }, query), requests, concurrency);
    const direct = await runLoad(
      () => post(registry.graphqlUrl, { [internalContextHeader]: signer.sign({ requestId: "bench", tenantId: "bench", apiKeyId: "bench", roles: ["platform-admin"] }) }, query),
      requests,
      concurrency,
    );
    results.push({ query: name, concurrency, gateway: viaGateway, subgraphDirect: direct });
  }
}
console.log(JSON.stringify({ benchmark: "gateway-registry-queries", backend: values.backend, requests, machine: await describeMachine(), results }, null, 2));
await stack.stop();
await rm(dataDirectory, { recursive: true, force: true });

/**
 * Exact response cache: latency of a cache hit through the gateway versus a miss, in the
 * multi-process layout `npm start` runs (gateway and subgraphs in their own processes), with the
 * in-memory cache (embedded stores, the default) or the Redis one (`--store redis`: a local
 * redis-server, started as the tests start it), on the real models: SmolLM2-135M-Instruct for completions
 * (temperature 0, `maxTokens` 16) and all-MiniLM-L6-v2 for embeddings. One request at a time.
 * A miss is a request never seen (a numbered prompt), so the engine runs and the answer is
 * stored; a hit repeats one request whose answer is cached. Target: hit p50 under 5 ms. For
 * scale, the same loop reads a completion by id (`completion(id)`: gateway, one inference fetch,
 * a store read; no model work) and counts a prompt's tokens (`tokenCounts`).
 *
 * `--cost-inputs-max-age-millis N` sets the gateway's COST_INPUTS_MAX_AGE_MILLIS (default 0: the
 * operation cost check reads prices and budget for every operation, three subgraph fetches).
 *
 *   node --import tsx bench/response-cache.ts [--store embedded|redis] [--hits 300] [--misses 30] [--threads N] [--cost-inputs-max-age-millis 0]
 *
 * Prints one JSON document.
 */
import { parseArgs } from "node:util";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { describeMachine, percentile } from "./measure.ts";
import { startRealModelStack } from "./multi-process-stack.ts";
import { startTestRedis } from "../test/harness/redis-server.ts";

const { values } = parseArgs({
  options: {
    hits: { type: "string", default: "300" },
    misses: { type: "string", default: "30" },
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
    store: { type: "string", default: "embedded" },
    "cost-inputs-max-age-millis": { type: "string", default: "0" },
  },
});
if (values.store !== "embedded" && values.store !== "redis") throw new Error(`--store is embedded or redis, got ${values.store}`);
const hits = Number(values.hits);
const misses = Number(values.misses);

const completion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id text usage { completionTokens } cache { hit kind ttlSeconds } } }`;
const embeddings = `query($texts: [String!]!, $cache: CacheInput) { embeddings(model: "minilm", texts: $texts, cache: $cache) { dimensions cache { hit } } }`;
interface CompletionAnswer {
  createCompletion: { text: string; cache: { hit: boolean } | null };
}
interface CompletionByIdAnswer {
  completion: { id: string } | null;
}
interface EmbeddingsAnswer {
  embeddings: { cache: { hit: boolean } | null };
}

const redis = values.store === "redis" ? await startTestRedis() : undefined;
const storage = redis === undefined ? {} : { STORE_BACKEND: "redis", REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.uniquePrefix(), INTERNAL_SIGNING_SECRET: "response-cache-benchmark-secret-of-32-chars-or-more" };
const real = await startRealModelStack({ environment: { LLAMA_CPP_THREADS: values.threads, COST_INPUTS_MAX_AGE_MILLIS: values["cost-inputs-max-age-millis"], ...storage }, embedding: true });
const { stack } = real;
const cache = { ttlSeconds: 3_600 };
const completionInput = (prompt: string) => ({ model: "smollm2", messages: [{ role: "USER", content: prompt }], maxTokens: 16, temperature: 0, cache });

/** Runs `request` `count` times, one at a time; each must report `expectedHit`. Latencies in ms, sorted. */
async function measure(count: number, request: (index: number) => Promise<boolean | undefined>, expectedHit: boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const hit = await request(index);
    latencies.push(performance.now() - started);
    if (hit !== expectedHit) throw new Error(`request ${index} was ${hit === true ? "a hit" : "a miss"}, expected ${expectedHit ? "a hit" : "a miss"}`);
  }
  return latencies.sort((left, right) => left - right);
}

const round = (value: number) => Math.round(value * 100) / 100;
const summary = (sorted: number[]) => ({ requests: sorted.length, p50: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1) ?? Number.NaN) });

try {
  const askCompletion = async (prompt: string) => (await stack.request<CompletionAnswer>(completion, { input: completionInput(prompt) })).createCompletion.cache?.hit;
  const askEmbeddings = async (texts: string[]) => (await stack.request<EmbeddingsAnswer>(embeddings, { texts, cache })).embeddings.cache?.hit;
  // Warm-up: models loaded, plans cached, connections open; and the answers the hits repeat stored.
  await askCompletion("What is the capital of France?");
  await askEmbeddings(["How do I reset my password?"]);
  for (let index = 0; index < 20; index += 1) {
    await askCompletion("What is the capital of France?");
    await askEmbeddings(["How do I reset my password?"]);
  }
  const { createCompletion: stored } = await stack.request<{ createCompletion: { id: string } }>(completion, { input: completionInput("What is the capital of France?") });
  const readById = async () => ((await stack.request<CompletionByIdAnswer>(`query($id: ID!) { completion(id: $id) { id text } }`, { id: stored.id })).completion === null ? undefined : false);
  const countTokens = async () => {
    await stack.request(`query { tokenCounts(model: "smollm2", texts: ["What is the capital of France?"]) }`);
    return false;
  };
  const results = {
    floor: {
      completionById: summary(await measure(hits, readById, false)),
      tokenCounts: summary(await measure(hits, countTokens, false)),
    },
    completion: {
      miss: summary(await measure(misses, (index) => askCompletion(`Question ${index}: what is the capital of France?`), false)),
      hit: summary(await measure(hits, () => askCompletion("What is the capital of France?"), true)),
    },
    embeddings: {
      miss: summary(await measure(misses, (index) => askEmbeddings([`Question ${index}: how do I reset my password?`]), false)),
      hit: summary(await measure(hits, () => askEmbeddings(["How do I reset my password?"]), true)),
    },
  };
  console.log(JSON.stringify({ benchmark: "response-cache", machine: await describeMachine(), threads: Number(values.threads), store: values.store, results }, null, 2));
} finally {
  await real.stop();
  await redis?.stop();
}

/**
 * Fair scheduling across tenants (issue 14, item 4): globex's time to first token while acme runs a
 * burst of streams, against its time to first token on an idle engine. Real model (SmolLM2-135M-
 * Instruct Q4_1) in the layout `npm start` runs: gateway and subgraphs each in their own Node.js
 * process (multi-process-stack.ts), clients over graphql-ws through the gateway, each tenant with its
 * own member key; times are what a client sees (subscribe to first text delta).
 *
 * Each round: globex streams once on the idle engine; acme opens `--burst` streams at once; once they
 * fill the engine and its queue, acme's token rate alone is counted for `--window-ms`; then globex
 * streams once more, and acme's burst is cancelled (the engine stops at once) before the next round.
 *
 * Configurations, each on a fresh stack:
 * - `fifo`: globex's streams sent with acme's key, TENANT_MAX_RUNNING_STREAMS = sequences: one tenant,
 *   one FIFO lane, no cap, the order every stream had before fair scheduling;
 * - `fair`: two tenants, fair queuing, no cap (TENANT_MAX_RUNNING_STREAMS = sequences): globex takes
 *   the next slot that frees;
 * - `reserved`: two tenants, the default cap (sequences − 1): a slot stays free for another tenant;
 * - `before` (with `--before-root DIR`): two tenants on another checkout, e.g. the commit before this
 *   change: `git archive HEAD | tar -x -C DIR` and `ln -s "$PWD/node_modules" DIR/`.
 *
 *   node --import tsx bench/tenant-fairness.ts [--configurations fifo,fair,reserved] [--burst 64]
 *     [--rounds 3] [--burst-max-tokens 128] [--max-tokens 16] [--window-ms 5000] [--sequences 8]
 *     [--threads N] [--timeout-ms 120000] [--before-root DIR]
 *
 * Prints one JSON document. Bounded: every wait has a deadline; a globex stream still waiting for its
 * first token after `--timeout-ms` is recorded as timed out and cancelled.
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { ExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { defaultLlamaCppThreads } from "../engines/engine-config.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { schedulerRequests } from "../test/harness/metric-samples.ts";
import { describeMachine, percentile } from "./measure.ts";
import { startRealModelStack, type RealModelStack } from "./multi-process-stack.ts";

/** Each event's type, and at the end the time to first token the inference service measured (from the operation's arrival there). */
const streamQuery = `
  subscription TenantFairnessStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextEndEvent { completion { timeToFirstTokenMillis } }
    }
  }
`;

const { values } = parseArgs({
  options: {
    configurations: { type: "string", default: "fifo,fair,reserved" },
    burst: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    "burst-max-tokens": { type: "string", default: "128" },
    "max-tokens": { type: "string", default: "16" },
    "window-ms": { type: "string", default: "5000" },
    // The inference service's defaults (LLAMA_CPP_SEQUENCES, LLAMA_CPP_THREADS).
    sequences: { type: "string", default: "8" },
    threads: { type: "string", default: String(defaultLlamaCppThreads()) },
    "timeout-ms": { type: "string", default: "120000" },
    "before-root": { type: "string" },
  },
});
type ConfigurationName = "fifo" | "fair" | "reserved" | "before";
const configurations = values.configurations.split(",").map((name) => name.trim()) as ConfigurationName[];
const beforeRoot = values["before-root"];
if (beforeRoot !== undefined && !configurations.includes("before")) configurations.push("before");
if (configurations.includes("before") && beforeRoot === undefined) throw new Error("the before configuration needs --before-root DIR");
const burst = Number(values.burst);
const rounds = Number(values.rounds);
const burstMaxTokens = Number(values["burst-max-tokens"]);
const maxTokens = Number(values["max-tokens"]);
const windowMillis = Number(values["window-ms"]);
const sequences = Number(values.sequences);
const threads = Number(values.threads);
const timeoutMillis = Number(values["timeout-ms"]);

type StreamEvent = { __typename: string; completion?: { timeToFirstTokenMillis: number | null } };

/** A subscription in flight: when its first token came, how many tokens so far, and a way to stop it. */
interface OpenStream {
  /** Milliseconds from subscribing to the first text delta; rejects when the stream failed first. */
  readonly firstTokenMillis: Promise<number>;
  readonly ended: Promise<void>;
  tokens(): number;
  /** The inference service's own measure, once the end event came. */
  serverFirstTokenMillis(): number | null;
  cancel(): void;
}

function openStream(client: Client, input: Record<string, unknown>): OpenStream {
  const start = performance.now();
  let tokens = 0;
  let serverFirstTokenMillis: number | null = null;
  let resolveFirst: (millis: number) => void = () => undefined;
  let rejectFirst: (error: Error) => void = () => undefined;
  const firstTokenMillis = new Promise<number>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  firstTokenMillis.catch(() => undefined); // read by whoever awaits it; a burst stream's is not
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const unsubscribe = client.subscribe<{ completionStream: StreamEvent }>(
    { query: streamQuery, variables: { input } },
    {
      next: (result: ExecutionResult<{ completionStream: StreamEvent }>) => {
        if (result.errors !== undefined) rejectFirst(new Error(JSON.stringify(result.errors)));
        const event = result.data?.completionStream;
        const type = event?.__typename;
        if (type === "TextEndEvent") serverFirstTokenMillis = event?.completion?.timeToFirstTokenMillis ?? null;
        if (type === "TextDeltaEvent") {
          tokens += 1;
          if (tokens === 1) resolveFirst(performance.now() - start);
        } else if (type === "StreamFailure") {
          rejectFirst(new Error("StreamFailure"));
        }
      },
      error: (error: unknown) => {
        rejectFirst(error instanceof Error ? error : new Error(JSON.stringify(error)));
        resolveEnded();
      },
      complete: () => {
        rejectFirst(new Error("the stream ended without a token"));
        resolveEnded();
      },
    },
  );
  return { firstTokenMillis, ended, tokens: () => tokens, serverFirstTokenMillis: () => serverFirstTokenMillis, cancel: unsubscribe };
}

const prompt = (tenant: string, index: number) => `Story ${index} for ${tenant}. Once upon a time, in a small village by the sea, there lived an old fisherman who`;
const input = (tenant: string, index: number, tokens: number) => ({ model: "smollm2", prompt: prompt(tenant, index), maxTokens: tokens, seed: index, temperature: 0.8 });

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Polls `check` every 100 ms until it holds; throws after `deadlineMillis`. */
async function waitUntil(what: string, check: () => Promise<boolean>, deadlineMillis = 60_000): Promise<void> {
  const deadline = performance.now() + deadlineMillis;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface StreamQueue {
  running: number;
  queueDepth: number;
}

async function streamQueue(stack: RealModelStack): Promise<StreamQueue> {
  const origin = new URL(stack.stack.subgraphUrls.inference ?? "").origin;
  const { running, queueDepth } = await schedulerRequests(origin, "smollm2", "stream");
  return { running, queueDepth };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * globex's time to first token as its client saw it and as the inference service measured it, or
 * nulls when none had come after `timeoutMillis`; the stream is read to its end (or cancelled).
 */
async function globexFirstToken(client: Client, index: number): Promise<{ client: number | null; server: number | null }> {
  const stream = openStream(client, input("globex", index, maxTokens));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMillis)));
  try {
    const millis = await Promise.race([stream.firstTokenMillis, timedOut]);
    if (millis === null) {
      stream.cancel();
      return { client: null, server: null };
    }
    await stream.ended;
    const server = stream.serverFirstTokenMillis();
    return { client: round1(millis), server: server === null ? null : round1(server) };
  } finally {
    clearTimeout(timer);
  }
}

function gatewayClient(stack: RealModelStack, key: string): Client {
  return createClient({ url: stack.stack.webSocketUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false });
}

function summary(samples: readonly (number | null)[]) {
  const measured = samples.filter((sample): sample is number => sample !== null).sort((left, right) => left - right);
  return { samples, p50: percentile(measured, 0.5), max: measured.at(-1) ?? null, timedOut: samples.length - measured.length };
}

async function runConfiguration(name: ConfigurationName) {
  const environment: NodeJS.ProcessEnv = { LLAMA_CPP_THREADS: String(threads), LLAMA_CPP_SEQUENCES: String(sequences) };
  if (name !== "reserved") environment.TENANT_MAX_RUNNING_STREAMS = String(sequences);
  const real = await startRealModelStack({ environment, ...(name === "before" && beforeRoot !== undefined ? { root: beforeRoot } : {}) });
  const clients: Client[] = [];
  try {
    const config = loadGatewayConfig({ ...process.env, ...real.environment });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("bench", "error"));
    const store = createApiKeyStore(config, infrastructure);
    const acmeKey = (await issueApiKey(store, "acme", ["member"], "tenant-fairness bench")).key;
    const globexKey = name === "fifo" ? acmeKey : (await issueApiKey(store, "globex", ["member"], "tenant-fairness bench")).key;
    await infrastructure.close();
    const acme = gatewayClient(real, acmeKey);
    const globex = gatewayClient(real, globexKey);
    clients.push(acme, globex);

    await globexFirstToken(globex, 0); // warm-up: engine load, first-use allocations
    const idle: { client: number | null; server: number | null }[] = [];
    const loaded: { client: number | null; server: number | null }[] = [];
    const acmeTokensPerSecond: number[] = [];
    const runningBeforeGlobex: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      idle.push(await globexFirstToken(globex, 1000 + round));

      const streams = Array.from({ length: burst }, (_, index) => openStream(acme, input("acme", round * burst + index, burstMaxTokens)));
      // The burst fills the engine and its queue; then acme's rate alone, then globex arrives.
      await waitUntil("acme's burst to fill the engine", async () => {
        const queue = await streamQueue(real);
        return queue.running >= 1 && queue.running + queue.queueDepth >= burst && streams.some((stream) => stream.tokens() > 0);
      });
      const tokensAtStart = streams.reduce((sum, stream) => sum + stream.tokens(), 0);
      await sleep(windowMillis);
      acmeTokensPerSecond.push(Math.round(((streams.reduce((sum, stream) => sum + stream.tokens(), 0) - tokensAtStart) / windowMillis) * 10_000) / 10);
      runningBeforeGlobex.push((await streamQueue(real)).running);
      loaded.push(await globexFirstToken(globex, 2000 + round));

      for (const stream of streams) stream.cancel();
      await waitUntil("the engine to be idle again", async () => {
        const queue = await streamQueue(real);
        return queue.running === 0 && queue.queueDepth === 0;
      });
    }
    const sideOf = (side: "client" | "server") => {
      const idleSummary = summary(idle.map((sample) => sample[side]));
      const loadedSummary = summary(loaded.map((sample) => sample[side]));
      return { idle: idleSummary, underAcmeBurst: loadedSummary, ratioP50: Math.round((loadedSummary.p50 / idleSummary.p50) * 100) / 100 };
    };
    return {
      configuration: name,
      ...(name === "before" ? { root: beforeRoot } : {}),
      tenantMaxRunningStreams: environment.TENANT_MAX_RUNNING_STREAMS ?? `default (${sequences} - 1)`,
      // Client: subscribe to first delta, through the gateway. Server: the inference service's own figure.
      globexTimeToFirstTokenMillis: { client: sideOf("client"), server: sideOf("server") },
      acmeStreamsRunningWhenGlobexArrived: runningBeforeGlobex,
      acmeTokensPerSecondAlone: acmeTokensPerSecond,
    };
  } finally {
    for (const client of clients) await client.dispose();
    await real.stop();
  }
}

const results = [];
for (const name of configurations) results.push(await runConfiguration(name));
console.log(
  JSON.stringify(
    {
      benchmark: "tenant-fairness",
      machine: await describeMachine(),
      model: "SmolLM2-135M-Instruct.Q4_1.gguf",
      settings: { burst, rounds, burstMaxTokens, maxTokens, windowMillis, sequences, threads, timeoutMillis, script: basename(import.meta.filename) },
      results,
    },
    null,
    2,
  ),
);

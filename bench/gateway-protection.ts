/**
 * What the gateway's protection (issue 13: operation shape limits, whole-operation cost analysis,
 * rate limits, HTTP timeouts) costs on the normal path, and what it buys other tenants under
 * hostile operations. Two measurements, in the layout `npm start` runs (one process per service,
 * multi-process-stack.ts, embedded stores):
 *
 * 1. `rps`: the registry query `{ models(first: 20) { nodes { id displayName pricing { currency } } } }`
 *    (50 models registered) with a valid key, in a closed loop of `--concurrency` requests in
 *    flight, in alternating rounds of `--round-seconds` (compared, current, compared, current...):
 *    requests per second, p50/p99 latency, gateway CPU per request.
 * 2. `attacks`: for each operation of the abuse suite's corpus (test/gateway/abuse-suite.test.ts),
 *    an attacker tenant sends it at `--attack-requests-per-second`, never more than
 *    `--attack-in-flight` at once (so a tree that runs the attack is slowed, not wedged), from 1 s
 *    before and then during the `--attack-seconds` in which a canary tenant sends
 *    `{ models { totalCount } }` every `--canary-interval-millis` (one at a time); canary
 *    p50/p95, what the attack requests got, and the gateway's CPU. After each phase the attacker's
 *    last requests are awaited (at most `--drain-seconds`, then aborted), and both stacks are
 *    given `--settle-seconds` to fall idle; one still busy then (a tree still running an attack
 *    its client hung up on) is restarted, and the report says so. The corpus adds one case to the
 *    suite's: its 256 embedding texts on a model that embeds, since the suite's model cannot (a
 *    tree without cost analysis refuses that request by capability, without embedding anything).
 *
 * Rate limits are set far above what the benchmark sends (test/harness/test-rate-limits.ts, the
 * multi-process stack's default): the limiter runs on every request but never refuses, so what is
 * measured is its cost and the operation limits, not the per-key quota of 600 requests/min.
 * `--compare-root DIR` runs the same measurements on a second checkout with node_modules, e.g. the
 * commit before the protection (`git archive 661b20a | tar -x -C /tmp/before`, then
 * `ln -s $PWD/node_modules /tmp/before/node_modules`); both stacks run side by side and the phases
 * alternate between them, so both meet the same drift of a shared machine.
 *
 *   node --import tsx bench/gateway-protection.ts [--compare-root DIR] [--only rps|attacks]
 *     [--rounds 4] [--round-seconds 15] [--concurrency 16]
 *     [--attack-seconds 10] [--attack-requests-per-second 20] [--attack-in-flight 4]
 *     [--canary-interval-millis 50] [--drain-seconds 15] [--settle-seconds 15] [--attacks NAME,NAME]
 *
 * Prints one JSON document. The load generator, attacker and canary run in this process, on the
 * same cores as the stacks.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { testRateLimits } from "../test/harness/test-rate-limits.ts";
import { runCanaryProbe, type CanaryResult } from "./canary-probe.ts";
import { describeMachine, median, percentile } from "./measure.ts";
import { cpuTime, startMultiProcessStack, type MultiProcessStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    "compare-root": { type: "string" },
    only: { type: "string" },
    rounds: { type: "string", default: "4" },
    "round-seconds": { type: "string", default: "15" },
    concurrency: { type: "string", default: "16" },
    "attack-seconds": { type: "string", default: "10" },
    "attack-requests-per-second": { type: "string", default: "20" },
    "attack-in-flight": { type: "string", default: "4" },
    "canary-interval-millis": { type: "string", default: "50" },
    "drain-seconds": { type: "string", default: "15" },
    "settle-seconds": { type: "string", default: "15" },
    attacks: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const roundMillis = Number(values["round-seconds"]) * 1_000;
const concurrency = Number(values.concurrency);
const attackMillis = Number(values["attack-seconds"]) * 1_000;
const attackRequestsPerSecond = Number(values["attack-requests-per-second"]);
const attackInFlight = Number(values["attack-in-flight"]);
const canaryIntervalMillis = Number(values["canary-interval-millis"]);
const drainMillis = Number(values["drain-seconds"]) * 1_000;
const settleMillis = Number(values["settle-seconds"]) * 1_000;
const selectedAttacks = values.attacks?.split(",");
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));
const round = (value: number) => Math.round(value * 10) / 10;
/** The middle value, or the mean of the two middle ones. */

const registryQuery = "{ models(first: 20) { nodes { id displayName pricing { currency } } } }";
const canaryQuery = "{ models { totalCount } }";

/**
 * The abuse suite's corpus (test/gateway/abuse-suite.test.ts), as request bodies; `abuse-chat` is a
 * generated tiny model (CHAT, COMPLETION), `abuse-embed` the same with mean pooling (EMBEDDING).
 */
function attackCorpus(): { name: string; body: string }[] {
  const nestedCollections = (levels: number) => `{ collection(id: "c") { ${"documents { nodes { collection { ".repeat(levels)}id${" } } }".repeat(levels)} } }`;
  const query = (text: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query: text, variables });
  const fragments = Array.from({ length: 30 }, (_, level) => `fragment F${level} on Model { id ...F${level + 1} ...F${level + 1} }`);
  return [
    { name: "depth 1,001", body: query(nestedCollections(333)) },
    { name: "depth 41", body: query(nestedCollections(13)) },
    { name: "10,000 aliases of models(first: 1)", body: query(`{ ${Array.from({ length: 10_000 }, (_, index) => `a${index}: models(first: 1) { totalCount }`).join(" ")} }`) },
    { name: "40 aliases", body: query(`{ models { ${Array.from({ length: 40 }, (_, index) => `a${index}: totalCount`).join(" ")} } }`) },
    { name: "17 aliased root fields", body: query(`{ ${Array.from({ length: 17 }, (_, index) => `a${index}: models(first: 1) { totalCount }`).join(" ")} }`) },
    { name: "100 aliased createCompletions", body: query(`mutation { ${Array.from({ length: 100 }, (_, index) => `c${index}: createCompletion(input: { model: "abuse-chat", prompt: "hi" }) { id }`).join(" ")} }`) },
    { name: "fan-out to 926,200 objects", body: query("{ collections { documents { nodes { collection { documents { nodes { collection { documents { nodes { id } } } } } } } } } }") },
    { name: "1,000 @include directives", body: query(`{ models { ${"totalCount @include(if: true) ".repeat(1_000)} } }`) },
    { name: "60 directives", body: query(`{ models { ${"totalCount @include(if: true) ".repeat(60)} } }`) },
    { name: "30 levels of nested fragments", body: query(`${fragments.join(" ")} fragment F30 on Model { id } { model(id: "x") { ...F0 } }`) },
    { name: "256 embedding texts of 1,000 characters", body: query('query($texts: [String!]!) { embeddings(model: "abuse-chat", texts: $texts) { dimensions } }', { texts: Array.from({ length: 256 }, () => "x".repeat(1_000)) }) },
    // Not in the suite: the same texts on a model that embeds (`abuse-embed`), so a tree without cost analysis runs them.
    { name: "256 embedding texts on an embedding model", body: query('query($texts: [String!]!) { embeddings(model: "abuse-embed", texts: $texts) { dimensions } }', { texts: Array.from({ length: 256 }, () => "x".repeat(1_000)) }) },
    { name: "tokenCounts of 7.7 MB", body: query('query($texts: [String!]!) { tokenCounts(model: "abuse-chat", texts: $texts) }', { texts: Array.from({ length: 77 }, () => "y".repeat(100_000)) }) },
    { name: "completion of 1,000,000 maxTokens", body: query('mutation { createCompletion(input: { model: "abuse-chat", prompt: "hi", maxTokens: 1000000 }) { id } }') },
    { name: "batch of 20 operations", body: JSON.stringify(Array.from({ length: 20 }, () => ({ query: canaryQuery }))) },
  ];
}

interface Target {
  label: string;
  /** Checkout the stack runs from; undefined: this one. */
  root: string | undefined;
  modelsDirectory: string;
  stack: MultiProcessStack;
  attackerKey: string;
  canaryKey: string;
  directory: string;
}

async function post(target: Target, key: string, body: string, signal?: AbortSignal): Promise<{ status: number; reply: unknown }> {
  const response = await fetch(target.stack.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body, ...(signal === undefined ? {} : { signal }) });
  const text = await response.text();
  let reply: unknown = text;
  try {
    reply = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, reply };
}

/** `<status> <first error code>`, or `<status> data` for an answer without errors. */
function outcomeLabel(status: number, reply: unknown): string {
  const first: unknown = Array.isArray(reply) ? reply[0] : reply;
  if (typeof first !== "object" || first === null) return `${status} (not JSON)`;
  const errors = (first as { errors?: { extensions?: { code?: unknown } }[] }).errors;
  if (errors === undefined || errors.length === 0) return `${status} data${Array.isArray(reply) ? ` (batch of ${reply.length})` : ""}`;
  const code = errors[0]?.extensions?.code;
  return `${status} ${typeof code === "string" ? code : "error without code"}${(first as { data?: unknown }).data ? " + data" : ""}`;
}

/** Starts a stack from `root` (this checkout when undefined) with the tiny model, 50 catalogue models, and attacker and canary keys of their own tenants. */
async function startTarget(label: string, root: string | undefined, modelsDirectory: string): Promise<Target> {
  const directory = await mkdtemp(join(tmpdir(), "bench-gateway-protection-"));
  // The multi-process stack sets testRateLimits (limits no benchmark reaches) unless told otherwise.
  const environment: NodeJS.ProcessEnv = { DATA_DIR: directory, MODELS_DIR: modelsDirectory };
  let stack: MultiProcessStack;
  try {
    stack = await startMultiProcessStack({ environment, ...(root === undefined ? {} : { root }) });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  try {
    const register = "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }";
    await stack.request(register, {
      input: { id: "abuse-chat", displayName: "Abuse chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
    });
    await stack.request(register, {
      input: { id: "abuse-embed", displayName: "Abuse embed", family: "llama", capabilities: ["EMBEDDING"], contextLength: 2048, embeddingDimensions: 256, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 0 } },
    });
    for (let index = 0; index < 50; index += 1) {
      await stack.request(register, {
        input: {
          id: `model-${String(index).padStart(2, "0")}`,
          displayName: `Model ${index}`,
          family: index % 2 === 0 ? "llama" : "qwen",
          capabilities: ["CHAT"],
          contextLength: 4096,
          engine: { kind: "LLAMA_CPP", modelPath: `model-${index}.gguf` },
          pricing: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.2 },
        },
      });
    }
    // The gateway reads the embedded key file on each check, so keys issued now are accepted at once.
    const config = loadGatewayConfig({ ...process.env, ...testRateLimits, ...environment });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("bench", "error"));
    const store = createApiKeyStore(config, infrastructure);
    const attacker = await issueApiKey(store, "attacker", ["member"], "attacker");
    const canary = await issueApiKey(store, "canary", ["member"], "canary");
    await infrastructure.close();
    return { label, root, modelsDirectory, stack, attackerKey: attacker.key, canaryKey: canary.key, directory };
  } catch (error) {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function stopTarget(target: Target): Promise<void> {
  await target.stack.stop();
  await rm(target.directory, { recursive: true, force: true });
}

/** CPU time of the stack's processes since the call, in ms (`gateway`, and `all` of them). */
function measureStackCpu(target: Target): () => { gateway: number; all: number; seconds: number } {
  const read = () => Object.fromEntries(Object.entries(target.stack.pids).map(([name, pid]) => [name, cpuTime(pid).process]));
  const start = read();
  const started = performance.now();
  return () => {
    const end = read();
    const used = Object.fromEntries(Object.entries(end).map(([name, millis]) => [name, millis - (start[name] ?? 0)]));
    return { gateway: used.gateway ?? Number.NaN, all: Object.values(used).reduce((sum, millis) => sum + millis, 0), seconds: (performance.now() - started) / 1_000 };
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Requests per second of the registry query

interface RoundResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencies: number[];
  gatewayCpuMillisPerRequest: number;
  stackCpuMillisPerRequest: number;
  benchmarkProcessCpuPercentOfOneCore: number;
}

/** A closed loop of `concurrency` requests in flight for `millis`. */
async function loadRound(target: Target, millis: number): Promise<RoundResult> {
  const body = JSON.stringify({ query: registryQuery });
  const latencies: number[] = [];
  let errors = 0;
  const cpu = measureStackCpu(target);
  const ownCpu = measureOwnCpu();
  const begin = performance.now();
  const deadline = begin + millis;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const { status, reply } = await post(target, target.stack.key, body);
        const nodes = (reply as { data?: { models?: { nodes?: unknown[] } } }).data?.models?.nodes;
        if (status !== 200 || nodes?.length !== 20 || (reply as { errors?: unknown }).errors !== undefined) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1_000;
  const used = cpu();
  return {
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / seconds,
    latencies,
    gatewayCpuMillisPerRequest: used.gateway / latencies.length,
    stackCpuMillisPerRequest: used.all / latencies.length,
    benchmarkProcessCpuPercentOfOneCore: ownCpu(),
  };
}

async function measureRequestsPerSecond(targets: Target[]): Promise<Record<string, unknown>> {
  for (const target of targets) await loadRound(target, 3_000);
  const results = new Map<string, RoundResult[]>(targets.map((target) => [target.label, []]));
  for (let index = 0; index < rounds; index += 1) {
    for (const target of targets) results.get(target.label)?.push(await loadRound(target, roundMillis));
  }
  const summary: Record<string, unknown> = {};
  for (const [label, roundResults] of results) {
    const latencies = roundResults.flatMap((result) => result.latencies).sort((left, right) => left - right);
    summary[label] = {
      requestsPerSecondMedian: round(median(roundResults.map((result) => result.requestsPerSecond))),
      requestsPerSecondByRound: roundResults.map((result) => round(result.requestsPerSecond)),
      latencyMillis: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)) },
      gatewayCpuMillisPerRequestMedian: Math.round(median(roundResults.map((result) => result.gatewayCpuMillisPerRequest)) * 100) / 100,
      gatewayCpuMillisPerRequestByRound: roundResults.map((result) => Math.round(result.gatewayCpuMillisPerRequest * 100) / 100),
      stackCpuMillisPerRequestMedian: Math.round(median(roundResults.map((result) => result.stackCpuMillisPerRequest)) * 100) / 100,
      benchmarkProcessCpuPercentOfOneCoreByRound: roundResults.map((result) => result.benchmarkProcessCpuPercentOfOneCore),
      requests: latencies.length,
      errors: roundResults.reduce((sum, result) => sum + result.errors, 0),
    };
  }
  const medianOf = (label: string) => (summary[label] as { requestsPerSecondMedian: number } | undefined)?.requestsPerSecondMedian;
  const current = medianOf("current");
  const compared = medianOf("compared");
  if (current !== undefined && compared !== undefined) summary.lossPercent = round((1 - current / compared) * 100);
  // Each round's pair (compared, then current, a few seconds apart) meets the same load from outside.
  const currentRounds = results.get("current") ?? [];
  const comparedRounds = results.get("compared") ?? [];
  if (comparedRounds.length > 0) {
    const pairLosses = currentRounds.map((result, index) => round((1 - result.requestsPerSecond / (comparedRounds[index]?.requestsPerSecond ?? Number.NaN)) * 100));
    summary.lossPercentByRound = pairLosses;
    summary.lossPercentMedianOfRounds = round(median(pairLosses));
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// 2. The canary under each attack

/** The canary: one query at a time, one every `canaryIntervalMillis`, until `stopAt`. */
async function runCanary(target: Target, stopAt: number): Promise<CanaryResult> {
  const body = JSON.stringify({ query: canaryQuery });
  return runCanaryProbe(
    async () => {
      const { status, reply } = await post(target, target.canaryKey, body);
      return status === 200 && (reply as { errors?: unknown }).errors === undefined;
    },
    canaryIntervalMillis,
    stopAt,
  );
}

/** The attacker: starts a request every 1/rate s while fewer than `attackInFlight` are in flight; `stop` awaits the last ones (at most `drainMillis`, then aborts them). */
function startAttack(target: Target, body: string): { stop: () => Promise<Record<string, unknown>> } {
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  const controller = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let skipped = 0;
  const started = performance.now();
  const send = () => {
    if (inFlight.size >= attackInFlight) {
      skipped += 1;
      return;
    }
    sent += 1;
    const requestStarted = performance.now();
    const request = post(target, target.attackerKey, body, controller.signal)
      .then(({ status, reply }) => {
        latencies.push(performance.now() - requestStarted);
        const label = outcomeLabel(status, reply);
        outcomes[label] = (outcomes[label] ?? 0) + 1;
      })
      .catch((error: unknown) => {
        const label = controller.signal.aborted ? "aborted by the benchmark after the drain" : `failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
        outcomes[label] = (outcomes[label] ?? 0) + 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  send();
  const timer = setInterval(send, 1_000 / attackRequestsPerSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      const attackSeconds = (performance.now() - started) / 1_000;
      const drainStarted = performance.now();
      const abort = setTimeout(() => controller.abort(), drainMillis);
      await Promise.all([...inFlight]);
      clearTimeout(abort);
      latencies.sort((left, right) => left - right);
      return {
        sent,
        sentPerSecond: round(sent / attackSeconds),
        notSentBecauseInFlightCap: skipped,
        answers: outcomes,
        latencyMillis: latencies.length === 0 ? null : { p50: round(percentile(latencies, 0.5)), max: round(latencies.at(-1) ?? Number.NaN) },
        drainSeconds: round((performance.now() - drainStarted) / 1_000),
      };
    },
  };
}

/**
 * Waits until every stack's processes use less than a tenth of a core together over a second, at
 * most `settleMillis`; returns the labels of the stacks still busy then (an attack they are still
 * running, e.g. completions the gateway kept generating after the attacker hung up).
 */
async function waitForIdle(targets: readonly Target[]): Promise<string[]> {
  const started = performance.now();
  let busy: string[] = targets.map((target) => target.label);
  while (busy.length > 0 && performance.now() - started < settleMillis) {
    const measures = targets.map((target) => ({ label: target.label, cpu: measureStackCpu(target) }));
    await sleep(1_000);
    busy = measures.filter(({ cpu }) => {
      const used = cpu();
      return used.all / (used.seconds * 1_000) >= 0.1;
    }).map(({ label }) => label);
  }
  return busy;
}

/** The benchmark process's own CPU since the call, in percent of one core (the attacker, the canary and the load loop). */
function measureOwnCpu(): () => number {
  const start = process.cpuUsage();
  const started = performance.now();
  return () => {
    const used = process.cpuUsage(start);
    return round(((used.user + used.system) / 1_000 / (performance.now() - started)) * 100);
  };
}

async function attackPhase(target: Target, attack: { name: string; body: string } | undefined): Promise<Record<string, unknown>> {
  const attacker = attack === undefined ? undefined : startAttack(target, attack.body);
  // Let the attack reach its pace before the canary starts.
  if (attacker !== undefined) await sleep(1_000);
  const cpu = measureStackCpu(target);
  const ownCpu = measureOwnCpu();
  const canary = await runCanary(target, performance.now() + attackMillis);
  const used = cpu();
  const benchmarkProcessCpuPercentOfOneCore = ownCpu();
  const attackReport = attacker === undefined ? undefined : await attacker.stop();
  return {
    canary,
    gatewayCpuPercentOfOneCore: round((used.gateway / (used.seconds * 1_000)) * 100),
    stackCpuPercentOfOneCore: round((used.all / (used.seconds * 1_000)) * 100),
    benchmarkProcessCpuPercentOfOneCore,
    ...(attackReport === undefined ? {} : { attack: attackReport }),
  };
}

async function warmCanary(target: Target): Promise<void> {
  for (let index = 0; index < 40; index += 1) await post(target, target.canaryKey, JSON.stringify({ query: canaryQuery }));
}

async function measureAttacks(targets: Target[]): Promise<Record<string, unknown>> {
  const corpus = attackCorpus().filter((attack) => selectedAttacks === undefined || selectedAttacks.some((name) => attack.name.includes(name)));
  for (const target of targets) await warmCanary(target);
  const phases: Record<string, Record<string, unknown>> = {};
  for (const attack of [undefined, ...corpus]) {
    const name = attack?.name ?? "no attack";
    const phase: Record<string, unknown> = {};
    phases[name] = phase;
    for (const [index, target] of targets.entries()) {
      const result = await attackPhase(target, attack);
      phase[target.label] = result;
      // The next phase starts on idle stacks: one still busy after `settleMillis` is restarted.
      for (const label of await waitForIdle(targets)) {
        const busyIndex = targets.findIndex((candidate) => candidate.label === label);
        const busy = targets[busyIndex];
        if (busy === undefined) continue;
        const stopStarted = performance.now();
        await stopTarget(busy);
        targets[busyIndex] = await startTarget(busy.label, busy.root, busy.modelsDirectory);
        await warmCanary(targets[busyIndex]);
        const note = `${label} was still busy ${settleMillis / 1_000} s after this phase: restarted (${round((performance.now() - stopStarted) / 1_000)} s)`;
        phase.restarts = [...(Array.isArray(phase.restarts) ? phase.restarts : []), note];
        if (busyIndex === index && busy === target) result.restartedAfterThePhase = true;
      }
    }
  }
  return phases;
}

// ---------------------------------------------------------------------------------------------

const modelsDirectory = await mkdtemp(join(tmpdir(), "bench-gateway-protection-models-"));
const targets: Target[] = [];
const report: Record<string, unknown> = {
  machine: await describeMachine(),
  settings: {
    compareRoot: values["compare-root"] ?? null,
    rounds,
    roundSeconds: roundMillis / 1_000,
    concurrency,
    attackSeconds: attackMillis / 1_000,
    attackRequestsPerSecond,
    attackInFlight,
    canaryIntervalMillis,
    drainSeconds: drainMillis / 1_000,
    settleSeconds: settleMillis / 1_000,
    rateLimits: testRateLimits,
  },
  loadAverageAtStart: loadavg().map(round),
};
try {
  await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
  await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
  // The compared tree first in each round: before, after, before, after...
  if (values["compare-root"] !== undefined) targets.push(await startTarget("compared", values["compare-root"], modelsDirectory));
  targets.push(await startTarget("current", undefined, modelsDirectory));
  if (values.only !== "attacks") report.requestsPerSecond = await measureRequestsPerSecond(targets);
  if (values.only !== "rps") report.attacks = await measureAttacks(targets);
  report.loadAverageAtEnd = loadavg().map(round);
} finally {
  for (const target of targets) await stopTarget(target);
  await rm(modelsDirectory, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));

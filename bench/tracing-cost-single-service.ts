/**
 * What tracing at 1 % costs one service on its own: two model-registry processes (their bundle from
 * dist/, as `npm start` runs it) side by side, one untraced and one exporting traces at 1 %
 * (`parentbased_traceidratio`), each sent the same `models(first: 20)` query with the signed
 * internal context the gateway sends. Requests to the traced one carry an unsampled `traceparent`,
 * as the gateway's do at 1 % sampling: the case 99 % of requests take. No gateway, no other
 * service: this separates the subgraph's own cost from the full stack's (bench/tracing-cost.ts).
 *
 * Queries alternate between the two (16 in flight in all); which of them gets the even-numbered
 * ones swaps every round, so an order effect cancels. Each round gives the ratio of the two
 * processes' CPU per request (/proc, user + system); the figure is the median. Over the measured
 * rounds it also reports where each process spent it, per thread (main, V8's workers), and the
 * read and write system calls and context switches per request.
 *
 * `--mode` says what the second process is:
 * - `traced` (default): exporting at 1 %, sent the unsampled `traceparent`;
 * - `header-only`: untraced like the first, but sent the same `traceparent`: what the header alone
 *   costs a service that does no tracing (the floor under any design that propagates the trace);
 * - `control`: untraced and sent nothing, the first's twin: the precision of the method.
 *
 *   node --import tsx bench/tracing-cost-single-service.ts [--rounds 12] [--requests 6000] [--mode traced|header-only|control]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { internalContextHeader, InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { bundleArguments } from "../scripts/build/build-entries.ts";
import { buildServices } from "../scripts/build/build-services.ts";
import { startOtlpReceiver } from "../test/harness/otlp-receiver.ts";
import { findFreePort } from "../test/harness/redis-server.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";
import { describeMachine, median, sendAlternately } from "./measure.ts";
import { cpuTime } from "./multi-process-stack.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "12" }, requests: { type: "string", default: "6000" }, mode: { type: "string", default: "traced" } } });
const modes = ["traced", "header-only", "control"] as const;
type Mode = (typeof modes)[number];
const mode = values.mode as Mode;
if (!modes.includes(mode)) throw new Error(`--mode: one of ${modes.join(", ")}`);
const rounds = Number(values.rounds);
/** Requests per process per round. */
const requests = Number(values.requests);
const concurrency = 16;
const signingSecret = randomBytes(32).toString("base64url");

/** The untraced process every round compares against (`reference`), and the one in the mode under test (`measured`). */
interface Service {
  graphqlUrl: string;
  pid: number;
  child: ChildProcess;
  /** Whether the service exports traces. */
  traced: boolean;
  /** Whether its requests carry the unsampled `traceparent`. */
  sentTraceparent: boolean;
}

await buildServices();
const receiver = await startOtlpReceiver();

async function startService(traced: boolean, sentTraceparent: boolean): Promise<Service> {
  const port = await findFreePort();
  const tracing: NodeJS.ProcessEnv = traced
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.01" }
    : { OTEL_EXPORTER_OTLP_ENDPOINT: "" };
  const environment = { ...process.env, LOG_LEVEL: "warn", INTERNAL_SIGNING_SECRET: signingSecret, MODEL_REGISTRY_PORT: String(port), DATA_DIR: await temporaryDirectory("tracing-cost-single"), ...tracing };
  const child = spawn(process.execPath, bundleArguments("model-registry"), { env: environment, stdio: ["ignore", "inherit", "inherit"] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("model-registry did not become ready");
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { graphqlUrl: `http://127.0.0.1:${port}/graphql`, pid: child.pid ?? 0, child, traced, sentTraceparent };
}

const signer = new InternalContextSigner(signingSecret);
const catalogueQuery = JSON.stringify({ query: "query Catalogue { models(first: 20) { nodes { id displayName capabilities contextLength } } }", operationName: "Catalogue" });

async function query(service: Service): Promise<void> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [internalContextHeader]: signer.sign({ requestId: randomBytes(8).toString("hex"), tenantId: "default", apiKeyId: "bench", roles: ["platform-admin"] }),
  };
  // What the gateway sends at 1 % sampling for the 99 % of requests not sampled.
  if (service.sentTraceparent) headers.traceparent = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-00`;
  const response = await fetch(service.graphqlUrl, { method: "POST", headers, body: catalogueQuery });
  const result = (await response.json()) as { errors?: unknown };
  if (!response.ok || result.errors !== undefined) throw new Error(`query failed: ${response.status} ${JSON.stringify(result.errors)}`);
}

/** `count` queries to each service, alternating (`first` gets the even-numbered ones). */
function queryBoth(first: Service, second: Service, count: number): Promise<void> {
  return sendAlternately(count, concurrency, (target) => query(target === 0 ? first : second));
}

/** CPU milliseconds per thread name (the main thread as `main`), user and system. */
function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const threads = new Map<string, { user: number; system: number }>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
    const name = task === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const sum = threads.get(name) ?? { user: 0, system: 0 };
    threads.set(name, { user: sum.user + Number(fields[11]) * 10, system: sum.system + Number(fields[12]) * 10 });
  }
  return threads;
}

/** Read and write system calls, voluntary and involuntary context switches, so far. */
function kernelCounts(pid: number): number[] {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return [field(io, "syscr"), field(io, "syscw"), field(status, "voluntary_ctxt_switches"), field(status, "nonvoluntary_ctxt_switches")];
}

const reference = await startService(false, false);
const measured = await startService(mode === "traced", mode !== "control");
try {
  await queryBoth(reference, measured, 4_000);
  const threadsBefore = [reference, measured].map((service) => threadCpu(service.pid));
  const countsBefore = [reference, measured].map((service) => kernelCounts(service.pid));
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const before = [reference.pid, measured.pid].map((pid) => cpuTime(pid).process);
    if (round % 2 === 0) await queryBoth(reference, measured, requests);
    else await queryBoth(measured, reference, requests);
    const [referenceCpu, measuredCpu] = [reference.pid, measured.pid].map((pid, index) => (cpuTime(pid).process - (before[index] ?? 0)) / requests) as [number, number];
    ratios.push(measuredCpu / referenceCpu);
    console.error(`round ${round + 1}: reference ${(referenceCpu * 1000).toFixed(0)} µs CPU per request, measured (${mode}) ${(measuredCpu * 1000).toFixed(0)} µs, ratio ${(measuredCpu / referenceCpu).toFixed(4)}`);
  }
  const requestsMeasured = rounds * requests;
  const perThread = (index: number) => {
    const after = threadCpu([reference, measured][index]?.pid ?? 0);
    return Object.fromEntries(
      [...after].map(([name, cpu]) => {
        const start = threadsBefore[index]?.get(name) ?? { user: 0, system: 0 };
        return [name, { userMicrosecondsPerRequest: Math.round(((cpu.user - start.user) * 1000) / requestsMeasured), systemMicrosecondsPerRequest: Math.round(((cpu.system - start.system) * 1000) / requestsMeasured) }];
      }),
    );
  };
  const perRequest = (index: number) => {
    const [reads, writes, voluntary, involuntary] = kernelCounts([reference, measured][index]?.pid ?? 0).map((count, field) => Math.round(((count - (countsBefore[index]?.[field] ?? 0)) / requestsMeasured) * 1000) / 1000);
    return { reads, writes, voluntaryContextSwitches: voluntary, involuntaryContextSwitches: involuntary };
  };
  const sorted = [...ratios].sort((left, right) => left - right);
  console.log(
    JSON.stringify(
      {
        machine: await describeMachine(),
        mode,
        rounds,
        requestsPerRound: requests,
        medianCpuRatio: Math.round(median(ratios) * 10_000) / 10_000,
        interquartile: [sorted[Math.floor(sorted.length / 4)], sorted[Math.floor((sorted.length * 3) / 4)]].map((ratio) => Math.round((ratio ?? 0) * 10_000) / 10_000),
        reference: { threads: perThread(0), kernel: perRequest(0) },
        measured: { threads: perThread(1), kernel: perRequest(1) },
        spansReceived: receiver.spans().length,
      },
      null,
      2,
    ),
  );
} finally {
  for (const service of [reference, measured]) service.child.kill("SIGTERM");
  await receiver.close();
}

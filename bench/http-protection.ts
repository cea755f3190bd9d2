/**
 * What an unauthenticated attacker does to other tenants' latency (issue 13, items 3 and 4): a
 * canary tenant queries the gateway (`{ models { totalCount } }`, through the model-registry
 * subgraph) at a steady pace while, in turn,
 * - nothing happens (`baseline`);
 * - 20 connections post 2 MB JSON bodies without an API key, as fast as they can, again and again
 *   (`bodies`);
 * - 400 slowloris sockets send one header byte every 5 s, reconnecting when closed (`slowloris`);
 * - both at once (`both`).
 * The stack is the one `npm start` runs (one process per service, multi-process-stack.ts) on
 * embedded stores, with the real HTTP timeouts and the real per-address limit; the canary's key has
 * limits it never reaches (it is not the subject). `--compare-root DIR` runs the same phases
 * against a second checkout (with node_modules), e.g. the commit before the protections.
 *
 *   node --import tsx bench/http-protection.ts [--phase-seconds 20] [--canary-interval-millis 50]
 *     [--attackers 20] [--attack-requests-per-second 0] [--body-bytes 2097152] [--slowloris 400]
 *     [--slowloris-byte-millis 5000] [--compare-root DIR]
 *
 * Prints one JSON document. The attack runs in this process: on a small machine its own CPU use
 * competes with the stack's, as a co-located attacker's would.
 */
import { request as httpRequest } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCanaryProbe, type CanaryResult } from "./canary-probe.ts";
import { describeMachine, percentile } from "./measure.ts";
import { cpuTime, startMultiProcessStack, type MultiProcessStack } from "./multi-process-stack.ts";

const { values } = parseArgs({
  options: {
    "phase-seconds": { type: "string", default: "20" },
    "canary-interval-millis": { type: "string", default: "50" },
    attackers: { type: "string", default: "20" },
    "body-bytes": { type: "string", default: String(2 * 1_048_576) },
    // 0: each attacker sends its next body as soon as the last is answered (a closed loop: refusing
    // faster invites more requests); N: the attackers together start at most N per second.
    "attack-requests-per-second": { type: "string", default: "0" },
    slowloris: { type: "string", default: "400" },
    "slowloris-byte-millis": { type: "string", default: "5000" },
    "compare-root": { type: "string" },
  },
});
const phaseMillis = Number(values["phase-seconds"]) * 1_000;
const canaryIntervalMillis = Number(values["canary-interval-millis"]);
const attackerCount = Number(values.attackers);
const bodyBytes = Number(values["body-bytes"]);
const attackRequestsPerSecond = Number(values["attack-requests-per-second"]);
const slowlorisCount = Number(values.slowloris);
const slowlorisByteMillis = Number(values["slowloris-byte-millis"]);
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));
const round = (value: number) => Math.round(value * 10) / 10;

/** A valid JSON body of `bodyBytes` (so a server that reads it also parses it), sent in 64 KiB chunks. */
const bodyChunks = (() => {
  const prefix = '{"query":"{ __typename }","padding":"';
  const text = `${prefix}${"x".repeat(Math.max(0, bodyBytes - prefix.length - 2))}"}`;
  const buffer = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += 65_536) chunks.push(buffer.subarray(offset, offset + 65_536));
  return chunks;
})();

interface AttackReport {
  [measure: string]: unknown;
}

/** Attackers posting big unauthenticated bodies in a loop; `stop` ends them and reports what they saw. */
function startBodyAttack(graphqlUrl: string): { stop: () => Promise<AttackReport> } {
  let running = true;
  const statuses: Record<string, number> = {};
  /** Bytes the attackers wrote to their sockets, whether or not the server read them. */
  let bytesWritten = 0;
  let requests = 0;
  const started = performance.now();
  const attacker = async () => {
    while (running) {
      const requestStarted = performance.now();
      requests += 1;
      await new Promise<void>((resolve) => {
        const request = httpRequest(graphqlUrl, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": bodyChunks.reduce((sum, chunk) => sum + chunk.length, 0) } });
        let settled = false;
        const settle = (status: string) => {
          if (settled) return;
          settled = true;
          statuses[status] = (statuses[status] ?? 0) + 1;
          request.destroy();
          resolve();
        };
        request.on("response", (response) => {
          response.resume();
          response.on("end", () => settle(String(response.statusCode)));
        });
        request.on("error", (error: NodeJS.ErrnoException) => settle(error.code ?? "error"));
        const send = async () => {
          for (const chunk of bodyChunks) {
            if (settled || !running) return;
            const written = await new Promise<boolean>((done) => request.write(chunk, (error) => done(error === undefined || error === null)));
            if (!written) return;
            bytesWritten += chunk.length;
          }
          if (!settled) request.end();
        };
        void send();
      });
      if (attackRequestsPerSecond > 0) await sleep(Math.max(0, (attackerCount * 1_000) / attackRequestsPerSecond - (performance.now() - requestStarted)));
    }
  };
  const workers = Array.from({ length: attackerCount }, attacker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      const seconds = (performance.now() - started) / 1_000;
      return { attackers: attackerCount, requests, requestsPerSecond: round(requests / seconds), megabytesWrittenPerSecond: round(bytesWritten / 1_048_576 / seconds), answers: statuses };
    },
  };
}

/** Slowloris sockets: one header byte every `slowlorisByteMillis`, a new socket whenever one is closed. */
function startSlowloris(port: number): { stop: () => Promise<AttackReport> } {
  let running = true;
  const sockets = new Set<Socket>();
  const lifetimesMillis: number[] = [];
  const closedWith: Record<string, number> = {};
  const header = `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nX-Padding: ${"a".repeat(4_096)}\r\n\r\n`;
  const open = () => {
    if (!running) return;
    const socket = connect(port, "127.0.0.1");
    const opened = performance.now();
    let sent = 0;
    let received = "";
    sockets.add(socket);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", () => {});
    const timer = setInterval(() => {
      if (sent < header.length) socket.write(header.charAt(sent++));
    }, slowlorisByteMillis);
    socket.once("connect", () => socket.write(header.charAt(sent++)));
    socket.once("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (!running) return;
      lifetimesMillis.push(performance.now() - opened);
      const status = /^HTTP\/1\.1 (\d+)/.exec(received)?.[1] ?? "closed without an answer";
      closedWith[status] = (closedWith[status] ?? 0) + 1;
      open();
    });
  };
  for (let index = 0; index < slowlorisCount; index += 1) open();
  return {
    stop: async () => {
      running = false;
      const open = sockets.size;
      for (const socket of sockets) socket.destroy();
      lifetimesMillis.sort((left, right) => left - right);
      return {
        sockets: slowlorisCount,
        openAtEnd: open,
        closedByServer: lifetimesMillis.length,
        closedWith,
        lifetimeSeconds: lifetimesMillis.length === 0 ? null : { p50: round(percentile(lifetimesMillis, 0.5) / 1_000), max: round((lifetimesMillis.at(-1) ?? 0) / 1_000) },
      };
    },
  };
}

/** The canary: one query every `canaryIntervalMillis` (one at a time), for `phaseMillis`. */
async function runCanary(stack: MultiProcessStack): Promise<CanaryResult> {
  return runCanaryProbe(
    async () => {
      await stack.request<{ models: { totalCount: number } }>("{ models { totalCount } }");
      return true;
    },
    canaryIntervalMillis,
    performance.now() + phaseMillis,
  );
}

async function measureStack(root: string | undefined): Promise<Record<string, unknown>> {
  const directory = await mkdtemp(join(tmpdir(), "bench-http-protection-"));
  const stack = await startMultiProcessStack({
    environment: {
      DATA_DIR: directory,
      // The real per-address limit (the canary's key keeps the stack's unreachable ones).
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: "",
    },
    ...(root === undefined ? {} : { root }),
  });
  const port = Number(new URL(stack.graphqlUrl).port);
  const phases: Record<string, unknown> = {};
  try {
    await runCanaryWarmUp(stack);
    const gatewayPid = stack.pids.gateway ?? -1;
    const baselineCpu = measureCpu(gatewayPid);
    phases.baseline = { canary: await runCanary(stack), gatewayCpuPercentOfOneCore: baselineCpu() };
    for (const name of ["bodies", "slowloris", "both"] as const) {
      const bodies = name === "slowloris" ? undefined : startBodyAttack(stack.graphqlUrl);
      const slowloris = name === "bodies" ? undefined : startSlowloris(port);
      await sleep(2_000);
      const cpu = measureCpu(gatewayPid);
      const canary = await runCanary(stack);
      const gatewayCpuPercentOfOneCore = cpu();
      phases[name] = { canary, gatewayCpuPercentOfOneCore, ...(bodies === undefined ? {} : { bodies: await bodies.stop() }), ...(slowloris === undefined ? {} : { slowloris: await slowloris.stop() }) };
      // Let the gateway drop what the attack left behind before the next phase.
      await sleep(3_000);
    }
  } finally {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  }
  return phases;
}

/** Starts measuring the gateway process's CPU; the function returned gives its use since, in percent of one core. */
function measureCpu(pid: number): () => number {
  const startCpu = cpuTime(pid).process;
  const started = performance.now();
  return () => round(((cpuTime(pid).process - startCpu) / (performance.now() - started)) * 100);
}

async function runCanaryWarmUp(stack: MultiProcessStack): Promise<void> {
  for (let index = 0; index < 50; index += 1) await stack.request("{ models { totalCount } }");
}

const report: Record<string, unknown> = {
  machine: await describeMachine(),
  settings: { phaseSeconds: phaseMillis / 1_000, canaryIntervalMillis, attackers: attackerCount, attackRequestsPerSecond, bodyBytes, slowloris: slowlorisCount, slowlorisByteMillis },
  current: await measureStack(undefined),
};
if (values["compare-root"] !== undefined) report.compared = { root: values["compare-root"], ...(await measureStack(values["compare-root"])) };
console.log(JSON.stringify(report, null, 2));

/**
 * Memory per idle federated subscription in the gateway. N graphql-ws clients each open one
 * subscription through the gateway to the test `ticker` subgraph; each gets its first event (with
 * an `Item` entity field resolved through the `items` subgraph: the full federated path) and then
 * stays open and silent. The gateway runs in its own process, so its memory (RSS and V8 heap after
 * a full GC) is measured alone; the subgraphs run in a third. Loopback only; the script stops by
 * itself (target reached, an error, the memory cap, or --max-seconds).
 *
 *   node --import tsx bench/gateway-idle-subscriptions.ts [--subscriptions 10000] [--batch 200]
 *     [--idle-seconds 15] [--max-seconds 600] [--max-gateway-rss-mb 3072]
 *
 * Target (issue): 10,000 idle subscriptions in under 1 GB of gateway memory. Each subscription
 * holds one socket in the gateway (its client's; subscriptions to a subgraph share one upstream
 * connection), so N is capped by the open-file limit (`ulimit -n`) of the gateway and of the
 * client process: raise it (`ulimit -n 20000`) to reach 10,000.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { composeTestSupergraph } from "../test/gateway/subscriptions/subscription-test-stack.ts";
import { itemsTypeDefs, testSigningSecret, tickerTypeDefs } from "../test/gateway/subscriptions/test-subgraphs.ts";
import type { ChildMeasurement, ChildMessage, ChildRequest } from "./gateway-idle-subscriptions-child.ts";
import { describeMachine } from "./measure.ts";

const { values } = parseArgs({
  options: {
    subscriptions: { type: "string", default: "10000" },
    batch: { type: "string", default: "200" },
    "idle-seconds": { type: "string", default: "15" },
    "max-seconds": { type: "string", default: "600" },
    "max-gateway-rss-mb": { type: "string", default: "3072" },
  },
});
const target = Number(values.subscriptions);
const batchSize = Number(values.batch);
const idleSeconds = Number(values["idle-seconds"]);
const deadline = Date.now() + Number(values["max-seconds"]) * 1000;
const maxGatewayRssBytes = Number(values["max-gateway-rss-mb"]) * 2 ** 20;
const fileLimit = Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim()) || 1024;
// One socket per subscription in the gateway and in the client process, plus what each process opens besides.
const reachable = fileLimit - 256;
const planned = Math.min(target, reachable);
if (planned < target) console.error(`open-file limit ${fileLimit}: capping at ${planned} subscriptions (raise it with ulimit -n to reach ${target})`);

const Idle = `subscription Idle { ticks(count: 2, intervalMillis: 3600000) { n item { name } } }`;
const childScript = new URL("./gateway-idle-subscriptions-child.ts", import.meta.url).pathname;

/** A child process and request/response over IPC. */
class Child {
  readonly process: ChildProcess;
  readonly ready: Promise<Extract<ChildMessage, { type: "ready" }>>;
  #nextId = 1;
  readonly #waiting = new Map<number, (message: ChildMessage) => void>();

  constructor(role: string, environment: NodeJS.ProcessEnv) {
    this.process = spawn(process.execPath, ["--expose-gc", "--import", "tsx", childScript, "--role", role], {
      env: { ...process.env, ...environment },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.ready = new Promise((resolve, reject) => {
      this.process.once("exit", (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
      this.process.on("message", (message: ChildMessage) => {
        if (message.type === "ready") resolve(message);
        else this.#waiting.get(message.id)?.(message);
      });
    });
  }

  request(type: ChildRequest["type"], timeoutMillis = 30_000): Promise<ChildMessage> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${type} timed out`)), timeoutMillis);
      this.#waiting.set(id, (message) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(message);
      });
      this.process.send({ id, type } satisfies ChildRequest);
    });
  }

  async measure(): Promise<ChildMeasurement> {
    return (await this.request("measure")) as ChildMeasurement;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    await this.request("stop", 10_000).catch(() => this.process.kill("SIGKILL"));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
  }
}

interface OpenSubscription {
  client: Client;
  ended: boolean;
}

/** Opens one subscription and resolves once its first event (with the entity field) arrived. */
function openSubscription(url: string, apiKey: string, onEnd: (reason: string) => void): Promise<OpenSubscription> {
  const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${apiKey}` } });
  const open: OpenSubscription = { client, ended: false };
  return new Promise((resolve, reject) => {
    let first = true;
    const timer = setTimeout(() => reject(new Error("no first event within 30 s")), 30_000);
    client.subscribe(
      { query: Idle },
      {
        next: (result) => {
          if (!first) return;
          first = false;
          clearTimeout(timer);
          const name = (result.data as { ticks?: { item?: { name?: string } } } | undefined)?.ticks?.item?.name;
          if (name === undefined) reject(new Error(`unexpected first event ${JSON.stringify(result)}`));
          else resolve(open);
        },
        error: (error) => {
          open.ended = true;
          clearTimeout(timer);
          const reason = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
          if (first) reject(new Error(reason));
          else onEnd(reason);
        },
        complete: () => {
          open.ended = true;
          if (!first) onEnd("completed early");
        },
      },
    );
  });
}

const mebibytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const kibibytes = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

const directory = await mkdtemp(join(tmpdir(), "bench-idle-subscriptions-"));
const environment: NodeJS.ProcessEnv = {
  DATA_DIR: directory,
  LOG_LEVEL: "warn",
  INTERNAL_SIGNING_SECRET: testSigningSecret,
  SUPERGRAPH_PATH: join(directory, "supergraph.graphql"),
  SUPERGRAPH_WATCH: "false",
  GATEWAY_PORT: "0",
  // Loopback only: no usage metrics to Apollo, no cloud-metadata probes from the gateway.
  APOLLO_TELEMETRY_DISABLED: "true",
  NODE_ENV: "production",
  // Every socket comes from one loopback address: its upgrades must not count against a per-address limit.
  RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: "0",
};
const subgraphs = new Child("subgraphs", environment);
let gateway: Child | undefined;
const opened: OpenSubscription[] = [];
try {
  const { tickerUrl, itemsUrl } = await subgraphs.ready;
  if (tickerUrl === undefined || itemsUrl === undefined) throw new Error("subgraph URLs missing");
  await writeFile(
    environment.SUPERGRAPH_PATH ?? "",
    composeTestSupergraph([
      { name: "ticker", url: tickerUrl, typeDefs: tickerTypeDefs() },
      { name: "items", url: itemsUrl, typeDefs: itemsTypeDefs },
    ]),
  );
  const config = loadGatewayConfig(environment);
  const infrastructure = await connectSharedInfrastructure(config, createLogger("bench", "error"));
  const { key } = await issueApiKey(createApiKeyStore(config, infrastructure), "bench", ["member"], "idle subscriptions benchmark");
  await infrastructure.close();

  gateway = new Child("gateway", environment);
  const { gatewayUrl } = await gateway.ready;
  if (gatewayUrl === undefined) throw new Error("gateway URL missing");
  const webSocketUrl = gatewayUrl.replace(/^http/, "ws");

  // Warm up code paths and the plan cache, then take the baseline.
  const warm = await openSubscription(webSocketUrl, key, () => undefined);
  await warm.client.dispose();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baseline = await gateway.measure();

  let endedEarly = 0;
  let firstError: string | undefined;
  let stopReason = "target reached";
  const checkpoints: Record<string, unknown>[] = [];
  const started = Date.now();
  while (opened.length < planned) {
    if (Date.now() > deadline) {
      stopReason = "max-seconds";
      break;
    }
    const size = Math.min(batchSize, planned - opened.length);
    const results = await Promise.allSettled(
      Array.from({ length: size }, () =>
        openSubscription(webSocketUrl, key, (reason) => {
          endedEarly += 1;
          firstError ??= reason;
        }),
      ),
    );
    for (const result of results) {
      if (result.status === "fulfilled") opened.push(result.value);
      else firstError ??= String(result.reason);
    }
    if (results.some((result) => result.status === "rejected")) {
      stopReason = "an error";
      break;
    }
    const step = Math.max(batchSize, Math.ceil(planned / 10 / batchSize) * batchSize);
    if (opened.length % step === 0 || opened.length === planned) {
      const measurement = await gateway.measure();
      checkpoints.push({
        subscriptions: opened.length,
        gatewayRssMiB: mebibytes(measurement.rssBytes),
        gatewayHeapUsedMiB: mebibytes(measurement.heapUsedBytes),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
      console.error(`${opened.length} subscriptions: gateway RSS ${mebibytes(measurement.rssBytes)} MiB, heap ${mebibytes(measurement.heapUsedBytes)} MiB`);
      if (measurement.rssBytes > maxGatewayRssBytes) {
        stopReason = "max-gateway-rss-mb";
        break;
      }
    }
  }
  const rampSeconds = (Date.now() - started) / 1000;

  // Idle: the subscriptions must survive keep-alive rounds (pings every 12 s) without traffic.
  const idleUntil = Math.min(deadline, Date.now() + idleSeconds * 1000);
  while (Date.now() < idleUntil) await new Promise((resolve) => setTimeout(resolve, 250));
  const final = await gateway.measure();
  const subgraphMemory = await subgraphs.measure();
  const reached = opened.filter((subscription) => !subscription.ended).length;
  const perSubscription = (key: "rssBytes" | "heapUsedBytes" | "externalBytes") => (reached === 0 ? Number.NaN : (final[key] - baseline[key]) / reached);

  const report = {
    benchmark: "gateway-idle-subscriptions",
    machine: await describeMachine(),
    openFileLimit: fileLimit,
    target,
    planned,
    reached,
    endedEarly,
    stopReason,
    firstError,
    rampSeconds: Math.round(rampSeconds * 10) / 10,
    idleSeconds,
    gateway: {
      baseline: { rssMiB: mebibytes(baseline.rssBytes), heapUsedMiB: mebibytes(baseline.heapUsedBytes) },
      final: {
        rssMiB: mebibytes(final.rssBytes),
        heapUsedMiB: mebibytes(final.heapUsedBytes),
        externalMiB: mebibytes(final.externalBytes),
        activeSubscriptions: final.activeSubscriptions,
        upstreamSubscriptions: final.upstreamSubscriptions,
      },
      perSubscriptionKiB: { rss: kibibytes(perSubscription("rssBytes")), heapUsed: kibibytes(perSubscription("heapUsedBytes")), external: kibibytes(perSubscription("externalBytes")) },
      projectedRssMiBAt10k: mebibytes(baseline.rssBytes + perSubscription("rssBytes") * 10_000),
    },
    subgraphs: { rssMiB: mebibytes(subgraphMemory.rssBytes), activeStreams: subgraphMemory.activeStreams },
    checkpoints,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await Promise.all(opened.map((subscription) => subscription.client.dispose()));
  await gateway?.stop();
  await subgraphs.stop();
  await rm(directory, { recursive: true, force: true });
}

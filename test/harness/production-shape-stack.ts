/**
 * The stack in production shape on loopback, as a Kubernetes deployment runs it: a real
 * redis-server carrying all shared state, 1 model registry, 3 inference, 1 retrieval, 2 usage and
 * 2 gateway processes (`node --import tsx <entry point>`), a per-connection round-robin balancer in
 * front of the gateways (the client-facing Service) and one in front of the inference replicas (the
 * Service retrieval calls). The gateways reach each subgraph's replicas through `<NAME>_URLS` (what
 * the DNS of a headless Service gives them). Each process has its own data directory, as pods do.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import type { Role } from "../../platform/context/request-context.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { parseExposition, type MetricSample } from "./metric-samples.ts";
import { findFreePort, type TestRedisServer } from "./redis-server.ts";
import { RoundRobinBalancer } from "./round-robin-balancer.ts";
import { temporaryDirectory } from "./temporary-directory.ts";
import { testEngineAllowedHosts } from "./test-stack.ts";
import { testRateLimits } from "./test-rate-limits.ts";

export type ServiceRole = "model-registry" | "inference" | "retrieval" | "usage" | "gateway";

const entryPoints: Record<ServiceRole, string> = {
  "model-registry": "subgraphs/model-registry/main.ts",
  inference: "subgraphs/inference/main.ts",
  retrieval: "subgraphs/retrieval/main.ts",
  usage: "subgraphs/usage/main.ts",
  gateway: "gateway/main.ts",
};

const portVariables: Record<ServiceRole, string> = {
  "model-registry": "MODEL_REGISTRY_PORT",
  inference: "INFERENCE_PORT",
  retrieval: "RETRIEVAL_PORT",
  usage: "USAGE_PORT",
  gateway: "GATEWAY_PORT",
};

/** One service process; `restart` starts it again on the same port and data directory (a pod restarted in place). */
export class ServiceProcess {
  readonly role: ServiceRole;
  /** `<role>-<index>`, e.g. `inference-2`. */
  readonly name: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly #environment: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #output = "";
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(role: ServiceRole, name: string, port: number, environment: NodeJS.ProcessEnv) {
    this.role = role;
    this.name = name;
    this.origin = `http://127.0.0.1:${port}`;
    this.#environment = { ...environment, [portVariables[role]]: String(port) };
  }

  get graphqlUrl(): string {
    return `${this.origin}/graphql`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The process id of the running process (-1 before the first start). */
  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  /** What the process printed (warnings and errors: LOG_LEVEL=warn), for failure messages. */
  output(): string {
    return this.#output;
  }

  /** Resolves with the exit code (null when a signal ended it). */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  /** Spawns the process and waits until `/readyz` answers 200. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", entryPoints[this.role]], { cwd: projectRoot, env: this.#environment, stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.#exited = once(child, "exit").then(([code]) => code as number | null);
    const append = (chunk: Buffer) => {
      this.#output += `${this.name}| ${chunk.toString()}`;
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) assert.fail(`${this.name} exited during start-up (${child.exitCode}):\n${this.#output}`);
      if (await fetch(`${this.origin}/readyz`).then((response) => response.ok, () => false)) return;
      if (Date.now() > deadline) assert.fail(`${this.name} was not ready after 120 s:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `signal` (SIGKILL is kill -9) and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.#child?.kill(signal);
    return this.#exited;
  }

  /** Its Prometheus samples now. */
  async metrics(): Promise<MetricSample[]> {
    const response = await fetch(`${this.origin}/metrics`);
    assert.equal(response.status, 200, `${this.name} /metrics`);
    return parseExposition(await response.text());
  }
}

export interface ProductionShapeOptions {
  redis: TestRedisServer;
  /** Variables for every process (after the harness's own). */
  environment?: NodeJS.ProcessEnv;
  /** Variables for the processes of one role, after `environment`. */
  roleEnvironment?: Partial<Record<ServiceRole, NodeJS.ProcessEnv>>;
  /** Replicas per role. Default: 1 registry, 3 inference, 1 retrieval, 2 usage, 2 gateways. */
  replicas?: Partial<Record<ServiceRole, number>>;
}

export interface ProductionShapeStack {
  /** The Redis key prefix of this stack (its own, on the shared test server). */
  prefix: string;
  services: Record<ServiceRole, ServiceProcess[]>;
  /** The client-facing balancer in front of the gateways. */
  gatewayBalancer: RoundRobinBalancer;
  /** `http://…/graphql` through the gateway balancer. */
  graphqlUrl: string;
  /** `ws://…/graphql` through the gateway balancer. */
  webSocketUrl: string;
  /** A platform-admin and tenant-admin key of tenant `operators`. */
  adminKey: string;
  /** Issues a key in `tenantId` with `roles` straight in the shared store (as `npm run api-keys` does). */
  issueKey(tenantId: string, roles: Role[]): Promise<string>;
  /** POSTs to the gateway balancer with `key`; returns the body. */
  post<T>(key: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Like `post`, but fails the test on any error. */
  request<T>(key: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Every process's output, for failure messages. */
  output(): string;
  /** SIGKILL to every process; closes the balancers. */
  stop(): Promise<void>;
}

const defaultReplicas: Record<ServiceRole, number> = { "model-registry": 1, inference: 3, retrieval: 1, usage: 2, gateway: 2 };
/** Start order: what others depend on first; the gateways last (they compose over the subgraphs' replicas). */
const startOrder: readonly ServiceRole[] = ["model-registry", "usage", "inference", "retrieval", "gateway"];

export async function startProductionShapeStack(options: ProductionShapeOptions): Promise<ProductionShapeStack> {
  const prefix = options.redis.uniquePrefix();
  const replicas = { ...defaultReplicas, ...options.replicas };
  const ports = Object.fromEntries(await Promise.all(startOrder.map(async (role) => [role, await Promise.all(Array.from({ length: replicas[role] }, () => findFreePort()))] as const))) as Record<ServiceRole, number[]>;
  const urls = (role: ServiceRole) => ports[role].map((port) => `http://127.0.0.1:${port}/graphql`);
  const inferenceBalancer = await RoundRobinBalancer.start(urls("inference"));
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...testRateLimits,
    STORE_BACKEND: "redis",
    REDIS_URL: options.redis.url,
    REDIS_KEY_PREFIX: prefix,
    INTERNAL_SIGNING_SECRET: "production-shape-signing-secret-0123456789",
    ENGINE_ALLOWED_HOSTS: testEngineAllowedHosts,
    SUPERGRAPH_WATCH: "false",
    LLAMA_CPP_THREADS: "1",
    LOG_LEVEL: "warn",
    // Peers through their Services: retrieval reaches inference through the balancer.
    INFERENCE_URL: `${inferenceBalancer.origin}/graphql`,
    RETRIEVAL_URL: urls("retrieval")[0],
    ...options.environment,
  };
  const gatewayEnvironment: NodeJS.ProcessEnv = {
    MODEL_REGISTRY_URLS: urls("model-registry").join(","),
    INFERENCE_URLS: urls("inference").join(","),
    RETRIEVAL_URLS: urls("retrieval").join(","),
    USAGE_URLS: urls("usage").join(","),
    // Health checks often enough that a dead replica leaves the rotation within a second.
    UPSTREAM_HEALTH_CHECK_MILLIS: "500",
  };
  const services = { "model-registry": [], inference: [], retrieval: [], usage: [], gateway: [] } as Record<ServiceRole, ServiceProcess[]>;
  const all = () => startOrder.flatMap((role) => services[role]);
  const balancers: RoundRobinBalancer[] = [inferenceBalancer];
  const stop = async () => {
    await Promise.all(all().map((service) => service.kill("SIGKILL")));
    for (const balancer of balancers) await balancer.close();
  };
  try {
    for (const role of startOrder) {
      const created = await Promise.all(
        ports[role].map(async (port, index) => {
          const dataDirectory = await temporaryDirectory(`production-shape-${role}-${index + 1}`);
          const environment = { ...base, ...(role === "gateway" ? gatewayEnvironment : {}), DATA_DIR: dataDirectory, ...options.roleEnvironment?.[role] };
          return new ServiceProcess(role, `${role}-${index + 1}`, port, environment);
        }),
      );
      services[role] = created;
      // Replicas of one role start together, as a Deployment's pods do.
      await Promise.all(created.map((service) => service.start()));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const gatewayBalancer = await RoundRobinBalancer.start(services.gateway.map((gateway) => gateway.origin));
  balancers.push(gatewayBalancer);

  const gatewayConfig = loadGatewayConfig({ ...base, DATA_DIR: await temporaryDirectory("production-shape-keys") });
  const issueKey = async (tenantId: string, roles: Role[]) => {
    const infrastructure = await connectSharedInfrastructure(gatewayConfig, createLogger("test", "error"));
    try {
      return (await issueApiKey(createApiKeyStore(gatewayConfig, infrastructure), tenantId, roles, `production-shape ${tenantId}`)).key;
    } finally {
      await infrastructure.close();
    }
  };
  const adminKey = await issueKey("operators", ["platform-admin", "tenant-admin"]);
  const graphqlUrl = `${gatewayBalancer.origin}/graphql`;
  const output = () => all().map((service) => service.output()).join("");
  const post = async <T>(key: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) }).catch((error: unknown) => {
      throw new Error(`POST ${graphqlUrl} failed: ${String((error as { cause?: unknown }).cause ?? error)}`);
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  };
  return {
    prefix,
    services,
    gatewayBalancer,
    graphqlUrl,
    webSocketUrl: graphqlUrl.replace(/^http/, "ws"),
    adminKey,
    issueKey,
    post,
    request: async <T>(key: string, query: string, variables: Record<string, unknown> = {}) => {
      const body = await post<T>(key, query, variables);
      if (body.errors !== undefined || body.data === undefined) assert.fail(`the gateway answered ${JSON.stringify(body)}\n${output()}`);
      return body.data;
    },
    output,
    stop,
  };
}

/** The sum of a metric's samples whose labels include `labels`. */
export function sumOf(samples: readonly MetricSample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)).reduce((total, sample) => total + sample.value, 0);
}

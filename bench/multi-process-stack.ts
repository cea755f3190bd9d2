/**
 * The stack as `npm start` runs it, for benchmarks: the model registry, inference, retrieval and
 * usage subgraphs and the gateway, each in its own Node.js process (`node --import tsx <entry>`,
 * the entry points of `platform/service-catalog.ts`), on free ports, with embedded stores in one
 * data directory. The benchmark process issues an admin key before the gateway starts and talks to
 * the gateway like any client.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { environmentStem, subgraphCatalog } from "../platform/service-catalog.ts";
import { bundleArguments } from "../scripts/build/build-entries.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { findFreePort } from "../test/harness/redis-server.ts";
import { testRateLimits } from "../test/harness/test-rate-limits.ts";

export interface MultiProcessStack {
  /** `http://127.0.0.1:<port>/graphql` of the gateway. */
  graphqlUrl: string;
  /** The same endpoint for graphql-ws. */
  webSocketUrl: string;
  /** An admin API key of tenant `bench`. */
  key: string;
  /** Each subgraph's own GraphQL URL, by name: to call one past the gateway (with a signed context). */
  subgraphUrls: Record<string, string>;
  /** Process ids by service name (`gateway`, `inference`...). */
  pids: Record<string, number>;
  /** Sends a GraphQL request to the gateway with the key; throws on errors. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** SIGTERM to the gateway first, then the subgraphs, as `npm start` does on Ctrl-C. */
  stop(): Promise<void>;
}

export interface MultiProcessStackOptions {
  /** Variables for every service (DATA_DIR, MODELS_DIR, LLAMA_CPP_*...); ports are chosen here. */
  environment: NodeJS.ProcessEnv;
  /** Extra `node` arguments per service name, e.g. `{ inference: ["--cpu-prof", "--cpu-prof-dir=/tmp/p"] }`. */
  nodeArguments?: Record<string, string[]>;
  /** Checkout whose entry points run, to compare two versions in one run. Default: this one. */
  root?: string;
  /**
   * Run each service's bundle, `node --enable-source-maps dist/<service>.js`, as `npm start` and
   * the images do, instead of its TypeScript through tsx (whose module hooks run on every
   * `require`, e.g. the one @apollo/utils.createhash makes per query hash). Build the bundles first
   * (`buildServices`, scripts/build/build-services.ts). Default false.
   */
  compiled?: boolean;
}

const readinessTimeoutMillis = 60_000;

export async function startMultiProcessStack(options: MultiProcessStackOptions): Promise<MultiProcessStack> {
  const ports: Record<string, string> = { GATEWAY_PORT: String(await findFreePort()) };
  for (const subgraph of subgraphCatalog) ports[`${environmentStem(subgraph.name)}_PORT`] = String(await findFreePort());
  // What `npm start` passes its children (its own environment), with quiet logs and free ports, and
  // rate limits no load test reaches (one key, one address) unless the benchmark sets its own.
  const environment: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", ENGINE_ALLOWED_HOSTS: "127.0.0.0/8,::1", ...testRateLimits, ...options.environment, ...ports };
  const gatewayConfig = loadGatewayConfig(environment);
  const infrastructure = await connectSharedInfrastructure(gatewayConfig, createLogger("bench", "error"));
  const { key } = await issueApiKey(createApiKeyStore(gatewayConfig, infrastructure), "bench", ["platform-admin", "tenant-admin"], "benchmark");
  await infrastructure.close();

  const children: { name: string; process: ChildProcess }[] = [];
  const stop = async () => {
    for (const { process: child } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const start = async (name: string, entryPoint: string, readinessUrl: string) => {
    const program = options.compiled === true ? bundleArguments(name) : ["--import", "tsx", entryPoint];
    const child = spawn(process.execPath, [...(options.nodeArguments?.[name] ?? []), ...program], { cwd: options.root ?? projectRoot, env: environment, stdio: ["ignore", "pipe", "pipe"] });
    children.push({ name, process: child });
    for (const stream of [child.stdout, child.stderr]) {
      // Warnings and errors only (LOG_LEVEL=warn); the gateway's development-key line is not one.
      createInterface({ input: stream }).on("line", (line) => {
        if (!line.startsWith("Created tenant") && !line.startsWith("  ")) console.error(`${name.padEnd(15)}| ${line}`);
      });
    }
    const deadline = Date.now() + readinessTimeoutMillis;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start-up (code ${child.exitCode})`);
      try {
        if ((await fetch(readinessUrl, { signal: AbortSignal.timeout(1_000) })).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${name} was not ready at ${readinessUrl}`);
  };
  try {
    for (const subgraph of subgraphCatalog) {
      await start(subgraph.name, subgraph.entryPoint, `${new URL(gatewayConfig.subgraphUrls[subgraph.name] ?? "").origin}/readyz`);
    }
    await start("gateway", "gateway/main.ts", `http://127.0.0.1:${ports.GATEWAY_PORT}/readyz`);
  } catch (error) {
    await stop();
    throw error;
  }
  const graphqlUrl = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
  return {
    graphqlUrl,
    webSocketUrl: graphqlUrl.replace(/^http/, "ws"),
    key,
    subgraphUrls: gatewayConfig.subgraphUrls,
    pids: Object.fromEntries(children.map(({ name, process: child }) => [name, child.pid ?? -1])),
    request: async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors !== undefined || body.data === undefined) throw new Error(`gateway answered ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
      return body.data;
    },
    stop,
  };
}

/** Registers a local GGUF file (relative to MODELS_DIR, or absolute) through the gateway. */
export async function registerGgufModel(stack: MultiProcessStack, model: { id: string; modelPath: string; contextLength: number; capabilities: string[]; embeddingDimensions?: number }): Promise<void> {
  await stack.request("mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
    input: {
      id: model.id,
      displayName: model.id,
      family: "llama",
      capabilities: model.capabilities,
      contextLength: model.contextLength,
      ...(model.embeddingDimensions === undefined ? {} : { embeddingDimensions: model.embeddingDimensions }),
      engine: { kind: "LLAMA_CPP", modelPath: model.modelPath },
      pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 },
    },
  });
}

export interface CpuTime {
  /** User + system CPU time of every thread of the process, in milliseconds. */
  process: number;
  /** The same for its main thread alone (the event loop; llama.cpp decodes on other threads). */
  mainThread: number;
}

/** CPU time a process has used so far, from /proc (Linux); clock ticks are 10 ms. */
export function cpuTime(pid: number): CpuTime {
  const read = (path: string) => {
    const stat = readFileSync(path, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return { process: read(`/proc/${pid}/stat`), mainThread: read(`/proc/${pid}/task/${pid}/stat`) };
}

export interface RealModelStack {
  stack: MultiProcessStack;
  /** SmolLM2-135M-Instruct Q4_1, registered as `smollm2`. */
  chatModelPath: string;
  /** all-MiniLM-L6-v2 converted to GGUF by the project, registered as `minilm` when asked for. */
  embeddingModelPath: string | undefined;
  /** What every service was started with (DATA_DIR, MODELS_DIR, LLAMA_CPP_*). */
  environment: NodeJS.ProcessEnv;
  /** A graphql-ws client of the gateway with the admin key; not lazy: its socket stays open between operations, as an app's does. */
  gatewayClient(): Client;
  /** Stops the stack and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * The multi-process stack on a fresh data directory, with the real models (cached by the test
 * harness under ~/.cache/federated-ai-graph/models) linked into its MODELS_DIR and registered
 * through the gateway.
 */
export async function startRealModelStack(options: { environment: NodeJS.ProcessEnv; embedding?: boolean; nodeArguments?: Record<string, string[]>; root?: string }): Promise<RealModelStack> {
  const models = await provisionRealModels();
  const embeddingModelPath = options.embedding === true ? await realEmbeddingModelPath(models) : undefined;
  const directory = await mkdtemp(join(tmpdir(), "bench-multi-process-"));
  const modelsDirectory = join(directory, "models");
  await mkdir(modelsDirectory);
  for (const path of [models.chatModelPath, embeddingModelPath]) if (path !== undefined) await symlink(path, join(modelsDirectory, basename(path)));
  const environment: NodeJS.ProcessEnv = { DATA_DIR: directory, MODELS_DIR: modelsDirectory, ...options.environment };
  const clients: Client[] = [];
  let stack: MultiProcessStack;
  try {
    stack = await startMultiProcessStack({ environment, ...(options.nodeArguments === undefined ? {} : { nodeArguments: options.nodeArguments }), ...(options.root === undefined ? {} : { root: options.root }) });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  try {
    const contextLength = Number(environment.LLAMA_CPP_MAX_CONTEXT_LENGTH ?? 8192);
    await registerGgufModel(stack, { id: "smollm2", modelPath: basename(models.chatModelPath), contextLength: Math.min(contextLength, 8192), capabilities: ["CHAT", "COMPLETION"] });
    if (embeddingModelPath !== undefined) {
      await registerGgufModel(stack, { id: "minilm", modelPath: basename(embeddingModelPath), contextLength: 512, capabilities: ["EMBEDDING"], embeddingDimensions: 384 });
    }
  } catch (error) {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    stack,
    chatModelPath: models.chatModelPath,
    embeddingModelPath,
    environment,
    gatewayClient: () => {
      const client = createClient({ url: stack.webSocketUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.key}` }, retryAttempts: 0, lazy: false });
      clients.push(client);
      return client;
    },
    stop: async () => {
      for (const client of clients) await client.dispose();
      await stack.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

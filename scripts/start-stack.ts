/**
 * `npm start`: the whole stack on one machine, each service in its own process on its own port as
 * in production. Subgraphs start first, together; the gateway once they are ready. On embedded defaults every
 * start makes sure the demo models exist (real ones by default, see demo-models.ts). Ctrl-C stops
 * the gateway first (no new requests reach the subgraphs), then the subgraphs, each finishing
 * in-flight work.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { ensureDevelopmentKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig, type GatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { composeSupergraph } from "../gateway/supergraph/compose-supergraph.ts";
import { ConfigurationError, type ConfigurationProblem } from "../platform/config/parse-environment.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { formatLogLineForTerminal } from "../platform/logging/terminal-format.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { subgraphCatalog } from "../platform/service-catalog.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { buildEntries, bundleArguments } from "./build/build-entries.ts";
import { buildServices } from "./build/build-services.ts";
import { staleBuildReason } from "./build/build-staleness.ts";
import { seedDemoModels, type DemoSeedingReport } from "./demo-models.ts";
import { loadDemoModelsSetting, type DemoModelsSetting } from "./demo-models-setting.ts";
import { downloadProgress } from "./download-progress.ts";
import { RegistryServiceClient } from "./registry-service-client.ts";
import { formatBanner } from "./start-banner.ts";

const readinessTimeoutMillis = 60_000;
const children: { name: string; process: ChildProcess }[] = [];
let stopping = false;

async function main(): Promise<void> {
  let settings: StartSettings;
  try {
    settings = loadStartSettings();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const { config, demoModels } = settings;
  await recomposeIfStale();
  await rebuildIfStale();
  // Printed at once: anything below may fail or be interrupted, and the key is never shown again.
  const developmentKey = await prepareDevelopmentKey(config);
  if (developmentKey !== undefined) console.log(`Created tenant "dev" with a platform-admin API key. It is shown only now; keep it:\n  ${developmentKey}`);

  // Subgraphs start together (each is a process of its own; nothing in their start-up waits for
  // another): 7 s instead of 12 s one after the other on this 2-core box.
  const subgraphsReady = new Map(
    subgraphCatalog.map((subgraph) => {
      const child = startChild(subgraph.name);
      return [subgraph.name, waitUntilReady(subgraph.name, child, `${new URL(config.subgraphUrls[subgraph.name] ?? "").origin}/readyz`)] as const;
    }),
  );
  const allSubgraphsReady = Promise.all(subgraphsReady.values());
  await subgraphsReady.get("model-registry");
  const registry = await RegistryServiceClient.connect(config, config.subgraphUrls["model-registry"] ?? "");
  // Every start on embedded defaults makes sure the demo models exist, while the rest starts.
  const gatewayUrl = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
  const [seeding] = await Promise.all([
    config.storeBackend === "embedded" ? seedDemoModelsOrWarn(config, demoModels, registry) : Promise.resolve(undefined),
    allSubgraphsReady.then(() => waitUntilReady("gateway", startChild("gateway"), `${gatewayUrl}/readyz`)),
  ]);
  const models = await registry.list().catch((error: unknown) => ({ error: (error as Error).message }));
  console.log(`\n${formatBanner({ graphqlUrl: `${gatewayUrl}/graphql`, developmentKey, models, seeding, dataDirectory: config.dataDirectory })}`);
}

interface StartSettings {
  config: GatewayConfig;
  demoModels: DemoModelsSetting;
}

/** Every setting `npm start` reads; all bad variables are reported together. */
function loadStartSettings(): StartSettings {
  const problems: ConfigurationProblem[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const config = collect(() => loadGatewayConfig());
  const demoModels = collect(() => loadDemoModelsSetting());
  if (config === undefined || demoModels === undefined) throw new ConfigurationError(problems);
  return { config, demoModels };
}

/** Seeding never stops the stack: the banner then shows what the catalogue holds. */
async function seedDemoModelsOrWarn(config: GatewayConfig, setting: DemoModelsSetting, registry: RegistryServiceClient): Promise<DemoSeedingReport | undefined> {
  const log = (line: string) => console.log(`${"demo-models".padEnd(15)}| ${line}`);
  try {
    const report = await seedDemoModels({ config, setting, registry, log, onProgress: downloadProgress() });
    for (const model of report.registered) log(`registered ${model.id} (${model.kind === "real" ? "real weights" : "generated, random weights"})`);
    return report;
  } catch (error) {
    log(`could not make sure the demo models exist: ${(error as Error).message}`);
    return undefined;
  }
}

/** The committed supergraph is what production serves; rebuild it here if a subgraph SDL changed since. */
async function recomposeIfStale(): Promise<void> {
  const composed = await composeSupergraph(subgraphCatalog, `${projectRoot}/schema`);
  for (const [file, content] of [["supergraph.graphql", composed.supergraphSdl], ["api.graphql", composed.apiSchemaSdl]] as const) {
    const path = `${projectRoot}/schema/${file}`;
    if ((await readFile(path, "utf8").catch(() => "")) !== content) {
      await writeFile(path, content);
      console.log(`schema/${file} was stale: recomposed it.`);
    }
  }
}

/**
 * The services run compiled, as in production (`node dist/<service>.js`): half the start-up time
 * and a third less memory than compiling TypeScript at start (docs/BENCHMARKS.md). dist/ is rebuilt
 * first whenever a source changed since the last build.
 */
async function rebuildIfStale(): Promise<void> {
  const reason = await staleBuildReason();
  if (reason === undefined) return;
  console.log(`Building the services into dist/ (${reason})...`);
  await buildServices({ only: buildEntries.map((entry) => entry.name) });
}

async function prepareDevelopmentKey(config: GatewayConfig): Promise<string | undefined> {
  if (config.storeBackend !== "embedded") return undefined;
  const infrastructure = await connectSharedInfrastructure(config, createLogger("start", "warn"));
  try {
    return (await ensureDevelopmentKey(createApiKeyStore(config, infrastructure)))?.key;
  } finally {
    await infrastructure.close();
  }
}

/** Starts the bundle `dist/<name>.js` of a service (scripts/build/build-entries.ts). */
function startChild(name: string): ChildProcess {
  const child = spawn(process.execPath, bundleArguments(name), {
    cwd: projectRoot,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push({ name, process: child });
  if (child.stdout !== null) createInterface({ input: child.stdout }).on("line", (line) => showLine(name, line, process.stdout));
  if (child.stderr !== null) createInterface({ input: child.stderr }).on("line", (line) => showLine(name, line, process.stderr));
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); stopping the stack.`);
    void stopAll(1);
  });
  return child;
}

async function waitUntilReady(name: string, child: ChildProcess, readinessUrl: string): Promise<void> {
  const deadline = Date.now() + readinessTimeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up`);
    try {
      if ((await fetch(readinessUrl, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready at ${readinessUrl} within ${readinessTimeoutMillis / 1000} s`);
}

/**
 * Services log JSON lines for collectors. At a terminal each becomes one readable line (colored,
 * access lines condensed; platform/logging/terminal-format.ts), on stdout in arrival order. When
 * stdout is not a terminal (`npm start | tee`, a process manager collecting output), service output
 * passes through unchanged, logs on stderr as JSON, for whatever reads it.
 */
function showLine(service: string, line: string, passThrough: NodeJS.WriteStream): void {
  if (showForPerson) console.log(formatLogLineForTerminal(service, line, { color: process.stdout.hasColors?.() === true }));
  else passThrough.write(`${line}\n`);
}

const showForPerson = process.stdout.isTTY === true;

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Reverse start order: the gateway first, so subgraphs get no new work while they drain.
  for (const { process: child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  process.exit(exitCode);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stopAll(1);
});

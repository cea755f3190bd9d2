/**
 * Start-up time and memory of a service run compiled (`node dist/<name>.js`, after `npm run build`)
 * against TypeScript compiled at start (`node --import tsx <entry>.ts`, tsx's cache cold each run,
 * as in a fresh pod's emptyDir):
 *   npm run build && node --import tsx bench/service-start.ts [--runs 5] [--services model-registry,inference]
 * Compiled runs as the images do, without --enable-source-maps (which parses the maps at start: +35 MiB).
 * Time: process spawn to the first 200 from /readyz. Memory: VmRSS of the process right then.
 * Embedded stores in a fresh data directory per run; no models loaded.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildEntries } from "../scripts/build/build-entries.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { environmentStem, subgraphCatalog } from "../platform/service-catalog.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, services: { type: "string", default: "model-registry,inference" } } });
const runs = Number(values.runs);
const services = values.services.split(",");

interface Sample {
  readyMillis: number;
  rssMebibytes: number;
}

async function measure(service: string, mode: "compiled" | "tsx", port: number): Promise<Sample> {
  const entry = buildEntries.find((candidate) => candidate.name === service);
  if (entry === undefined) throw new Error(`unknown service ${service}`);
  const directory = await mkdtemp(join(tmpdir(), "service-start-"));
  const startedAt = performance.now();
  const argumentsList = mode === "compiled" ? [`dist/${service}.js`] : ["--import", "tsx", entry.source];
  const child = spawn(process.execPath, argumentsList, {
    cwd: projectRoot,
    // A fresh TMPDIR: tsx's compile cache starts cold, as in a new pod.
    env: { ...process.env, DATA_DIR: directory, TMPDIR: directory, LOG_LEVEL: "warn", [`${environmentStem(service)}_PORT`]: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false);
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const readyMillis = performance.now() - startedAt;
    const status = await readFile(`/proc/${child.pid}/status`, "utf8");
    const rssKibibytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return { readyMillis, rssMebibytes: rssKibibytes / 1024 };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    await rm(directory, { recursive: true, force: true });
  }
}

function summary(samples: Sample[]): string {
  const times = samples.map((sample) => sample.readyMillis).sort((a, b) => a - b);
  const memory = samples.map((sample) => sample.rssMebibytes).sort((a, b) => a - b);
  const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;
  return `ready ${(median(times) / 1000).toFixed(2)} s (${(times[0]! / 1000).toFixed(2)}-${(times.at(-1)! / 1000).toFixed(2)}), RSS ${median(memory).toFixed(0)} MiB (${memory[0]!.toFixed(0)}-${memory.at(-1)!.toFixed(0)})`;
}

let port = 4_950;
for (const service of services) {
  if (!subgraphCatalog.some((subgraph) => subgraph.name === service) && service !== "gateway") throw new Error(`unknown service ${service}`);
  for (const mode of ["tsx", "compiled"] as const) {
    const samples: Sample[] = [];
    // Alternating would mix caches between modes; runs of one mode back to back, each with a cold tsx cache.
    for (let run = 0; run < runs; run += 1) samples.push(await measure(service, mode, (port += 1)));
    console.log(`${service.padEnd(15)} ${mode.padEnd(9)} ${summary(samples)} over ${runs} runs`);
  }
}

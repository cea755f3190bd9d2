/**
 * A real Prometheus server for tests: the `prometheus` on PATH (or PROMETHEUS_PATH), else Debian's
 * `prometheus` package unpacked once under `~/.cache/federated-ai-graph/` (`apt-get download` and
 * `dpkg -x`: no root needed, nothing installed system-wide; the Go binaries are static). It scrapes
 * the targets it is given every second; tests query it over its HTTP API with PromQL. `promtool`
 * comes from the same package.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { findFreePort } from "./redis-server.ts";
import { temporaryDirectory } from "./temporary-directory.ts";

/** Where the unpacked package is kept: PROMETHEUS_CACHE_DIR, or `~/.cache/federated-ai-graph/prometheus`. */
const cacheDirectory = resolve(process.env.PROMETHEUS_CACHE_DIR ?? join(homedir(), ".cache", "federated-ai-graph", "prometheus"));

/** One scrape target: a job name and the base URL of a service whose `/metrics` it reads. */
export interface ScrapeTarget {
  job: string;
  url: string;
}

/** One series of an instant query's answer. */
export interface QuerySample {
  metric: Readonly<Record<string, string>>;
  value: number;
}

export interface TestPrometheus {
  /** Base URL of its HTTP API, e.g. `http://127.0.0.1:9091`. */
  url: string;
  /** Runs an instant PromQL query; throws with Prometheus' message when it is not valid PromQL. */
  query(promql: string): Promise<QuerySample[]>;
  /** Resolves once every target was scraped successfully at or after `sinceMillis` (epoch ms), so what happened before is in. */
  waitForScrapesAfter(sinceMillis: number): Promise<void>;
  stop(): Promise<void>;
}

/** The paths of `prometheus` and `promtool`, provisioned first when missing. */
export function prometheusBinaries(): { prometheus: string; promtool: string } {
  const configured = process.env.PROMETHEUS_PATH;
  if (configured !== undefined && configured !== "") return { prometheus: configured, promtool: join(configured, "..", "promtool") };
  const onPath = commandPath("prometheus");
  const promtoolOnPath = commandPath("promtool");
  if (onPath !== undefined && promtoolOnPath !== undefined) return { prometheus: onPath, promtool: promtoolOnPath };
  const unpacked = join(cacheDirectory, "usr", "bin");
  if (!existsSync(join(unpacked, "prometheus"))) unpackDebianPackage();
  return { prometheus: join(unpacked, "prometheus"), promtool: join(unpacked, "promtool") };
}

/** Starts Prometheus scraping `targets` every second, on a free port, with its data in a temporary directory. */
export async function startTestPrometheus(targets: readonly ScrapeTarget[]): Promise<TestPrometheus> {
  const { prometheus } = prometheusBinaries();
  const directory = await temporaryDirectory("test-prometheus");
  const configPath = join(directory, "prometheus.yml");
  await writeFile(
    configPath,
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "1s" },
      scrape_configs: targets.map(({ job, url }) => {
        const parsed = new URL(url);
        return { job_name: job, metrics_path: "/metrics", scheme: parsed.protocol.replace(":", ""), static_configs: [{ targets: [parsed.host] }] };
      }),
    }),
  );
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(prometheus, [`--config.file=${configPath}`, `--storage.tsdb.path=${join(directory, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  process.once("exit", () => child.kill("SIGKILL"));
  await waitUntilReady(url, child, () => output);

  const query = async (promql: string): Promise<QuerySample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== "success" || body.data === undefined) throw new Error(`PromQL ${promql}: ${body.error ?? response.status}`);
    if (body.data.resultType !== "vector") throw new Error(`PromQL ${promql}: expected a vector, got ${body.data.resultType}`);
    return body.data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
  };

  return {
    url,
    query,
    waitForScrapesAfter: async (sinceMillis) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        // `timestamp(up)` is when each target was last scraped (only of a plain selector: `timestamp(up == 1)`
        // would give the query's time); `up` is 1 when that scrape succeeded.
        const scraped = await query("timestamp(up) and on (job, instance) up == 1");
        const fresh = scraped.filter((sample) => sample.value * 1000 >= sinceMillis);
        if (fresh.length === targets.length) return;
        if (Date.now() > deadline) throw new Error(`Prometheus did not scrape every target after ${new Date(sinceMillis).toISOString()}: ${JSON.stringify(scraped)}\n${output}`);
        await new Promise((done) => setTimeout(done, 250));
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}: ${output()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`prometheus was not ready within 30 s: ${output()}`);
}

function commandPath(name: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

/**
 * Downloads Debian's `prometheus` package with apt-get (refreshing the package lists once when
 * they do not know it, which needs root) and unpacks it into the cache directory, beside its
 * final name first so two test processes never see half of it.
 */
function unpackDebianPackage(): void {
  const building = `${cacheDirectory}.building-${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(building, { recursive: true });
  try {
    console.warn(`Prometheus is not installed: unpacking Debian's prometheus package into ${cacheDirectory} (first run only)...`);
    let download = spawnSync("apt-get", ["download", "-qq", "prometheus"], { cwd: building, encoding: "utf8" });
    if (download.status !== 0 && process.getuid?.() === 0) {
      spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      download = spawnSync("apt-get", ["download", "-qq", "prometheus"], { cwd: building, encoding: "utf8" });
    }
    const packageFile = readdirSync(building).find((name) => name.startsWith("prometheus_") && name.endsWith(".deb"));
    if (download.status !== 0 || packageFile === undefined) {
      throw new Error(`Prometheus is not installed and \`apt-get download prometheus\` failed (${download.stderr.trim()}). Install it with \`sudo apt-get install prometheus\`, or set PROMETHEUS_PATH.`);
    }
    const unpack = spawnSync("dpkg", ["-x", packageFile, "."], { cwd: building, encoding: "utf8" });
    if (unpack.status !== 0) throw new Error(`dpkg -x ${packageFile} failed: ${unpack.stderr}`);
    rmSync(join(building, packageFile));
    mkdirSync(dirname(cacheDirectory), { recursive: true });
    try {
      renameSync(building, cacheDirectory);
    } catch (error) {
      // Another test process finished first: use its copy.
      if (!existsSync(join(cacheDirectory, "usr", "bin", "prometheus"))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

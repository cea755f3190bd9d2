/**
 * Cached Python virtual environments for test servers that come from the Python package index
 * (milvus-lite, llama-cpp-python's server): built once under `~/.cache/federated-ai-graph/`, beside
 * their final name, and renamed into place when complete, so two test processes building at once
 * never see a half-installed environment.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** Written last into a finished virtual environment: a directory without it is never used. */
const completeMarker = ".federated-ai-graph-complete";

/** Why a Python-based test server cannot be had here; suites skip with it outside CI and fail under CI=true. */
export class PythonEnvironmentUnavailableError extends Error {}

export interface PythonEnvironmentOptions {
  /** Directory name under `~/.cache/federated-ai-graph/`, e.g. `milvus-lite-3.2.0`. */
  name: string;
  /** Overrides the directory (an environment variable's value, when set). */
  directory?: string | undefined;
  /** `pip install` arguments, e.g. `["milvus-lite==3.2.0", "pymilvus==3.0.2"]`. */
  packages: readonly string[];
  /** Extra environment for pip (a source build's CMAKE_ARGS). */
  environment?: NodeJS.ProcessEnv;
  /** Printed before a build: what is installed and how long it takes. */
  announcement: string;
}

/** The python of the environment, built first when missing. */
export async function ensurePythonEnvironment(options: PythonEnvironmentOptions): Promise<string> {
  const directory = resolve(options.directory ?? join(homedir(), ".cache", "federated-ai-graph", options.name));
  const python = join(directory, "bin", "python");
  if (existsSync(join(directory, completeMarker))) return python;
  const basePython = findBasePython();
  const building = `${directory}.building-${process.pid}-${Date.now().toString(36)}`;
  await mkdir(dirname(directory), { recursive: true });
  try {
    console.warn(`${options.announcement} Into ${directory} (first run only)...`);
    run(basePython, ["-m", "venv", building], {}, "creating a Python virtual environment failed (on Debian/Ubuntu: apt-get install python3-venv)");
    run(
      join(building, "bin", "python"),
      ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", ...options.packages],
      options.environment ?? {},
      `pip install ${options.packages.join(" ")} failed`,
    );
    await writeFile(join(building, completeMarker), `${new Date().toISOString()}\n`);
    try {
      await rename(building, directory);
    } catch (error) {
      // Another process finished first — or something else is in the way.
      if (!existsSync(join(directory, completeMarker))) {
        throw new PythonEnvironmentUnavailableError(`${directory} exists but is not a finished environment (${String(error)}); delete it to have it rebuilt.`);
      }
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return python;
}

/** A Python 3.10 or newer. */
function findBasePython(): string {
  for (const candidate of ["python3", "python3.13", "python3.12", "python3.11", "python3.10"]) {
    const probe = spawnSync(candidate, ["-c", "import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  throw new PythonEnvironmentUnavailableError("Python 3.10 or newer is needed, and none was found (install python3 and python3-venv).");
}

function run(command: string, args: string[], environment: NodeJS.ProcessEnv, failure: string): void {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...environment }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const detail = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().slice(-2_000);
    throw new PythonEnvironmentUnavailableError(`${failure}: ${result.error?.message ?? detail}`);
  }
}

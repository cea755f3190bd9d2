/**
 * A real, independent OpenAI-compatible server for the engine's contract tests: llama-cpp-python's
 * `python -m llama_cpp.server`, serving real GGUF models on a free port. It comes from the Python
 * package index as source and builds llama.cpp with CMake: about 20 minutes once on two cores,
 * then cached under `~/.cache/federated-ai-graph/llama-cpp-python-<version>` (no prebuilt server
 * installs from the registries reachable here). Tests skip with the reason when it cannot be had,
 * except under CI=true, where they fail.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Socket } from "node:net";
import { ensurePythonEnvironment, PythonEnvironmentUnavailableError } from "./python-environment.ts";
import { findFreePort } from "./redis-server.ts";

export const llamaCppPythonVersion = "0.3.36";
const startTimeoutMillis = 120_000;
const stopGraceMillis = 5_000;

export interface LlamaCppPythonServerOptions {
  modelPath: string;
  /** The `model` name clients send. */
  alias: string;
  /** Tokens per sequence. */
  contextLength: number;
  /** Serve `/v1/embeddings` (an embedding model). Default false. */
  embedding?: boolean;
  /** CPU threads. Default 1: test files run two at a time on two cores. */
  threads?: number;
}

export interface LlamaCppPythonServer {
  /** `http://127.0.0.1:<port>/v1`, the engine's `baseUrl`. */
  baseUrl: string;
  /** The server process, for CPU-time checks. */
  pid: number;
  /** Sends `signal` (SIGKILL: a crash) and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface ProvisionedLlamaCppPython {
  python: string | undefined;
  skip: string | false;
}

/** The server's Python environment, built on first use. */
export async function provisionLlamaCppPython(): Promise<ProvisionedLlamaCppPython> {
  try {
    const python = await ensurePythonEnvironment({
      name: `llama-cpp-python-${llamaCppPythonVersion}`,
      directory: process.env.LLAMA_CPP_PYTHON_VENV,
      packages: [`llama-cpp-python[server]==${llamaCppPythonVersion}`],
      environment: {
        CMAKE_ARGS: "-DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF",
        CMAKE_BUILD_PARALLEL_LEVEL: "2",
      },
      announcement: `Building llama-cpp-python ${llamaCppPythonVersion} with its server (compiles llama.cpp: about 20 minutes on two cores).`,
    });
    return { python, skip: false };
  } catch (error) {
    if (!(error instanceof PythonEnvironmentUnavailableError) || process.env.CI === "true") throw error;
    console.warn(`SKIPPING llama-cpp-python tests: ${error.message}`);
    return { python: undefined, skip: error.message };
  }
}

/** Starts a server; the caller stops it. */
export async function startLlamaCppPythonServer(python: string, options: LlamaCppPythonServerOptions): Promise<LlamaCppPythonServer> {
  const port = await findFreePort();
  const child = spawn(
    python,
    [
      "-m",
      "llama_cpp.server",
      "--model",
      options.modelPath,
      "--model_alias",
      options.alias,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--n_ctx",
      String(options.contextLength),
      "--n_threads",
      String(options.threads ?? 1),
      // Its default cuts a running stream whenever another request arrives.
      "--interrupt_requests",
      "False",
      ...(options.embedding === true ? ["--embedding", "True"] : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (data: Buffer) => {
      output = (output + data.toString()).slice(-4_000);
    });
    if (stream instanceof Socket) stream.unref();
  }
  process.once("exit", () => child.kill("SIGKILL"));
  child.unref();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  try {
    await waitUntilServing(child, baseUrl, () => output);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  const server: LlamaCppPythonServer = {
    baseUrl,
    pid: child.pid ?? 0,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // Unreferenced so that a forgotten server never keeps tests alive; referenced again while
      // its exit is awaited, or the event loop could end first.
      child.ref();
      child.kill(signal);
      await exited;
    },
    stop: () => stopProcess(child),
  };
  // The caller stops it: node:test runs an `after` registered inside a `before` hook as soon as
  // that hook ends. A forgotten server dies with the test process (SIGKILL on exit).
  return server;
}

async function waitUntilServing(child: ChildProcess, baseUrl: string, output: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`llama-cpp-python exited (${child.exitCode ?? child.signalCode}) before serving at ${baseUrl}:\n${output()}`);
    }
    try {
      if ((await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`llama-cpp-python did not answer at ${baseUrl} within ${startTimeoutMillis / 1_000} s:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.ref();
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMillis);
  await exited;
  clearTimeout(timer);
}

import { spawn, type ChildProcess } from "node:child_process";
import { connect, Socket } from "node:net";
import { after } from "node:test";
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
import { ensurePythonEnvironment, PythonEnvironmentUnavailableError } from "./python-environment.ts";
import { findFreePort } from "./redis-server.ts";
import { temporaryDirectory } from "./temporary-directory.ts";

const milvusLiteVersion = "3.2.0";
const startTimeoutMillis = 60_000;
const stopGraceMillis = 5_000;

/** A real Milvus API (milvus-lite) started for a test file, on a free port, with a throwaway data directory. */
export interface TestMilvusServer {
  /** `host:port`, as `MilvusClient` takes it. */
  address: string;
  port: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}


export interface ProvisionedMilvus {
  /** The running server, when there is one. */
  server: TestMilvusServer | undefined;
  /** Why Milvus tests are skipped; pass as `describe(name, { skip })`. `false` when they run. */
  skip: string | false;
}

/**
 * Starts milvus-lite for the calling test file (stopped after it). If it cannot be had, Milvus
 * suites are skipped with the reason printed — except under CI=true, where this throws, so CI
 * never passes without having run them.
 */
export async function provisionMilvus(): Promise<ProvisionedMilvus> {
  try {
    const server = await startTestMilvus();
    after(() => server.stop());
    return { server, skip: false };
  } catch (error) {
    if (!(error instanceof PythonEnvironmentUnavailableError) || process.env.CI === "true") throw error;
    console.warn(`SKIPPING Milvus tests: ${error.message}`);
    return { server: undefined, skip: error.message };
  }
}

/** The server of a suite that was not skipped. */
export function requireMilvus(provisioned: ProvisionedMilvus): TestMilvusServer {
  if (provisioned.server === undefined) throw new Error("Milvus was not provisioned");
  return provisioned.server;
}

/**
 * Starts `milvus-lite server` from a cached Python virtual environment, creating the environment
 * (pip install from PyPI) the first time.
 */
export async function startTestMilvus(): Promise<TestMilvusServer> {
  const python = await ensureMilvusLiteEnvironment();
  const port = await findFreePort();
  const dataDirectory = await temporaryDirectory("test-milvus");
  // `python -m milvus_lite` rather than bin/milvus-lite: the script's shebang holds the path the
  // environment was built at, which a rename (see ensureMilvusLiteEnvironment) leaves stale.
  const child = spawn(python, ["-m", "milvus_lite", "server", "--data-dir", dataDirectory, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const remember = (data: Buffer) => {
    output = (output + data.toString()).slice(-4_000);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", remember);
    // Like the process itself, its pipes must not keep the test process alive.
    if (stream instanceof Socket) stream.unref();
  }
  // Never outlive the test process, even if a test forgets to stop it.
  process.once("exit", () => child.kill("SIGKILL"));
  child.unref();
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(child, address, () => output);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { address, port, stop: () => stopProcess(child) };
}

/** The python of a virtual environment with milvus-lite installed; builds it when missing. */
function ensureMilvusLiteEnvironment(): Promise<string> {
  return ensurePythonEnvironment({
    name: `milvus-lite-${milvusLiteVersion}`,
    directory: process.env.MILVUS_LITE_VENV,
    packages: [`milvus-lite==${milvusLiteVersion}`, "pymilvus==3.0.2"],
    announcement: `Installing milvus-lite ${milvusLiteVersion}.`,
  });
}

/** Resolves once the gRPC API answers a health check; rejects if the process dies or 60 s pass. */
async function waitUntilServing(child: ChildProcess, address: string, output: () => string): Promise<void> {
  const [host = "127.0.0.1", port] = address.split(":");
  const deadline = Date.now() + startTimeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`milvus-lite exited (${child.exitCode ?? child.signalCode}) before serving on ${address}:\n${output()}`);
    }
    // A plain TCP probe first: the SDK client retries for a long time against a closed port.
    if (await acceptsConnections(host, Number(port))) {
      const client = new MilvusClient({ address, timeout: 5_000 });
      try {
        const health = await client.checkHealth();
        if (health.isHealthy) return;
      } catch {
        // Not ready yet.
      } finally {
        await client.closeConnection().catch(() => undefined);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`milvus-lite did not answer on ${address} within ${startTimeoutMillis / 1_000} s:\n${output()}`);
}

function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // SIGTERM: milvus-lite ignores SIGINT for seconds but shuts down on SIGTERM.
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMillis);
  await exited;
  clearTimeout(timer);
}

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A real redis-server started for a test file, on a free port; with no persistence unless asked. */
export interface TestRedisServer {
  url: string;
  port: number;
  /** A fresh key prefix per call, so tests sharing a server never see each other's keys. */
  uniquePrefix(): string;
  /** Kills the server and waits for it to exit (to simulate Redis going away). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  restart(): Promise<void>;
}

/** Why Redis cannot be had here; tests skip with this reason outside CI and fail under CI=true. */
export class RedisUnavailableError extends Error {}

export interface TestRedisOptions {
  /**
   * Persist every write to an append-only file, fsynced before the reply (`appendfsync always`),
   * so `stop` (SIGKILL) then `restart` (same port and data directory) loses no acknowledged write.
   * Default false: no persistence, a restart comes back empty.
   */
  appendOnly?: boolean;
}

let installAttempted = false;

/**
 * Starts redis-server for tests. When the binary is missing, installs Debian's `redis-server`
 * package if running as root; otherwise explains how to get it.
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedisServer> {
  const binary = findRedisServer() ?? installRedisServer();
  const port = await findFreePort();
  const directory = await mkdtemp(join(tmpdir(), "test-redis-"));
  const persistence = options.appendOnly === true ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  let child: ChildProcess = await launch(binary, port, directory, persistence);
  let prefixCounter = 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    uniquePrefix: () => `test${process.pid}-${Date.now().toString(36)}-${(prefixCounter += 1)}:`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    restart: async () => {
      child = await launch(binary, port, directory, persistence);
    },
  };
}


function findRedisServer(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

function installRedisServer(): string {
  if (installAttempted) throw new RedisUnavailableError("redis-server is not installed (installation already failed once)");
  installAttempted = true;
  if (process.getuid?.() !== 0) {
    throw new RedisUnavailableError("redis-server is not installed. Install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`.");
  }
  const environment = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env: environment });
  const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], { stdio: "inherit", env: environment }) : update;
  const path = findRedisServer();
  if (install.status !== 0 || path === undefined) {
    throw new RedisUnavailableError("redis-server is not installed and `apt-get install redis-server` failed.");
  }
  return path;
}

async function launch(binary: string, port: number, directory: string, persistence: readonly string[]): Promise<ChildProcess> {
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", directory], {
    stdio: "ignore",
  });
  // Never outlive the test process, even if a test forgets to stop it.
  process.once("exit", () => child.kill("SIGKILL"));
  child.unref();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} on port ${port}`);
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}


import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigurationError } from "../../../platform/config/parse-environment.ts";
import { lockDataDirectory } from "../../../platform/storage/data-directory-lock.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

const holder = join(import.meta.dirname, "hold-data-directory-lock.ts");

interface Holder {
  child: ChildProcess;
  /** Resolves with `locked`, or the exit status and stderr of a refusal. */
  outcome: Promise<{ locked: true } | { locked: false; status: number | null; stderr: string }>;
}

function startHolder(dataDirectory: string, service: string): Holder {
  const child = spawn(process.execPath, ["--import", "tsx", holder, dataDirectory, service], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const outcome = new Promise<{ locked: true } | { locked: false; status: number | null; stderr: string }>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("locked")) resolve({ locked: true });
    });
    child.once("exit", (status) => resolve({ locked: false, status, stderr }));
  });
  return { child, outcome };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.stdin?.end();
  await exited;
}

describe("data directory lock (embedded stores are single-process)", () => {
  it("refuses a second process of the same service with a message naming the owner, and lets other services share the directory", async () => {
    const directory = await temporaryDirectory("lock-second");
    const first = startHolder(directory, "inference");
    assert.deepEqual(await first.outcome, { locked: true });
    try {
      const second = await startHolder(directory, "inference").outcome;
      assert.equal(second.locked, false);
      if (second.locked) return;
      assert.equal(second.status, 78);
      assert.match(second.stderr, new RegExp(`in use by another inference process: process ${first.child.pid} on `));
      assert.match(second.stderr, /STORE_BACKEND=redis/);
      const other = startHolder(directory, "usage");
      assert.deepEqual(await other.outcome, { locked: true });
      await stop(other.child);
    } finally {
      await stop(first.child);
    }
    assert.equal(existsSync(join(directory, "locks", "inference.lock")), false, "released on exit");
    const third = startHolder(directory, "inference");
    assert.deepEqual(await third.outcome, { locked: true });
    await stop(third.child);
  });

  it("takes over the lock of a killed process (kill -9 leaves the file behind)", async () => {
    const directory = await temporaryDirectory("lock-stale");
    const first = startHolder(directory, "model-registry");
    assert.deepEqual(await first.outcome, { locked: true });
    const exited = once(first.child, "exit");
    first.child.kill("SIGKILL");
    await exited;
    const lockPath = join(directory, "locks", "model-registry.lock");
    assert.equal(JSON.parse(readFileSync(lockPath, "utf8")).pid, first.child.pid, "the dead process's lock is still there");
    const next = startHolder(directory, "model-registry");
    assert.deepEqual(await next.outcome, { locked: true });
    assert.equal(JSON.parse(readFileSync(lockPath, "utf8")).pid, next.child.pid);
    await stop(next.child);
  });

  it("takes over an unreadable lock file (a crash between create and write)", async () => {
    const directory = await temporaryDirectory("lock-empty");
    mkdirSync(join(directory, "locks"));
    writeFileSync(join(directory, "locks", "gateway.lock"), "");
    const lock = lockDataDirectory(directory, "gateway");
    assert.equal(JSON.parse(readFileSync(lock.path, "utf8")).pid, process.pid);
    lock.release();
    assert.equal(existsSync(lock.path), false);
  });

  it("never takes over a lock held on another host", async () => {
    const directory = await temporaryDirectory("lock-host");
    mkdirSync(join(directory, "locks"));
    const path = join(directory, "locks", "usage.lock");
    writeFileSync(path, JSON.stringify({ pid: 1, hostname: "some-other-host", service: "usage", acquiredAt: "2026-01-01T00:00:00.000Z" }));
    assert.throws(() => lockDataDirectory(directory, "usage"), (error: unknown) => error instanceof ConfigurationError && /process 1 on some-other-host/.test(error.message));
    assert.equal(existsSync(path), true);
  });

  it("is shared within one process (a service started twice in a test) and released by the last holder", async () => {
    const directory = await temporaryDirectory("lock-reentrant");
    const first = lockDataDirectory(directory, "retrieval");
    const second = lockDataDirectory(directory, "retrieval");
    first.release();
    first.release();
    assert.equal(existsSync(first.path), true, "still held by the second holder");
    second.release();
    assert.equal(existsSync(first.path), false);
  });

  it("stops a second model-registry process at start-up (exit status 78, the lock's message)", async () => {
    const directory = await temporaryDirectory("lock-service");
    const environment = { ...process.env, DATA_DIR: directory, STORE_BACKEND: "embedded", MODEL_REGISTRY_PORT: "0", LOG_LEVEL: "info", HOST: "127.0.0.1" };
    const startRegistry = () => spawn(process.execPath, ["--import", "tsx", "subgraphs/model-registry/main.ts"], { env: environment, stdio: ["ignore", "pipe", "pipe"] });
    const first = startRegistry();
    try {
      await new Promise<void>((resolve, reject) => {
        let output = "";
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (existsSync(join(directory, "locks", "model-registry.lock")) && output.includes("listening")) resolve();
        };
        first.stdout?.on("data", onData);
        first.stderr?.on("data", onData);
        first.once("exit", (status) => reject(new Error(`the first registry exited (${status}): ${output}`)));
      });
      const second = startRegistry();
      let stderr = "";
      second.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const [status] = (await once(second, "exit")) as [number | null];
      assert.equal(status, 78, stderr);
      assert.match(stderr, /in use by another model-registry process/);
    } finally {
      const exited = once(first, "exit");
      first.kill("SIGTERM");
      await exited;
    }
  });
});

import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "../config/parse-environment.ts";

/** What a lock file holds: who owns the data directory for one service. */
interface LockOwner {
  pid: number;
  hostname: string;
  service: string;
  acquiredAt: string;
}

/** A held lock; `release` removes the file (only if it is still ours). Idempotent. */
export interface DataDirectoryLock {
  readonly path: string;
  release(): void;
}

/** Locks held by this process, by path, with how many holders share each (a test may start a service twice in one process). */
const heldLocks = new Map<string, { holders: number }>();

/** How long a half-done take-over of a stale lock may block others before it is itself stale, in milliseconds. */
const takeoverStaleMillis = 10_000;

/**
 * Claims `<dataDirectory>/locks/<service>.lock` for this process: embedded stores are
 * single-process by design (quota counters and usage live in the owner's memory and files), so a
 * second process of the same service on the same data directory would silently double every
 * quota. It is refused with a `ConfigurationError` (exit status 78) naming the owner.
 *
 * The file is created with O_EXCL and holds the owner's PID and host. A lock whose process is dead
 * (same host, PID gone, or the PID is this process's but this process never took it: a restarted
 * container) is stale and taken over; a take-over runs under a `mkdir` mutex so two starting
 * processes cannot both win. A lock held on another host is never taken over (delete the file once
 * that host is gone). The file is removed on `release` and at process exit.
 */
export function lockDataDirectory(dataDirectory: string, service: string): DataDirectoryLock {
  const directory = join(dataDirectory, "locks");
  const path = join(directory, `${service}.lock`);
  mkdirSync(directory, { recursive: true });
  const held = heldLocks.get(path);
  if (held !== undefined) {
    held.holders += 1;
    return onceReleased(path);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (tryCreate(path, service)) break;
    const owner = readOwner(path);
    if (owner !== undefined && !isStale(owner)) throw lockedError(dataDirectory, service, path, owner);
    if (takeOverStale(path, service, owner)) break;
    if (attempt >= 20) throw lockedError(dataDirectory, service, path, owner);
    // Another process is taking the stale lock over right now: look again shortly.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  heldLocks.set(path, { holders: 1 });
  return onceReleased(path);
}

function onceReleased(path: string): DataDirectoryLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      const held = heldLocks.get(path);
      if (held === undefined) return;
      held.holders -= 1;
      if (held.holders > 0) return;
      heldLocks.delete(path);
      removeIfOurs(path);
    },
  };
}

/** Creates the lock file with O_EXCL; false when it exists. */
function tryCreate(path: string, service: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(path, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), service, acquiredAt: new Date().toISOString() };
    writeSync(descriptor, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

/** The lock's owner; undefined when the file is gone, empty or unreadable (a crash between create and write). */
function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.hostname !== "string") return undefined;
    return { pid: parsed.pid, hostname: parsed.hostname, service: String(parsed.service), acquiredAt: String(parsed.acquiredAt) };
  } catch {
    return undefined;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  // Our own PID in a lock this process does not hold: written by an earlier process that had the same PID (a restarted container's PID 1).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Replaces a stale (or unreadable) lock with ours under a mutex; false when another process holds the mutex or won. */
function takeOverStale(path: string, service: string, seen: LockOwner | undefined): boolean {
  const mutex = `${path}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const stats = statSync(mutex, { throwIfNoEntry: false });
    if (stats !== undefined && Date.now() - stats.mtimeMs > takeoverStaleMillis) rmSync(mutex, { recursive: true, force: true });
    return false;
  }
  try {
    // Still the lock we judged stale? (Another process may have taken it over before our mkdir.)
    const current = readOwner(path);
    const unchanged = current === undefined ? seen === undefined : seen !== undefined && current.pid === seen.pid && current.acquiredAt === seen.acquiredAt;
    if (!unchanged) return false;
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    return tryCreate(path, service);
  } finally {
    rmdirSync(mutex);
  }
}

function removeIfOurs(path: string): void {
  const owner = readOwner(path);
  if (owner?.pid !== process.pid || owner.hostname !== hostname()) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function lockedError(dataDirectory: string, service: string, path: string, owner: LockOwner | undefined): ConfigurationError {
  const who = owner === undefined ? "another process" : `process ${owner.pid} on ${owner.hostname} (since ${owner.acquiredAt})`;
  return new ConfigurationError([
    {
      variable: "DATA_DIR",
      message:
        `${dataDirectory} is in use by another ${service} process: ${who} holds ${path}. Embedded stores are single-process ` +
        "by design (a second process would double every quota): stop that process, give this one its own DATA_DIR, or run " +
        "replicas with STORE_BACKEND=redis. If that process is gone (another host), delete the lock file.",
    },
  ]);
}

process.once("exit", () => {
  for (const path of heldLocks.keys()) removeIfOurs(path);
});

import { randomBytes } from "node:crypto";
import { mkdir, open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { createLogger, type Logger } from "../logging/logger.ts";
import { assembleAuditEvent, checkAuditEventInput, formatAuditEventId, storedAuditEventSchema, type AuditEvent, type AuditEventInput } from "./audit-event.ts";
import { checkAuditLogQuery, toAuditLogPage, type AuditLog, type AuditLogPage, type AuditLogQuery } from "./audit-log.ts";

/** The file events are appended to, in the data directory. */
export const auditLogFileName = "audit-log.jsonl";
/** The previous file, after a rotation. */
export const previousAuditLogFileName = "audit-log.1.jsonl";
/** Held (created exclusively) by the process rotating the file. */
export const auditLogRotationLockFileName = "audit-log.rotate.lock";

export interface EmbeddedAuditLogOptions {
  /**
   * Size at which the file is rotated, in bytes. Default 16 MiB. After an append leaves
   * `audit-log.jsonl` larger, it is renamed to `audit-log.1.jsonl`, replacing the previous one, and
   * the next append starts a new file. So the log keeps between this and twice this of the newest
   * events: at about 400 bytes an event, 40,000 to 80,000 of them. Older events are dropped (they
   * remain in the services' log lines, see `LoggingAuditLog`).
   */
  maximumFileBytes?: number;
  /**
   * Whether each append is flushed to disk (`fdatasync`) before `record` resolves. Default true:
   * an acknowledged event survives a power loss. About a millisecond per event on an SSD.
   */
  durable?: boolean;
  /**
   * How old a rotation lock must be before it is taken for a crashed rotator's and removed, in
   * milliseconds. Default 60,000 (a rotation is one rename, well under a second).
   */
  staleLockMillis?: number;
  /** The time, in epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
  /** Warnings about malformed lines and rotation problems. Default: an `audit` logger on stderr. */
  logger?: Logger;
}

/** How many bytes at the start of a file identify it (with its inode), in case the inode number is reused. */
const headBytes = 64;

/** What this process has read of one file (identified by device and inode, which a rename keeps). */
interface ReadFile {
  identity: string;
  /** Its first bytes (up to `headBytes`), to notice a new file that reused a deleted file's inode. */
  head: Buffer;
  /** Bytes parsed so far: always just after a newline. */
  offset: number;
  events: AuditEvent[];
}

/**
 * The embedded audit log: an append-only JSON-lines file, `audit-log.jsonl` in the data directory
 * (mode 0600), one event per line. Every subgraph under `npm start` is its own process and all of
 * them append to the same file: each event is one `write` on a descriptor opened with O_APPEND,
 * which the kernel places at the end of the file as a whole, so lines from several processes never
 * interleave (on local filesystems; keep DATA_DIR off NFS). Nothing is ever rewritten in place.
 *
 * Bounded by rotation (`maximumFileBytes`): the process whose append crosses the limit takes an
 * exclusive lock file, checks the size again (another may have rotated first) and renames the file
 * to `audit-log.1.jsonl`. A write that opened the old file just before still lands in it: nothing
 * is lost but what the rotation means to drop. A lock left by a crashed process is removed after
 * `staleLockMillis`; a failed rotation is logged and retried on a later append, never failing
 * `record`.
 *
 * `list` reads both files, newest file first, and keeps what it parsed: later calls read only what
 * was appended since (a rotated file is recognised by its inode). Ids order the events (see
 * `AuditEvent.id`); within one millisecond, events of different processes order by their random
 * sequence. A malformed line (a crash mid-write, a hand edit) is skipped with a warning; an event
 * appended right after a partial line is still recovered. A line without its newline yet is read
 * once it is complete.
 */
export class EmbeddedAuditLog implements AuditLog {
  readonly #currentPath: string;
  readonly #previousPath: string;
  readonly #lockPath: string;
  readonly #directory: string;
  readonly #maximumFileBytes: number;
  readonly #durable: boolean;
  readonly #staleLockMillis: number;
  readonly #clock: () => number;
  readonly #logger: Logger;
  /** What was read of each file, by identity: the current and the previous file at most. */
  #files = new Map<string, ReadFile>();
  /** Every event of both files, newest first, and which file contents it was built from. */
  #sorted: { key: string; events: AuditEvent[] } = { key: "", events: [] };
  /** Reads run one at a time, as they share `#files`. */
  #readQueue: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(dataDirectory: string, options: EmbeddedAuditLogOptions = {}) {
    this.#directory = dataDirectory;
    this.#currentPath = join(dataDirectory, auditLogFileName);
    this.#previousPath = join(dataDirectory, previousAuditLogFileName);
    this.#lockPath = join(dataDirectory, auditLogRotationLockFileName);
    this.#maximumFileBytes = options.maximumFileBytes ?? 16 * 1_048_576;
    if (!Number.isSafeInteger(this.#maximumFileBytes) || this.#maximumFileBytes < 1) throw new RangeError(`maximumFileBytes must be a positive whole number, got ${this.#maximumFileBytes}`);
    this.#durable = options.durable ?? true;
    this.#staleLockMillis = options.staleLockMillis ?? 60_000;
    this.#clock = options.clock ?? Date.now;
    this.#logger = options.logger ?? createLogger("audit");
  }

  /** Throws SERVICE_UNAVAILABLE when the file cannot be written (see `AuditLog` for why it fails closed). */
  record(input: AuditEventInput): Promise<AuditEvent> {
    const run = this.#record(input);
    this.#inFlight.add(run);
    const forget = () => this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  async list(query: AuditLogQuery): Promise<AuditLogPage> {
    const { tenantId, action, first, afterId } = checkAuditLogQuery(query);
    const events = await this.#readAll();
    // Newest first: skip to the first event older than the cursor (binary search).
    let low = 0;
    let high = events.length;
    if (afterId !== undefined) {
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((events[middle] as AuditEvent).id >= afterId) low = middle + 1;
        else high = middle;
      }
    }
    const matching: AuditEvent[] = [];
    for (let index = low; index < events.length && matching.length <= first; index += 1) {
      const event = events[index] as AuditEvent;
      if ((tenantId === undefined || event.tenantId === tenantId) && (action === undefined || event.action === action)) matching.push(event);
    }
    return toAuditLogPage(matching, first);
  }

  /** Waits for records in flight; nothing stays open between calls. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #record(input: AuditEventInput): Promise<AuditEvent> {
    const checked = checkAuditEventInput(input);
    const { id, millis } = nextEventId(this.#clock());
    const event = assembleAuditEvent(id, new Date(millis).toISOString(), checked);
    let size: number;
    try {
      size = await this.#append(Buffer.from(`${JSON.stringify(event)}\n`, "utf8"));
    } catch (error) {
      throw new ServiceError(ErrorCode.ServiceUnavailable, "The audit log could not be written, so the action was not recorded; retry shortly.", { cause: error });
    }
    if (size > this.#maximumFileBytes) {
      await this.#rotate().catch((error: unknown) => this.#logger.warn("audit log rotation failed; retried on a later append", { path: this.#currentPath, error }));
    }
    return event;
  }

  /** Appends `line` with one write and resolves to the file's size after it. */
  async #append(line: Buffer): Promise<number> {
    let handle: FileHandle;
    try {
      handle = await open(this.#currentPath, "a", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await mkdir(this.#directory, { recursive: true });
      handle = await open(this.#currentPath, "a", 0o600);
    }
    try {
      const { bytesWritten } = await handle.write(line, 0, line.length);
      // Short only when the disk is full; the partial line is skipped by readers (see the class).
      if (bytesWritten !== line.length) throw new Error(`wrote ${bytesWritten} of ${line.length} bytes to ${this.#currentPath}`);
      if (this.#durable) await handle.datasync();
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  }

  async #rotate(): Promise<void> {
    if (!(await this.#lockRotation())) return;
    try {
      const size = await fileSize(this.#currentPath);
      // Another process rotated between our append and our lock: its new file is small.
      if (size === undefined || size <= this.#maximumFileBytes) return;
      await rename(this.#currentPath, this.#previousPath);
      this.#logger.info("audit log rotated", { path: this.#currentPath, previousPath: this.#previousPath, bytes: size });
    } finally {
      await unlink(this.#lockPath).catch(() => undefined);
    }
  }

  /** Creates the lock file exclusively; false when another process holds it (it rotates, or has just). */
  async #lockRotation(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await (await open(this.#lockPath, "wx", 0o600)).close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const lock = await stat(this.#lockPath).catch(() => undefined);
      // Compared with the filesystem's clock (the lock's mtime), not the injected one.
      if (lock === undefined || Date.now() - lock.mtimeMs <= this.#staleLockMillis) return false;
      this.#logger.warn("removing a stale audit log rotation lock (a process died while rotating)", { path: this.#lockPath, ageMillis: Math.round(Date.now() - lock.mtimeMs) });
      await unlink(this.#lockPath).catch(() => undefined);
    }
    return false;
  }

  #readAll(): Promise<AuditEvent[]> {
    const run = this.#readQueue.then(async () => {
      // The current file first: a rotation between the two reads then shows its events twice
      // (dropped by id below) rather than not at all.
      const current = await this.#refresh(this.#currentPath);
      const previous = await this.#refresh(this.#previousPath);
      const files = [current, previous].filter((file) => file !== undefined);
      this.#files = new Map(files.map((file) => [file.identity, file]));
      const key = files.map((file) => `${file.identity}@${file.offset}`).join("|");
      if (key !== this.#sorted.key) {
        const byId = new Map<string, AuditEvent>();
        for (const file of files) for (const event of file.events) if (!byId.has(event.id)) byId.set(event.id, event);
        const events = [...byId.values()];
        events.sort((left, right) => (left.id < right.id ? 1 : left.id > right.id ? -1 : 0));
        this.#sorted = { key, events };
      }
      return this.#sorted.events;
    });
    this.#readQueue = run.catch(() => undefined);
    return run;
  }

  /** Reads what was appended to `path` since the last call (all of it for a file not seen before). */
  async #refresh(path: string): Promise<ReadFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new ServiceError(ErrorCode.ServiceUnavailable, "The audit log could not be read; retry shortly.", { cause: error });
    }
    try {
      const stats = await handle.stat();
      const identity = `${stats.dev}:${stats.ino}`;
      let file = this.#files.get(identity);
      if (file !== undefined && (stats.size < file.offset || !(await readBytes(handle, 0, file.head.length)).equals(file.head))) file = undefined;
      file ??= { identity, head: Buffer.alloc(0), offset: 0, events: [] };
      if (stats.size > file.offset) {
        const appended = await readBytes(handle, file.offset, stats.size - file.offset);
        const end = appended.lastIndexOf(0x0a) + 1;
        if (end > 0) {
          this.#parseLines(path, file, appended.subarray(0, end).toString("utf8"));
          file.offset += end;
        }
        if (file.head.length < headBytes) file.head = await readBytes(handle, 0, Math.min(headBytes, file.offset));
      }
      return file;
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw new ServiceError(ErrorCode.ServiceUnavailable, "The audit log could not be read; retry shortly.", { cause: error });
    } finally {
      await handle.close();
    }
  }

  #parseLines(path: string, file: ReadFile, text: string): void {
    let lineOffset = file.offset;
    for (const line of text.split("\n")) {
      const at = lineOffset;
      lineOffset += Buffer.byteLength(line, "utf8") + 1;
      if (line.trim() === "") continue;
      const event = parseEvent(line);
      if (event !== undefined) {
        file.events.push(event);
        continue;
      }
      // A partial line (a writer died mid-write) followed by a whole event: every event starts
      // with `{"id":"`, which cannot occur inside a JSON string (its quotes would be escaped).
      const start = line.lastIndexOf('{"id":"');
      const recovered = start > 0 ? parseEvent(line.slice(start)) : undefined;
      if (recovered !== undefined) file.events.push(recovered);
      this.#logger.warn("skipping a malformed line in the audit log", { path, byteOffset: at, skippedCharacters: recovered === undefined ? line.length : start, recoveredEventId: recovered?.id ?? null });
    }
  }
}

function parseEvent(line: string): AuditEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const result = storedAuditEventSchema.safeParse(value);
  return result.success ? (result.data as AuditEvent) : undefined;
}

async function readBytes(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Ids of this process: strictly increasing (a clock that steps back keeps the last millisecond and
 * counts on), and unique across processes because each millisecond's sequence starts at a random
 * 63-bit number (the top bit stays clear, so counting on within the millisecond cannot overflow).
 */
let lastMillis = -1;
let lastSequence = 0n;

function nextEventId(now: number): { id: string; millis: number } {
  if (now > lastMillis) {
    lastMillis = now;
    lastSequence = BigInt(`0x${randomBytes(8).toString("hex")}`) & ((1n << 63n) - 1n);
  } else {
    lastSequence += 1n;
  }
  return { id: formatAuditEventId(lastMillis, lastSequence), millis: lastMillis };
}

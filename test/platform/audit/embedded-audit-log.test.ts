/**
 * The embedded audit log's file: one JSON line per event, appended by several processes at once,
 * rotated to bound its size, and read back despite damaged lines.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { formatAuditEventId, type AuditEvent } from "../../../platform/audit/audit-event.ts";
import { auditLogFileName, auditLogRotationLockFileName, EmbeddedAuditLog, previousAuditLogFileName } from "../../../platform/audit/embedded-audit-log.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { auditInput, listAll } from "./audit-log-contract.ts";
import { capturingLogger } from "./capturing-logger.ts";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
const writerScript = fileURLToPath(new URL("./append-audit-events.ts", import.meta.url));

/** Runs one writer process per name, all released at once; resolves when all exited, with what they wrote to stderr. */
async function runWriters(directory: string, writers: string[], count: number, maximumFileBytes?: number): Promise<string[]> {
  const children = writers.map((writer) =>
    spawn(process.execPath, ["--import", "tsx", writerScript, directory, writer, String(count), ...(maximumFileBytes === undefined ? [] : [String(maximumFileBytes)])], {
      cwd: projectRoot,
      stdio: ["pipe", "pipe", "pipe"],
    }),
  );
  const stderr = children.map(() => "");
  children.forEach((child, index) => child.stderr.on("data", (chunk: Buffer) => (stderr[index] += chunk.toString("utf8"))));
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))));
  const lines = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
  for (const [index, iterator] of lines.entries()) assert.deepEqual(await iterator.next(), { value: "ready", done: false }, stderr[index]);
  for (const child of children) child.stdin.write("go\n");
  const codes = await Promise.all(exits);
  assert.deepEqual(codes, writers.map(() => 0), stderr.join("\n"));
  for (const iterator of lines) assert.deepEqual(await iterator.next(), { value: "done", done: false });
  return stderr;
}

/** Every line of a file, parsed. */
async function fileEvents(path: string): Promise<AuditEvent[]> {
  const text = existsSync(path) ? await readFile(path, "utf8") : "";
  assert.ok(text === "" || text.endsWith("\n"), "the file ends with a whole line");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** An input whose line always has the same length (fixed ids, a one-digit index), to place rotations exactly. */
function fixedInput(index: number) {
  return auditInput({ targetId: "key_000000000000", requestId: "request-fixed", details: { index } });
}

function lineBytes(event: AuditEvent): number {
  return Buffer.byteLength(`${JSON.stringify(event)}\n`);
}

describe("EmbeddedAuditLog's file", () => {
  it("appends one JSON line per event to audit-log.jsonl, readable only by its owner", async () => {
    const directory = await temporaryDirectory("audit-file");
    const log = new EmbeddedAuditLog(join(directory, "nested", "data"));
    const recorded = [await log.record(auditInput()), await log.record(auditInput({ action: "ROLE_DENIED", targetType: "operation", targetId: "Mutation.registerModel", details: { requiredRole: "platform-admin" } }))];
    const path = join(directory, "nested", "data", auditLogFileName);
    assert.deepEqual(await fileEvents(path), recorded);
    assert.ok((await readFile(path, "utf8")).startsWith('{"id":"'), "each line starts with the id");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it("loses no event and interleaves no line when two processes append at once", async () => {
    const directory = await temporaryDirectory("audit-processes");
    const count = 300;
    const stderr = await runWriters(directory, ["first", "second"], count);
    assert.deepEqual(stderr, ["", ""], "no warnings or errors");

    const inFile = await fileEvents(join(directory, auditLogFileName));
    assert.equal(inFile.length, 2 * count);
    const log = new EmbeddedAuditLog(directory);
    const { events } = await listAll(log, {}, 100);
    assert.equal(events.length, 2 * count);
    assert.equal(new Set(events.map((event) => event.id)).size, 2 * count, "unique ids across processes");
    for (const writer of ["first", "second"]) {
      const indexes = events.filter((event) => event.details.writer === writer).map((event) => Number(event.details.index));
      assert.deepEqual(indexes.sort((left, right) => left - right), Array.from({ length: count }, (_, index) => index), writer);
    }
    assert.equal((await listAll(log, { tenantId: "globex" }, 100)).events.length, count);
  });

  it("rotates to audit-log.1.jsonl past maximumFileBytes, keeping the newest events, and reads across the rotation", async () => {
    const scratch = new EmbeddedAuditLog(await temporaryDirectory("audit-measure"));
    const bytes = lineBytes(await scratch.record(fixedInput(0)));
    const directory = await temporaryDirectory("audit-rotation");
    const logger = capturingLogger();
    // Three lines fit, the fourth crosses the limit: rotation after every fourth event.
    const log = new EmbeddedAuditLog(directory, { maximumFileBytes: Math.floor(3.5 * bytes), logger });
    const recorded: AuditEvent[] = [];
    for (let index = 0; index < 3; index += 1) recorded.push(await log.record(fixedInput(index)));
    assert.deepEqual((await log.list({ first: 100 })).events.map((event) => event.details.index), [2, 1, 0]);
    for (let index = 3; index < 10; index += 1) recorded.push(await log.record(fixedInput(index)));

    assert.deepEqual(await fileEvents(join(directory, previousAuditLogFileName)), recorded.slice(4, 8));
    assert.deepEqual(await fileEvents(join(directory, auditLogFileName)), recorded.slice(8));
    assert.deepEqual((await listAll(log, {}, 4)).events, recorded.slice(4).reverse(), "the log read before the rotations");
    assert.deepEqual((await listAll(new EmbeddedAuditLog(directory), {}, 4)).events, recorded.slice(4).reverse(), "a new reader");
    assert.deepEqual(logger.lines.map((line) => [line.level, line.message]), [["info", "audit log rotated"], ["info", "audit log rotated"]]);
    assert.equal(existsSync(join(directory, auditLogRotationLockFileName)), false);
  });

  it("keeps every line whole and every id unique when two processes rotate while appending", async () => {
    const directory = await temporaryDirectory("audit-processes-rotation");
    const maximumFileBytes = 8_192;
    const stderr = await runWriters(directory, ["first", "second"], 200, maximumFileBytes);
    assert.deepEqual(stderr, ["", ""], "no warnings or errors");
    const current = await fileEvents(join(directory, auditLogFileName));
    const previous = await fileEvents(join(directory, previousAuditLogFileName));
    assert.ok(previous.length > 0, "rotated");
    const logger = capturingLogger();
    const { events } = await listAll(new EmbeddedAuditLog(directory, { logger }), {}, 100);
    assert.deepEqual(logger.lines, [], "no malformed line");
    assert.equal(events.length, current.length + previous.length);
    assert.equal(new Set(events.map((event) => event.id)).size, events.length);
    assert.ok(events.length < 400, "old events were dropped");
    assert.equal(existsSync(join(directory, auditLogRotationLockFileName)), false);
  });

  it("removes a stale rotation lock, and leaves the rotation to the holder of a fresh one", async () => {
    const scratch = new EmbeddedAuditLog(await temporaryDirectory("audit-measure"));
    const bytes = lineBytes(await scratch.record(fixedInput(0)));
    const directory = await temporaryDirectory("audit-lock");
    const logger = capturingLogger();
    const log = new EmbeddedAuditLog(directory, { maximumFileBytes: Math.floor(1.5 * bytes), logger });
    const lock = join(directory, auditLogRotationLockFileName);
    const previousPath = join(directory, previousAuditLogFileName);

    await writeFile(lock, "");
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    await utimes(lock, tenMinutesAgo, tenMinutesAgo);
    const first = [await log.record(fixedInput(0)), await log.record(fixedInput(1))];
    assert.deepEqual(await fileEvents(previousPath), first, "rotated despite the crashed rotator's lock");
    assert.equal(existsSync(lock), false);
    assert.deepEqual(logger.lines.map((line) => line.message), ["removing a stale audit log rotation lock (a process died while rotating)", "audit log rotated"]);

    await writeFile(lock, "");
    const second = [await log.record(fixedInput(2)), await log.record(fixedInput(3))];
    assert.deepEqual(await fileEvents(join(directory, auditLogFileName)), second, "another process holds the lock: not rotated here");
    assert.deepEqual(await fileEvents(previousPath), first);
    await unlink(lock);
    const third = await log.record(fixedInput(4));
    assert.deepEqual(await fileEvents(previousPath), [...second, third], "the next append past the limit rotates");
  });

  it("skips malformed lines with a warning, recovers an event appended after a partial line, and reads a line once it is complete", async () => {
    const directory = await temporaryDirectory("audit-malformed");
    const path = join(directory, auditLogFileName);
    const at = Date.parse("2025-01-02T10:00:00.000Z");
    const event = (offset: number, index: number): AuditEvent => ({ id: formatAuditEventId(at + offset, 7n), occurredAt: new Date(at + offset).toISOString(), ...fixedInput(index) });
    const [a, b, c] = [event(0, 0), event(1, 1), event(2, 2)];
    const lineOfC = JSON.stringify(c);
    await writeFile(
      path,
      [
        JSON.stringify(a),
        "this is not JSON",
        `${JSON.stringify(a).slice(0, 40)}${JSON.stringify(b)}`,
        JSON.stringify({ id: "not-an-id", something: "else" }),
        "",
        lineOfC.slice(0, 25),
      ].join("\n"),
    );
    const logger = capturingLogger();
    const log = new EmbeddedAuditLog(directory, { logger });
    assert.deepEqual((await log.list({ first: 10 })).events, [b, a]);
    assert.deepEqual(
      logger.lines.map((line) => [line.level, line.message, line.fields.recoveredEventId]),
      [
        ["warn", "skipping a malformed line in the audit log", null],
        ["warn", "skipping a malformed line in the audit log", b.id],
        ["warn", "skipping a malformed line in the audit log", null],
      ],
    );
    await appendFile(path, `${lineOfC.slice(25)}\n`);
    assert.deepEqual((await log.list({ first: 10 })).events, [c, b, a]);
    assert.equal(logger.lines.length, 3, "nothing new to warn about");
    // The next append after a partial line (a writer that died mid-write) is still read.
    await appendFile(path, JSON.stringify(a).slice(0, 30));
    const d = await log.record(fixedInput(3));
    assert.deepEqual((await log.list({ first: 10 })).events, [d, c, b, a]);
    assert.equal(logger.lines.at(-1)?.fields.recoveredEventId, d.id);
  });

  it("reads a file anew when it was rewritten in place (same inode, other events)", async () => {
    const directory = await temporaryDirectory("audit-rewritten");
    const log = new EmbeddedAuditLog(directory);
    const original = await log.record(fixedInput(0));
    assert.deepEqual((await log.list({ first: 10 })).events, [original]);
    const other = new EmbeddedAuditLog(await temporaryDirectory("audit-other"));
    const replacements = [await other.record(fixedInput(1)), await other.record(fixedInput(2))];
    await writeFile(join(directory, auditLogFileName), replacements.map((event) => `${JSON.stringify(event)}\n`).join(""));
    assert.deepEqual((await log.list({ first: 10 })).events, [...replacements].reverse());
  });

  it("answers SERVICE_UNAVAILABLE when the data directory cannot be written or read", async () => {
    const notADirectory = join(await temporaryDirectory("audit-unwritable"), "file");
    await writeFile(notADirectory, "");
    const log = new EmbeddedAuditLog(notADirectory);
    await assert.rejects(log.record(auditInput()), { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
    await assert.rejects(log.list({ first: 10 }), { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
  });

  it("keeps ids increasing when the clock steps back", async () => {
    const now = Date.now();
    const times = [now + 5, now - 60_000];
    const log = new EmbeddedAuditLog(await temporaryDirectory("audit-clock"), { clock: () => times.shift() ?? now });
    const [first, second] = [await log.record(auditInput()), await log.record(auditInput())];
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(second.id > first.id);
    assert.equal(second.occurredAt, first.occurredAt, "held at the last time, not before it");
    assert.deepEqual((await log.list({ first: 2 })).events, [second, first]);
  });
});

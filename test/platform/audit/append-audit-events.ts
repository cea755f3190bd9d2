/**
 * A separate process appending to an embedded audit log, for embedded-audit-log.test.ts (not a
 * test file itself). Arguments: the data directory, this writer's name, how many events, and
 * optionally maximumFileBytes. Prints "ready", waits for a line on stdin (so every writer starts
 * together), records the events 16 at a time, prints "done" and exits.
 */
import { once } from "node:events";
import { EmbeddedAuditLog } from "../../../platform/audit/embedded-audit-log.ts";
import { createLogger } from "../../../platform/logging/logger.ts";

const [directory, writer, countText, maximumFileBytesText] = process.argv.slice(2);
if (directory === undefined || writer === undefined || countText === undefined) throw new Error("usage: append-audit-events.ts DIRECTORY WRITER COUNT [MAXIMUM_FILE_BYTES]");
const count = Number(countText);
const writerName: string = writer;
const log = new EmbeddedAuditLog(directory, {
  logger: createLogger(`audit-writer-${writerName}`, "warn"),
  ...(maximumFileBytesText === undefined ? {} : { maximumFileBytes: Number(maximumFileBytesText) }),
});

process.stdout.write("ready\n");
await once(process.stdin, "data");

let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    const index = next;
    next += 1;
    await log.record({
      tenantId: index % 2 === 0 ? "acme" : "globex",
      actorTenantId: "platform",
      actorApiKeyId: `key_${writerName}`,
      actorRoles: ["platform-admin"],
      action: "QUOTA_SET",
      targetType: "quota",
      targetId: index % 2 === 0 ? "acme" : "globex",
      requestId: `${writerName}-${index}`,
      details: { writer: writerName, index },
    });
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
await log.close();
process.stdout.write("done\n");
process.stdin.destroy();

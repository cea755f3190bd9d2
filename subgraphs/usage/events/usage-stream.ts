import { usageEventSchema, type UsageEvent } from "../usage-event.ts";

/**
 * The Redis stream that carries usage events from every inference replica to the usage
 * aggregators: `<prefix>usage-events`, one entry per event with one field, `event`, holding the
 * event as JSON.
 */
export function usageStreamKey(keyPrefix: string): string {
  return `${keyPrefix}usage-events`;
}

export const usageStreamField = "event";

/** One stream entry as Redis returns it; `fields` is null for an entry deleted (trimmed) while pending. */
export interface StreamEntry {
  id: string;
  fields: string[] | null;
}

/** The event in an entry, or why there is none (an entry that can never be aggregated). */
export function decodeUsageEntry(entry: StreamEntry): { event: UsageEvent } | { problem: string } {
  if (entry.fields === null) return { problem: "the entry was trimmed from the stream before it was read" };
  const position = entry.fields.findIndex((value, index) => index % 2 === 0 && value === usageStreamField);
  const json = position === -1 ? undefined : entry.fields[position + 1];
  if (json === undefined) return { problem: `no "${usageStreamField}" field` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { problem: "the event is not JSON" };
  }
  const result = usageEventSchema.safeParse(parsed);
  return result.success ? { event: result.data } : { problem: `not a usage event: ${result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}` };
}

/** Entries of an XREADGROUP reply (`[[stream, entries]]`, or null when the block timed out). */
export function entriesOfReadReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((stream: unknown) => (Array.isArray(stream) ? parseEntries(stream[1]) : []));
}

/** The cursor and entries of an XAUTOCLAIM reply (`[cursor, entries, deleted ids]`). */
export function parseAutoClaimReply(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== "string") throw new Error(`unexpected XAUTOCLAIM reply: ${JSON.stringify(reply)}`);
  return { cursor: reply[0], entries: parseEntries(reply[1]) };
}

function parseEntries(entries: unknown): StreamEntry[] {
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    if (!Array.isArray(entry) || typeof entry[0] !== "string") return [];
    const fields: unknown = entry[1];
    return [{ id: entry[0], fields: Array.isArray(fields) ? fields.map(String) : null }];
  });
}

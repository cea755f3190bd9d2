/**
 * What `npm start` has seeded into this data directory, kept in `<DATA_DIR>/demo-models.json`, so
 * that a later start tells a demo model deleted on purpose (seeded before, gone now: it stays
 * deleted) from one never seeded (an interrupted first start: seed it now).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export type DemoRole = "chat" | "embedding";

const seededModel = z.object({
  /** The id it was registered under. */
  id: z.string(),
  kind: z.enum(["real", "generated"]),
  seededAt: z.string(),
});
const recordSchema = z.object({
  seeded: z.object({ chat: seededModel.optional(), embedding: seededModel.optional() }),
});

export type SeededModel = z.infer<typeof seededModel>;
export type DemoSeedingRecord = z.infer<typeof recordSchema>;

export function seedingRecordPath(dataDirectory: string): string {
  return join(dataDirectory, "demo-models.json");
}

/** The record, or an empty one when this data directory has none yet. A damaged file is an error, not a reason to seed again. */
export async function readSeedingRecord(dataDirectory: string): Promise<DemoSeedingRecord> {
  const path = seedingRecordPath(dataDirectory);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { seeded: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = recordSchema.safeParse(parsed);
  if (!record.success) throw new Error(`${path} is damaged; fix or delete it (deleting it registers every missing demo model again).`);
  return record.data;
}

/** Writes the record whole (to a temporary file renamed into place: a crash leaves the old or the new one). */
export async function writeSeedingRecord(dataDirectory: string, record: DemoSeedingRecord): Promise<void> {
  await mkdir(dataDirectory, { recursive: true });
  const path = seedingRecordPath(dataDirectory);
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
  await rename(partial, path);
}

/**
 * Reads zip archives (Python wheels are zip files) with yauzl: one named entry, or every entry
 * below a folder, streamed to disk. Entry names are checked so that nothing is written outside
 * the destination.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { open as openZip, type Entry, type ZipFile } from "yauzl";
import { EngineError } from "../engine-error.ts";

/** Extracts the entry named `entryName` of `archivePath` to `destination` (written beside it, then renamed). */
export async function extractZipEntry(archivePath: string, entryName: string, destination: string): Promise<void> {
  let found = false;
  await forEachEntry(archivePath, async (zip, entry) => {
    if (entry.fileName !== entryName) return;
    found = true;
    await writeEntry(zip, entry, destination);
  });
  if (!found) throw new EngineError("invalid-response", `${archivePath} has no entry ${entryName}.`);
}

/** Extracts every file of `archivePath` into `directory`, keeping the archive's folders. Returns the files' relative paths. */
export async function extractZipArchive(archivePath: string, directory: string): Promise<string[]> {
  const files: string[] = [];
  await forEachEntry(archivePath, async (zip, entry) => {
    if (entry.fileName.endsWith("/")) return;
    // yauzl already refuses absolute paths and ".." segments in entry names (validateFileName).
    files.push(entry.fileName);
    await writeEntry(zip, entry, join(directory, entry.fileName));
  });
  return files;
}

async function writeEntry(zip: ZipFile, entry: Entry, destination: string): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  try {
    const source = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      zip.openReadStream(entry, (error, stream) => (error === null ? resolve(stream) : reject(error)));
    });
    await pipeline(source, createWriteStream(partial));
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw new EngineError("invalid-response", `Could not extract ${entry.fileName}: ${(error as Error).message}`, { cause: error });
  }
}

async function forEachEntry(archivePath: string, visit: (zip: ZipFile, entry: Entry) => Promise<void>): Promise<void> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    openZip(archivePath, { lazyEntries: true, autoClose: false }, (error, opened) => (error === null ? resolve(opened) : reject(error)));
  }).catch((error: unknown) => {
    throw new EngineError("invalid-response", `${archivePath} is not a readable zip archive: ${(error as Error).message}`, { cause: error });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: Entry) => {
        visit(zip, entry).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

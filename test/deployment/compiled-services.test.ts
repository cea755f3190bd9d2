/**
 * The compiled services, as the images run them: `npm run build` writes the bundles, then each
 * service starts from a directory laid out as its image is (Dockerfile): dist/ with only its
 * bundles, the files it reads, and only the node_modules of its role (scripts/build/runtime-modules.ts,
 * for inference-cpu just llama.cpp's CPU build), and reports ready on /readyz. Inference loads its
 * WARM_UP_MODELS (a generated tiny GGUF) before it is ready, logging the backend; a warm-up model
 * that cannot load keeps it unready with the reason.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { buildEntries } from "../../scripts/build/build-entries.ts";
import { buildServices } from "../../scripts/build/build-services.ts";
import { staleBuildReason } from "../../scripts/build/build-staleness.ts";
import { imageRoles } from "../../scripts/build/image-roles.ts";
import { copyRuntimeModules } from "../../scripts/build/runtime-modules.ts";
import { EmbeddedModelStore } from "../../subgraphs/model-registry/store/embedded-model-store.ts";
import { modelRecord } from "../subgraphs/model-registry/model-fixtures.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

interface RunningBundle {
  child: ChildProcess;
  port: number;
  output: () => string;
}

const running: RunningBundle[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const imageDirectories = new Map<string, Promise<string>>();

/** A directory holding what the image of `roleName` holds (its /app), made once per role. */
function imageDirectory(roleName: string): Promise<string> {
  let directory = imageDirectories.get(roleName);
  if (directory === undefined) {
    directory = (async () => {
      const role = imageRoles.find((candidate) => candidate.name === roleName);
      assert.ok(role, `no image role ${roleName}`);
      const root = await temporaryDirectory(`image-${roleName}`);
      await mkdir(join(root, "dist"));
      for (const file of ["package.json", ...role.bundles.map((bundle) => `${bundle}.js`)]) await cp(join(projectRoot, "dist", file), join(root, "dist", file));
      for (const path of role.files) await cp(join(projectRoot, path), join(root, path), { recursive: true });
      await copyRuntimeModules(role, root);
      return root;
    })();
    imageDirectories.set(roleName, directory);
  }
  return directory;
}

/** Starts `node dist/<first bundle>.js` of a role in its image layout, as the image's CMD does. */
async function startBundle(roleName: string, portVariable: string, environment: Record<string, string>): Promise<RunningBundle> {
  const port = await freePort();
  const root = await imageDirectory(roleName);
  const role = imageRoles.find((candidate) => candidate.name === roleName)!;
  const child = spawn(process.execPath, [`dist/${role.bundles[0]}.js`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: root, TMPDIR: root, NODE_ENV: "production", [portVariable]: String(port), ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const bundle = { child, port, output: () => output };
  running.push(bundle);
  return bundle;
}

interface Readiness {
  status: number;
  checks: Record<string, string>;
}

/** Polls /readyz until `accept` holds (no time limit here: the test runner's timeout bounds it). */
async function readinessUntil(bundle: RunningBundle, accept: (readiness: Readiness) => boolean): Promise<Readiness> {
  for (;;) {
    if (bundle.child.exitCode !== null) assert.fail(`the service exited with ${bundle.child.exitCode}:\n${bundle.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${bundle.port}/readyz`);
      const readiness = { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
      if (accept(readiness)) return readiness;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dataDirectory: string;

before(async () => {
  await buildServices({ only: buildEntries.map((entry) => entry.name) });
  dataDirectory = await temporaryDirectory("compiled-services-data");
  await mkdir(join(dataDirectory, "models"));
  await generateModel({ ...modelPresets.tiny, outputPath: join(dataDirectory, "models", "tiny.gguf"), seed: 3, pooling: "none" });
  const store = new EmbeddedModelStore(dataDirectory);
  await store.create(modelRecord({ id: "tiny-chat", engine: { kind: "LLAMA_CPP", modelPath: "tiny.gguf", baseUrl: null, upstreamModel: null, apiKey: null } }));
  await store.close();
});

async function stopBundle({ child }: RunningBundle): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

after(async () => {
  await Promise.all(running.map(stopBundle));
});

describe("compiled services", () => {
  it("npm run build leaves nothing stale", async () => {
    assert.equal(await staleBuildReason(), undefined);
  });

  it("the model-registry image (no node_modules) starts and is ready", async () => {
    const registry = await startBundle("model-registry", "MODEL_REGISTRY_PORT", { DATA_DIR: dataDirectory, LOG_LEVEL: "info" });
    const readiness = await readinessUntil(registry, (candidate) => candidate.status === 200);
    assert.deepEqual(readiness.checks, { "model-store": "ok" });
  });

  it("the inference-cpu image (llama.cpp's CPU build only) loads its warm-up model before /readyz is 200, and logs the backend", async () => {
    const inference = await startBundle("inference-cpu", "INFERENCE_PORT", {
      DATA_DIR: dataDirectory,
      WARM_UP_MODELS: "tiny-chat",
      LLAMA_CPP_THREADS: "1",
      LLAMA_CPP_SEQUENCES: "1",
      LOG_LEVEL: "info",
    });
    const readiness = await readinessUntil(inference, (candidate) => candidate.status === 200);
    assert.equal(readiness.checks["warm-up"], "ok");
    const output = inference.output();
    assert.match(output, /"message":"warm-up: model loaded"/);
    assert.match(output, /"backend":"cpu"[^\n]*"message":"llama\.cpp model loaded"/);
    // Ready came after the load: the "done" line follows the engine's start-up line.
    assert.ok(output.indexOf("llama.cpp model loaded") < output.indexOf("warm-up: done, reporting ready"));
    // The embedded stores allow one inference process per data directory.
    await stopBundle(inference);
  });

  it("the inference-cpu image stays unready, saying why, while a warm-up model cannot load", async () => {
    const inference = await startBundle("inference-cpu", "INFERENCE_PORT", { DATA_DIR: dataDirectory, WARM_UP_MODELS: "no-such-model", WARM_UP_RETRY_SECONDS: "1" });
    const readiness = await readinessUntil(inference, (candidate) => /no model is named no-such-model/.test(candidate.checks["warm-up"] ?? ""));
    assert.equal(readiness.status, 503);
  });
});

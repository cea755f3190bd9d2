/**
 * Checks the Dockerfile without a container engine: one target per role of
 * scripts/build/image-roles.ts, each copying its bundles, the files it reads and only its pruned
 * node_modules; the build stage copies every source the bundles are made of; every file copied from
 * the build context exists and .dockerignore keeps it; the per-role dependency sets (computed from
 * a real build and this checkout's node_modules) hold what each bundle imports and only the
 * llama.cpp build of the role; the CUDA base image's major version is the one the prebuilt CUDA
 * binary links.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { build } from "esbuild";
import { projectRoot } from "../../platform/schema-file.ts";
import { buildEntries } from "../../scripts/build/build-entries.ts";
import type { BuildManifest } from "../../scripts/build/build-manifest.ts";
import { buildServices } from "../../scripts/build/build-services.ts";
import { imageRoles, type ImageRole } from "../../scripts/build/image-roles.ts";
import { rolePackages, runtimeModuleDirectories } from "../../scripts/build/runtime-modules.ts";

// ---------------------------------------------------------------------------------------------
// Reading the Dockerfile into stages.

interface Instruction {
  keyword: string;
  argument: string;
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function dockerfileInstructions(text: string): Instruction[] {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(" ") };
    });
}

const instructions = dockerfileInstructions(readFileSync(join(projectRoot, "Dockerfile"), "utf8"));

/** Global ARGs (before the first FROM) and their defaults. */
const globalArguments = new Map<string, string>();
const stages: Stage[] = [];
for (const instruction of instructions) {
  if (instruction.keyword === "FROM") {
    const [base = "", as, name] = instruction.argument.split(/\s+/);
    assert.equal(as?.toUpperCase(), "AS", `name every stage: FROM ${instruction.argument}`);
    stages.push({ name: name!, base, instructions: [] });
  } else if (stages.length === 0) {
    if (instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.argument.split("=");
      globalArguments.set(name, value);
    }
  } else stages.at(-1)!.instructions.push(instruction);
}

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.name === name);
  assert.ok(found, `the Dockerfile has no stage (target) named ${name}`);
  return found;
}

/** The base image of a stage with ARG defaults filled in. */
function baseImage(of: Stage): string {
  return of.base.replace(/\$\{(\w+)\}/g, (_, name: string) => globalArguments.get(name) ?? "");
}

/** A stage's instructions with those of the stages it is built FROM, first. */
function inheritedInstructions(of: Stage): Instruction[] {
  const parent = stages.find((candidate) => candidate.name === of.base);
  return [...(parent === undefined ? [] : inheritedInstructions(parent)), ...of.instructions];
}

interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

function copies(of: Stage): Copy[] {
  return of.instructions
    .filter((instruction) => instruction.keyword === "COPY")
    .map((instruction) => {
      const words = instruction.argument.split(/\s+/);
      const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((word) => !word.startsWith("--"));
      return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
    });
}

function execForm(of: Stage, keyword: string): string[] {
  const found = inheritedInstructions(of).filter((instruction) => instruction.keyword === keyword);
  assert.ok(found.length > 0, `${of.name} has no ${keyword}`);
  const value: unknown = JSON.parse(found.at(-1)!.argument);
  assert.ok(Array.isArray(value), `${of.name}: ${keyword} should use the exec form (JSON array), so node gets SIGTERM`);
  return value as string[];
}

const normalise = (path: string) => path.replace(/^\.\//, "").replace(/\/$/, "");

// ---------------------------------------------------------------------------------------------

let manifest: BuildManifest;

before(async () => {
  // The bundles as `npm run build` writes them: their imports decide each role's packages.
  manifest = await buildServices({ only: buildEntries.map((entry) => entry.name) });
});

describe("Dockerfile: build stage", () => {
  it("installs production dependencies with npm ci, without llama.cpp downloads, from the lockfile", () => {
    const build = stage("build");
    const install = build.instructions.find((instruction) => instruction.keyword === "RUN" && instruction.argument.includes("npm ci"));
    assert.ok(install, "install with npm ci");
    assert.match(install.argument, /--omit=dev/);
    assert.match(install.argument, /NODE_LLAMA_CPP_SKIP_DOWNLOAD=true/);
    const copied = copies(build).flatMap((copy) => copy.sources.map(normalise));
    for (const file of ["package.json", "package-lock.json", ".npmrc", "packages/client/package.json"]) assert.ok(copied.includes(file), `copy ${file} before npm ci`);
    // esbuild and tsx run the build: --omit=dev must keep them.
    const packageJson = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.ok(packageJson.dependencies.esbuild !== undefined && packageJson.dependencies.tsx !== undefined, "esbuild and tsx are runtime dependencies");
  });

  it("copies every source file the bundles are built from", () => {
    const copied = copies(stage("build")).filter((copy) => copy.from === undefined).flatMap((copy) => copy.sources.map(normalise));
    for (const entry of Object.values(manifest.entries)) {
      for (const input of entry.inputs) {
        assert.ok(copied.some((path) => input === path || input.startsWith(`${path}/`)), `${entry.output} is built from ${input}, which the build stage does not copy`);
      }
    }
  });

  it("builds the bundles, then the pruned node_modules of every role", () => {
    const runs = stage("build").instructions.filter((instruction) => instruction.keyword === "RUN").map((instruction) => instruction.argument);
    const build = runs.find((run) => run.includes("scripts/build.ts"));
    assert.ok(build, "run scripts/build.ts (npm run build)");
    const loop = /for role in ([\w\s-]+?);/.exec(build)?.[1]?.trim().split(/\s+/) ?? [];
    assert.deepEqual([...loop].sort(), imageRoles.map((role) => role.name).sort(), "runtime-modules.ts runs for every role of image-roles.ts");
    assert.match(build, /scripts\/build\/runtime-modules\.ts --role "\$role" --output "\/runtime\/\$role"/);
  });
});

for (const role of imageRoles) {
  describe(`Dockerfile target ${role.name}`, () => {
    it(`starts node dist/${role.bundles[0]}.js as a numeric non-root user`, () => {
      const target = stage(role.name);
      assert.deepEqual(execForm(target, "ENTRYPOINT"), ["node"]);
      assert.deepEqual(execForm(target, "CMD"), [`dist/${role.bundles[0]}.js`]);
      const user = inheritedInstructions(target).filter((instruction) => instruction.keyword === "USER").at(-1)?.argument.split(":")[0] ?? "";
      assert.match(user, /^\d+$/, "USER by number, so Kubernetes can verify runAsNonRoot");
      assert.notEqual(Number(user), 0);
      assert.ok(inheritedInstructions(target).some((instruction) => instruction.keyword === "ENV" && /NODE_ENV=production/.test(instruction.argument)), "NODE_ENV=production");
    });

    it("copies its bundles (with their source maps and dist/package.json) and the files it reads", () => {
      const targetCopies = copies(stage(role.name));
      const fromBuild = targetCopies.filter((copy) => copy.from === "build").flatMap((copy) => copy.sources);
      for (const bundle of role.bundles) {
        assert.ok(buildEntries.some((entry) => entry.name === bundle), `${bundle} is not a build entry`);
        for (const file of [`/src/dist/${bundle}.js`, `/src/dist/${bundle}.js.map`]) assert.ok(fromBuild.includes(file), `${role.name} should copy ${file}`);
      }
      assert.ok(fromBuild.includes("/src/dist/package.json"), "dist/package.json marks the bundles as ES modules");
      const otherBundles = fromBuild.filter((file) => /^\/src\/dist\/[\w-]+\.js$/.test(file)).map((file) => file.slice("/src/dist/".length, -".js".length));
      assert.deepEqual(otherBundles.sort(), [...role.bundles].sort(), "only the role's bundles");
      const fromContext = targetCopies.filter((copy) => copy.from === undefined).flatMap((copy) => copy.sources.map(normalise));
      assert.deepEqual(fromContext.sort(), [...role.files].sort(), "the directories the role reads at run time, nothing else");
    });

    it("carries exactly the node_modules its bundles need, with only its llama.cpp build", () => {
      const packages = rolePackages(role, manifest);
      const modulesCopy = copies(stage(role.name)).find((copy) => copy.sources.includes(`/runtime/${role.name}/node_modules`));
      // Copied even when empty: which packages a bundle needs changes with the code, the Dockerfile need not.
      assert.ok(modulesCopy?.from === "build" && modulesCopy.destination === "./node_modules", `${role.name} should copy /runtime/${role.name}/node_modules from the build stage`);
      const directories = runtimeModuleDirectories(role, manifest);
      for (const name of packages) assert.ok(directories.includes(`node_modules/${name}`), `${role.name} needs ${name}`);
      const llamaBuilds = directories.filter((directory) => directory.startsWith("node_modules/@node-llama-cpp/"));
      assert.deepEqual(llamaBuilds, role.llamaCppBinary === undefined ? [] : [`node_modules/${role.llamaCppBinary}`]);
      assert.equal(directories.includes("node_modules/node-llama-cpp"), role.llamaCppBinary !== undefined, "node-llama-cpp only where llama.cpp runs");
      for (const heavy of ["node_modules/@lancedb/lancedb", "node_modules/@zilliz/milvus2-sdk-node"]) {
        assert.equal(directories.includes(heavy), role.name === "retrieval", `${heavy} only in the retrieval image`);
      }
      assert.ok(!directories.some((directory) => /^node_modules\/(typescript|tsx|@graphql-codegen|puppeteer-core)$/.test(directory)), "no build or test tooling");
    });
  });
}

describe("Dockerfile: bases and the build context", () => {
  it("the CUDA image's CUDA major version is the one the prebuilt llama.cpp CUDA binary links", () => {
    const role = imageRoles.find((candidate) => candidate.name === "inference-cuda")!;
    const binaries = join(projectRoot, "node_modules", role.llamaCppBinary!, "bins");
    const library = readdirSync(binaries).map((directory) => join(binaries, directory, "libggml-cuda.so")).find((path) => existsSync(path));
    assert.ok(library, `no libggml-cuda.so under ${binaries}`);
    const needed = /libcudart\.so\.(\d+)/.exec(readFileSync(library).toString("latin1"))?.[1];
    assert.ok(needed !== undefined, "libggml-cuda.so names no libcudart");
    const base = baseImage(stage("inference-cuda"));
    assert.match(base, new RegExp(`^nvidia/cuda:${needed}\\.\\d+\\.\\d+-runtime-`), `the CUDA ${needed} runtime image (cuBLAS included), got ${base}`);
    assert.ok(copies(stage("inference-cuda")).some((copy) => copy.sources.includes("/usr/local/bin/node")), "Node.js copied into the CUDA image");
  });

  it("every other target runs on the same Node.js LTS image", () => {
    const node = globalArguments.get("NODE_IMAGE") ?? "";
    assert.match(node, /^node:\d+-[a-z]+-slim$/);
    for (const role of imageRoles.filter((candidate) => candidate.name !== "inference-cuda")) assert.equal(baseImage(stages.find((candidate) => candidate.name === stage(role.name).base)!), node);
  });

  it("every file copied from the build context exists, and .dockerignore keeps it", () => {
    const patterns = readFileSync(join(projectRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith("#"));
    for (const required of ["node_modules", ".data", ".git", "test", "dist"]) assert.ok(patterns.includes(required), `.dockerignore should list ${required}`);
    const excluded = patterns.filter((pattern) => !/[*?[!]/.test(pattern)).map((pattern) => pattern.replace(/^\//, "").replace(/\/$/, ""));
    for (const copy of stages.flatMap(copies).filter((candidate) => candidate.from === undefined)) {
      for (const source of copy.sources.map(normalise)) {
        assert.ok(existsSync(join(projectRoot, source)), `the Dockerfile copies ${source}, which does not exist`);
        assert.ok(!excluded.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `.dockerignore excludes ${source}, which the Dockerfile copies`);
      }
    }
  });

  it("the gateway image holds the packages of the playground page it bundles at start", async () => {
    const gateway = imageRoles.find((candidate) => candidate.name === "gateway") as ImageRole;
    // Bundled as gateway/playground/playground-page.ts does; the metafile names every file read.
    const result = await build({
      entryPoints: [join(projectRoot, "web", "playground", "src", "main.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const packages = new Set(Object.keys(result.metafile.inputs).flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match === null ? [] : [match[1]!];
    }));
    assert.ok(packages.size > 0, "the playground bundles at least graphql-ws");
    const directories = runtimeModuleDirectories(gateway, manifest);
    for (const name of packages) assert.ok(directories.includes(`node_modules/${name}`), `the playground bundles ${name}, which the gateway image lacks`);
  });
});

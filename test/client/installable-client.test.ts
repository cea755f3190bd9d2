/**
 * @federated-ai-graph/client as an app installs it: built (`tsc` to dist/, .js and .d.ts), packed
 * with only what `files` names, imported by name through its `exports`, type-checked in an app with
 * `module: NodeNext` and its own generated `graphql()` documents (packages/client/test-app), and
 * run with plain `node` (no tsx) against a stack. The build runs here, so the test never sees a
 * stale dist/.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { graphql } from "../../client/generated/index.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { createGraphClient } from "../../packages/client/src/index.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const packageRoot = join(projectRoot, "packages", "client");
const appRoot = join(packageRoot, "test-app");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const InstallableRegister = graphql(`
  mutation InstallableRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }
`);

interface PackageJson {
  name: string;
  type?: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

function run(command: string, args: string[], cwd = projectRoot): { status: number | null; stdout: string; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the client package, installed by an app", () => {
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as PackageJson;

  before(() => {
    const build = run(process.execPath, [join(packageRoot, "build.mjs")]);
    assert.equal(build.status, 0, `the package does not build:\n${build.output}`);
  });

  it("builds .js and .d.ts into dist/, importing nothing with a .ts extension", () => {
    const files = filesUnder(join(packageRoot, "dist"));
    const sources = filesUnder(join(packageRoot, "src")).map((file) => relative(join(packageRoot, "src"), file));
    for (const source of sources) {
      const stem = source.replace(/\.ts$/, "");
      assert.ok(files.includes(join(packageRoot, "dist", `${stem}.js`)), `dist/${stem}.js is missing`);
      assert.ok(files.includes(join(packageRoot, "dist", `${stem}.d.ts`)), `dist/${stem}.d.ts is missing`);
    }
    const specifier = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;
    for (const file of files.filter((path) => path.endsWith(".js") || path.endsWith(".d.ts"))) {
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      for (const [, target] of code.matchAll(specifier)) {
        assert.ok(target !== undefined && !target.endsWith(".ts"), `${relative(packageRoot, file)} imports ${target}`);
        if (target.startsWith(".")) assert.ok(existsSync(resolve(dirname(file), target)), `${relative(packageRoot, file)} imports ${target}, which is not built`);
        else assert.ok(target.startsWith("@graphql-typed-document-node/core") || target.startsWith("graphql"), `${relative(packageRoot, file)} imports ${target}: not a dependency`);
      }
    }
  });

  it("declares exports (types and import) that exist, its dependencies, and packs only dist/ and its README", () => {
    assert.equal(manifest.name, "@federated-ai-graph/client");
    assert.equal(manifest.type, "module");
    const root = manifest.exports["."];
    assert.ok(typeof root === "object");
    assert.deepEqual(Object.keys(root).slice(0, 2), ["types", "import"], "types first, as TypeScript requires");
    for (const target of [root.types, root.import, manifest.exports["./schema.graphql"]]) {
      assert.ok(typeof target === "string" && existsSync(join(packageRoot, target)), `export ${String(target)} does not exist`);
    }
    assert.equal(readFileSync(join(packageRoot, "dist", "schema.graphql"), "utf8"), readFileSync(join(projectRoot, "schema", "api.graphql"), "utf8"));
    // What the built code imports is what package.json declares, at the versions the repository runs.
    const rootManifest = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const name of ["graphql-ws", "graphql-sse", "@graphql-typed-document-node/core"]) {
      assert.ok(manifest.dependencies[name] !== undefined, `${name} is not a dependency`);
      const installed = (JSON.parse(readFileSync(join(projectRoot, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
      assert.equal(manifest.dependencies[name], installed, `${name}: pin the installed version`);
    }
    assert.ok(manifest.peerDependencies.graphql !== undefined && rootManifest.dependencies.graphql?.startsWith("16."));

    const pack = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], packageRoot);
    assert.equal(pack.status, 0, pack.output);
    const packed = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]?.files.map((file) => file.path) ?? [];
    assert.ok(packed.includes("dist/index.js") && packed.includes("dist/index.d.ts") && packed.includes("README.md"), packed.join(", "));
    assert.deepEqual(packed.filter((path) => !path.startsWith("dist/") && path !== "package.json" && path !== "README.md"), [], "nothing but dist/, package.json and README.md");
  });

  describe("an app with module NodeNext and its own documents", () => {
    let stack: TestStack;

    before(async () => {
      const modelsDirectory = await temporaryDirectory("installable-models");
      await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
      stack = await startTestStack({ DATA_DIR: await temporaryDirectory("installable-stack"), MODELS_DIR: modelsDirectory });
      await createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key }).request(InstallableRegister, {
        input: { id: "app-chat", displayName: "App chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
      });
    });
    after(() => stack?.stop());

    it("type-checks against the built declarations (wrong variables and fields fail to compile) and runs with plain node", async () => {
      const compile = run(process.execPath, [tsc, "-p", join(appRoot, "tsconfig.json")]);
      assert.equal(compile.status, 0, `the app does not type-check:\n${compile.output}`);

      const child = spawn(process.execPath, [join(appRoot, "dist", "main.js")], {
        cwd: appRoot,
        env: { ...process.env, GATEWAY_URL: stack.gateway.graphqlUrl, API_KEY: stack.memberKey.key, MODEL: "app-chat" },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolveExit) => child.on("exit", resolveExit));
      assert.equal(code, 0, `the app failed:\n${stderr}${stdout}`);
      const seen = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown> & {
        events: { typename: string; id: string }[];
        deltas: string[];
        streamed: { text: string; finishReason: string; completionTokens: number };
        completion: { text: string; finishReason: string };
      };
      assert.deepEqual(seen.modelIds, ["app-chat"]);
      assert.equal(seen.completion.finishReason, "LENGTH");
      assert.equal(seen.events[0]?.typename, "TextStartEvent");
      assert.equal(seen.events.at(-1)?.typename, "TextEndEvent");
      assert.ok(seen.events.every((event) => event.id.length > 0));
      assert.equal(seen.deltas.join(""), seen.streamed.text);
      assert.equal(seen.streamed.text, seen.completion.text, "same seed, same text");
      assert.deepEqual({ finishReason: seen.streamed.finishReason, completionTokens: seen.streamed.completionTokens }, { finishReason: "LENGTH", completionTokens: 4 });
      assert.deepEqual(seen.missingModel, { code: "MODEL_NOT_FOUND", retryable: false, status: 200, path: ["createCompletion"] });
      assert.deepEqual(seen.missingModelStream, { code: "MODEL_NOT_FOUND", retryable: false, path: ["completionStream"] });
      assert.equal(seen.aborted, "AbortError");
      assert.deepEqual(seen.wrongUrl, { code: "HTTP_ERROR", retryable: false, status: 404 });
      assert.deepEqual(seen.badKey, { code: "UNAUTHENTICATED", retryable: false, status: 401 });
      assert.ok(Number(seen.tokenCalls) >= 5, "getToken ran for each request and connection");
      assert.equal(seen.isError, true);
    });
  });
});

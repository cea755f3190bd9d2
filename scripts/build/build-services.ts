/**
 * Compiles every entry of build-entries.ts to one ESM bundle with esbuild (about 2 s for all of
 * them here): TypeScript and the pure-JavaScript dependencies inlined, the packages of
 * `externalPackages` left to node_modules. Writes `dist/<name>.js` with a source map, and
 * `dist/build-manifest.json` naming each bundle's inputs and the packages it needs at run time.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { projectRoot } from "../../platform/schema-file.ts";
import { buildEntries, distDirectory, externalPackages, manifestFileName, optionalPackages } from "./build-entries.ts";
import { packageName, type BuildManifest } from "./build-manifest.ts";

export interface BuildServicesOptions {
  /** Where the bundles go. Default `<repository>/dist`. */
  outputDirectory?: string;
  /** Names of build-entries.ts to build. Default: all of them. */
  only?: readonly string[];
}

/**
 * The oldest Node.js the bundles run on. The images run a newer one (Dockerfile); development
 * machines may still have Node 20.
 */
export const buildTarget = "node20";

/**
 * CommonJS dependencies inside an ESM bundle call `require` for Node's built-ins (ioredis, pino,
 * graphql-ws's ws...): esbuild's shim needs a real one in scope.
 */
const requireShim = 'import { createRequire as __bundleCreateRequire } from "node:module"; const require = __bundleCreateRequire(import.meta.url);';

export async function buildServices(options: BuildServicesOptions = {}): Promise<BuildManifest> {
  const outputDirectory = options.outputDirectory ?? join(projectRoot, distDirectory);
  const entries = buildEntries.filter((entry) => options.only === undefined || options.only.includes(entry.name));
  if (entries.length === 0) throw new Error(`no build entry named ${options.only?.join(", ")}`);
  // Built beside dist/ (same depth, so the bundles resolve ../schema alike), then moved in file by
  // file with rename, which replaces atomically: a service starting from dist/ meanwhile (another
  // `npm start` rebuilding at the same moment) never loads a half-written bundle.
  const staging = `${outputDirectory}.building-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    const result = await build({
      absWorkingDir: projectRoot,
      entryPoints: Object.fromEntries(entries.map((entry) => [entry.name, entry.source])),
      outdir: staging,
      bundle: true,
      platform: "node",
      format: "esm",
      target: buildTarget,
      sourcemap: "linked",
      // Keeps class and function names in stack traces and error names (ConfigurationError...).
      keepNames: true,
      external: [...externalPackages],
      plugins: [nativeAddonsExternal()],
      banner: { js: requireShim },
      metafile: true,
      logLevel: "warning",
    });
    const manifest: BuildManifest = { target: buildTarget, entries: options.only === undefined ? {} : await existingEntries(outputDirectory) };
    for (const entry of entries) {
      const stagedKey = relative(projectRoot, join(staging, `${entry.name}.js`)).split(sep).join("/");
      const described = result.metafile.outputs[stagedKey];
      if (described === undefined) throw new Error(`esbuild wrote no ${stagedKey}`);
      manifest.entries[entry.name] = {
        output: relative(projectRoot, join(outputDirectory, `${entry.name}.js`)).split(sep).join("/"),
        source: entry.source,
        kind: entry.kind,
        packages: externalImports(described),
        inputs: Object.keys(described.inputs).filter((input) => !input.includes("node_modules/")).sort(),
      };
    }
    await writeFile(join(staging, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
    // The bundles are ES modules: without this, Node.js would take dist/*.js for CommonJS (the images
    // have no package.json of the repository above dist/).
    await writeFile(join(staging, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
    // A full build drops bundles of entries that no longer exist.
    if (options.only === undefined) await rm(outputDirectory, { recursive: true, force: true });
    await mkdir(outputDirectory, { recursive: true });
    for (const file of await readdir(staging)) await rename(join(staging, file), join(outputDirectory, file));
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The entries of the manifest already in `outputDirectory`, kept by a partial build. */
async function existingEntries(outputDirectory: string): Promise<BuildManifest["entries"]> {
  try {
    const existing = JSON.parse(await readFile(join(outputDirectory, manifestFileName), "utf8")) as BuildManifest;
    return existing.target === buildTarget ? existing.entries : {};
  } catch {
    return {};
  }
}

/**
 * Leaves every package with a native addon to node_modules, whoever adds it: a `binding.gyp`, or a
 * dependency on the usual addon loaders (bindings, node-gyp-build, prebuild-install). Their .node
 * files are found relative to the package's own files, which a bundle would break.
 */
function nativeAddonsExternal(): Plugin {
  const native = new Map<string, boolean>();
  const isNative = (name: string): boolean => {
    let known = native.get(name);
    if (known === undefined) {
      const directory = join(projectRoot, "node_modules", name);
      const manifestPath = join(directory, "package.json");
      const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as { gypfile?: boolean; dependencies?: Record<string, string> }) : {};
      known = existsSync(join(directory, "binding.gyp")) || manifest.gypfile === true || ["bindings", "node-gyp-build", "prebuild-install"].some((loader) => manifest.dependencies?.[loader] !== undefined);
      native.set(name, known);
    }
    return known;
  };
  return {
    name: "native-addons-external",
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (arguments_) => {
        if (arguments_.path.startsWith("node:")) return undefined;
        return isNative(packageName(arguments_.path)) ? { path: arguments_.path, external: true } : undefined;
      });
    },
  };
}

function externalImports(output: Metafile["outputs"][string]): string[] {
  const packages = output.imports
    .filter((imported) => imported.external && !imported.path.startsWith("node:") && !isBuiltin(imported.path))
    .map((imported) => packageName(imported.path))
    .filter((name) => !optionalPackages.has(name));
  return [...new Set(packages)].sort();
}

const builtins = new Set((await import("node:module")).builtinModules);

function isBuiltin(specifier: string): boolean {
  return builtins.has(specifier) || builtins.has(specifier.split("/")[0]!);
}

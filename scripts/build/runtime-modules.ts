/**
 * Copies the node_modules an image role needs out of a full install: the packages its bundles
 * import (dist/build-manifest.json) and everything they depend on, following each package.json's
 * dependencies, optional dependencies that are installed (minus image-roles.ts's exclusions) and
 * peer dependencies, resolved as Node.js does (nested node_modules first, then hoisted).
 *   node --import tsx scripts/build/runtime-modules.ts --role inference-cpu --output /runtime/inference-cpu
 * Prints the packages and the size. The Dockerfile's `modules` stage runs it once per role.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { projectRoot } from "../../platform/schema-file.ts";
import { distDirectory, manifestFileName } from "./build-entries.ts";
import type { BuildManifest } from "./build-manifest.ts";
import { imageRoles, isExcludedOptionalPackage, type ImageRole } from "./image-roles.ts";

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The npm packages the role's bundles import directly, from the build manifest. */
export function rolePackages(role: ImageRole, manifest: BuildManifest): string[] {
  const packages = role.bundles.flatMap((bundle) => {
    const entry = manifest.entries[bundle];
    if (entry === undefined) throw new Error(`${bundle} is not in ${distDirectory}/${manifestFileName}: run npm run build`);
    return entry.packages;
  });
  return [...new Set([...packages, ...(role.extraPackages ?? []), ...(role.llamaCppBinary === undefined ? [] : [role.llamaCppBinary])])].sort();
}

/**
 * Every installed package directory the role needs, relative to `root` (node_modules/x,
 * node_modules/x/node_modules/y...), sorted. A required package that is missing is an error.
 */
export function runtimeModuleDirectories(role: ImageRole, manifest: BuildManifest, root: string = projectRoot): string[] {
  const found = new Set<string>();
  const pending: { name: string; from: string; required: boolean }[] = rolePackages(role, manifest).map((name) => ({ name, from: root, required: true }));
  while (pending.length > 0) {
    const { name, from, required } = pending.pop()!;
    const directory = resolvePackage(name, from, root);
    if (directory === undefined) {
      if (required) throw new Error(`${name} (needed by ${relative(root, from) || "the bundles"}) is not installed`);
      continue;
    }
    const key = relative(root, directory).split(sep).join("/");
    if (found.has(key)) continue;
    found.add(key);
    const packageJson = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as PackageJson;
    for (const dependency of Object.keys(packageJson.dependencies ?? {})) pending.push({ name: dependency, from: directory, required: true });
    for (const dependency of Object.keys(packageJson.optionalDependencies ?? {})) {
      if (!isExcludedOptionalPackage(dependency, role)) pending.push({ name: dependency, from: directory, required: false });
    }
    for (const dependency of Object.keys(packageJson.peerDependencies ?? {})) {
      const optional = packageJson.peerDependenciesMeta?.[dependency]?.optional === true;
      // typescript is node-llama-cpp's peer for its type helpers only.
      if (dependency !== "typescript" && !isExcludedOptionalPackage(dependency, role)) pending.push({ name: dependency, from: directory, required: !optional });
    }
  }
  // A directory inside another found one is copied with it.
  const sorted = [...found].sort();
  return sorted.filter((directory) => !sorted.some((other) => other !== directory && directory.startsWith(`${other}/`)));
}

/** Node.js's lookup: `<from>/node_modules/<name>`, then each parent's, up to `root`. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  let directory = from;
  for (;;) {
    const candidate = join(directory, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (directory === root || !directory.startsWith(root)) return undefined;
    directory = dirname(directory);
    // Skip the `node_modules` level itself: `<root>/node_modules/a` looks in `<root>/node_modules`.
    if (directory.endsWith(`${sep}node_modules`)) directory = dirname(directory);
  }
}

async function directoryBytes(path: string): Promise<number> {
  const details = await stat(path);
  if (!details.isDirectory()) return details.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await directoryBytes(join(path, entry));
  return total;
}

/** Copies the role's modules into `<output>/node_modules`; returns the bytes copied. */
export async function copyRuntimeModules(role: ImageRole, output: string, root: string = projectRoot): Promise<{ directories: string[]; bytes: number }> {
  const manifest = JSON.parse(readFileSync(join(root, distDirectory, manifestFileName), "utf8")) as BuildManifest;
  const directories = runtimeModuleDirectories(role, manifest, root);
  await mkdir(join(output, "node_modules"), { recursive: true });
  for (const directory of directories) {
    const source = join(root, directory);
    const compiledHere = existsSync(join(source, "binding.gyp"));
    await cp(source, join(output, directory), { recursive: true, verbatimSymlinks: true, filter: (path) => !compiledHere || isRuntimeFileOfAddon(source, path) });
  }
  return { directories, bytes: await directoryBytes(join(output, "node_modules")) };
}

/**
 * In a package compiled by node-gyp at install (better-sqlite3 without a prebuilt binary), what the
 * addon needs at run time: everything but its C sources (`deps/`, `src/`) and, under `build/`, only
 * the addon's `.node` files (no object files, static libraries or makefiles: 30 of its 32 MB).
 */
function isRuntimeFileOfAddon(packageDirectory: string, path: string): boolean {
  const relativePath = relative(packageDirectory, path);
  const [top = ""] = relativePath.split(sep);
  if (top === "deps" || top === "src") return false;
  if (top !== "build") return true;
  if (statSync(path).isDirectory()) return !["obj", "obj.target", ".deps"].includes(basename(path));
  return relativePath.endsWith(".node") && basename(path) !== "test_extension.node";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { role: { type: "string" }, output: { type: "string" } } });
  const role = imageRoles.find((candidate) => candidate.name === values.role);
  if (role === undefined || values.output === undefined) {
    console.error(`usage: runtime-modules.ts --role <${imageRoles.map((candidate) => candidate.name).join("|")}> --output <directory>`);
    process.exit(2);
  }
  const { directories, bytes } = await copyRuntimeModules(role, values.output);
  console.log(`${role.name}: ${directories.length} package directories, ${(bytes / 1024 / 1024).toFixed(1)} MiB -> ${values.output}/node_modules`);
}

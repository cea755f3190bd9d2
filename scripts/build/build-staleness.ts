/**
 * Whether dist/ still matches the sources: `npm start` rebuilds (about 2-6 s) when a bundle is
 * missing or older than any file it was built from, the lockfile or the build scripts.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { projectRoot } from "../../platform/schema-file.ts";
import { buildEntries, distDirectory, manifestFileName } from "./build-entries.ts";
import type { BuildManifest } from "./build-manifest.ts";

/** Changes to these rebuild every bundle. */
const buildDefinitionFiles = ["package-lock.json", "scripts/build/build-entries.ts", "scripts/build/build-services.ts"];

/** Why dist/ must be rebuilt, or undefined when every bundle is newer than all it was built from. */
export async function staleBuildReason(root: string = projectRoot): Promise<string | undefined> {
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(await readFile(join(root, distDirectory, manifestFileName), "utf8")) as BuildManifest;
  } catch {
    return `${distDirectory}/${manifestFileName} is missing (never built)`;
  }
  for (const entry of buildEntries) {
    const built = manifest.entries[entry.name];
    if (built === undefined) return `${entry.name} is not in ${distDirectory}/${manifestFileName}`;
    const builtAt = await modifiedMillis(join(root, built.output));
    if (builtAt === undefined) return `${built.output} is missing`;
    for (const input of [...buildDefinitionFiles, ...built.inputs]) {
      const changedAt = await modifiedMillis(join(root, input));
      // A deleted input changed the build as much as an edited one.
      if (changedAt === undefined || changedAt > builtAt) return `${input} changed since ${built.output} was built`;
    }
  }
  return undefined;
}

async function modifiedMillis(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

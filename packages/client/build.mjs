/**
 * Builds the package into dist/: `tsc` (JavaScript and declarations) and the public schema
 * (`@federated-ai-graph/client/schema.graphql`, for apps' codegen). Run by `npm run build -w
 * @federated-ai-graph/client`, by `npm pack`/`npm publish` (prepack), and by the package's test.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(join(packageRoot, "dist"), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", join(packageRoot, "tsconfig.json")], { stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(join(packageRoot, "dist"), { recursive: true });
copyFileSync(join(packageRoot, "..", "..", "schema", "api.graphql"), join(packageRoot, "dist", "schema.graphql"));

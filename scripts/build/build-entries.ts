/**
 * What `npm run build` compiles: one JavaScript bundle per service and per operator script the
 * images carry, each written to `dist/<name>.js`. Bundles sit one directory below the repository
 * root, as the TypeScript modules that read files beside the code do (platform/schema-file.ts
 * resolves `../schema/` from its own URL), so `schema/` and `web/` are found from both.
 */
import { subgraphCatalog } from "../../platform/service-catalog.ts";

export interface BuildEntry {
  /** Bundle name: `dist/<name>.js`. */
  name: string;
  /** The TypeScript module it starts, relative to the repository root. */
  source: string;
  /** What it is: a long-running service or a command an operator runs in a pod. */
  kind: "service" | "operator-script";
}

export const buildEntries: readonly BuildEntry[] = [
  { name: "gateway", source: "gateway/main.ts", kind: "service" },
  ...subgraphCatalog.map((subgraph) => ({ name: subgraph.name, source: subgraph.entryPoint, kind: "service" as const })),
  // `kubectl exec deploy/gateway -- node dist/api-keys.js create ...` (k8s/README.md).
  { name: "api-keys", source: "scripts/api-keys.ts", kind: "operator-script" },
  { name: "persisted-documents", source: "scripts/persisted-documents.ts", kind: "operator-script" },
  // Fills the models volume from a Job running the inference image (k8s/README.md).
  { name: "fetch-model", source: "scripts/fetch-model.ts", kind: "operator-script" },
];

/**
 * Packages left out of the bundles and loaded from node_modules at run time: native addons and their
 * platform binaries (llama.cpp, LanceDB), packages that read files of their own at run time (the
 * Milvus SDK's .proto files, esbuild's binary for the playground), and apache-arrow, which LanceDB
 * must share with the code that builds its tables.
 */
export const externalPackages: readonly string[] = [
  "node-llama-cpp",
  "@node-llama-cpp/*",
  "@lancedb/*",
  "apache-arrow",
  "@zilliz/milvus2-sdk-node",
  "esbuild",
  "onnxruntime-node",
  ...optionalPackagesList(),
];

/**
 * Packages dependencies try to load inside try/catch and do without: ws's native speed-ups
 * (bufferutil, utf-8-validate) and node-fetch's `encoding`. Never installed, never required.
 */
export const optionalPackages: ReadonlySet<string> = new Set(optionalPackagesList());

function optionalPackagesList(): string[] {
  return ["bufferutil", "utf-8-validate", "encoding"];
}

/** Directory of the bundles, relative to the repository root. */
export const distDirectory = "dist";

/** `node` arguments that run a service's bundle as `npm start` does (relative to the project root). */
export function bundleArguments(name: string): string[] {
  return ["--enable-source-maps", `${distDirectory}/${name}.js`];
}

/** Written beside the bundles: what each one contains and needs (scripts/build/build-manifest.ts). */
export const manifestFileName = "build-manifest.json";

/** The record `npm run build` writes beside the bundles, read by `npm start`, the image build and tests. */
export interface BuiltEntry {
  /** The bundle, relative to the repository root (`dist/gateway.js`). */
  output: string;
  /** The TypeScript module it was built from. */
  source: string;
  kind: "service" | "operator-script";
  /** npm packages the bundle loads from node_modules at run time (the externals it imports), sorted. */
  packages: string[];
  /** Every source file in the bundle, relative to the repository root: staleness is judged on these. */
  inputs: string[];
}

export interface BuildManifest {
  /** esbuild's `target` the bundles were built for. */
  target: string;
  entries: Record<string, BuiltEntry>;
}

/** The package a module specifier names: `@scope/name` or `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

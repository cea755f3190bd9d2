/**
 * `npm run build`: compiles the gateway, each subgraph and the operator scripts to JavaScript
 * bundles in dist/ (see scripts/build/build-services.ts). Production runs these (`node dist/gateway.js`);
 * development and tests keep running the TypeScript through tsx.
 *   npm run build                 # everything
 *   npm run build -- inference    # one bundle
 */
import { runMain } from "../platform/lifecycle/run-main.ts";
import { buildServices } from "./build/build-services.ts";

await runMain(async () => {
  const only = process.argv.slice(2);
  const started = performance.now();
  const manifest = await buildServices(only.length > 0 ? { only } : {});
  for (const [name, entry] of Object.entries(manifest.entries)) {
    console.log(`${entry.output.padEnd(28)} ${name.padEnd(20)} needs ${entry.packages.length === 0 ? "no packages" : entry.packages.join(", ")}`);
  }
  console.log(`built ${Object.keys(manifest.entries).length} bundles in ${Math.round(performance.now() - started)} ms`);
});

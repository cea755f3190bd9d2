/**
 * The examples' committed codegen output (typed documents and the persisted documents manifest)
 * matches a fresh run of each example's own codegen.ts, and each example type-checks with its own
 * tsconfig (DOM, bundler resolution): an app that copies one starts from working code.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generate } from "@graphql-codegen/cli";
import apolloCodegen from "../../examples/apollo-client/codegen.ts";
import urqlCodegen from "../../examples/urql/codegen.ts";
import { projectRoot } from "../../platform/schema-file.ts";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

for (const [example, config] of [
  ["apollo-client", apolloCodegen],
  ["urql", urqlCodegen],
] as const) {
  describe(`examples/${example}`, () => {
    const root = join(projectRoot, "examples", example);

    it("its committed codegen output and manifest match a fresh run", async () => {
      const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as { filename: string; content: string }[];
      assert.ok(outputs.some((output) => output.filename.endsWith("persisted-documents.json")), "the manifest is generated");
      for (const output of outputs) {
        const committed = await readFile(join(root, output.filename), "utf8").catch(() => "(missing)");
        assert.equal(committed, output.content, `examples/${example}/${output.filename} is stale: run \`npm run generate\` (or \`npm run codegen:examples\`)`);
      }
    });

    it("type-checks", () => {
      const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { encoding: "utf8" });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    });
  });
}

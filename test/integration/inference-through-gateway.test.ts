import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createGraphClient, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { present } from "../harness/present.ts";
import { schedulerRequests } from "../harness/metric-samples.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = graphql(`
  mutation RegisterInferenceModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id version }
  }
`);

const SetStatus = graphql(`
  mutation SetInferenceModelStatus($id: ID!, $status: ModelStatus!) {
    setModelStatus(id: $id, status: $status) { id status }
  }
`);

const CreateCompletion = graphql(`
  mutation CreateCompletion($input: CompletionInput!) {
    createCompletion(input: $input) {
      id
      text
      finishReason
      usage { promptTokens completionTokens totalTokens }
      latencyMillis
      timeToFirstTokenMillis
      createdAt
      model { id displayName pricing { inputPerMillionTokens currency } }
    }
  }
`);

const CompletionById = graphql(`
  query CompletionById($id: ID!) {
    completion(id: $id) { id text model { id } }
  }
`);

const Embeddings = graphql(`
  query Embeddings($model: ID!, $texts: [String!]!) {
    embeddings(model: $model, texts: $texts) {
      dimensions
      embeddings { index vector }
      usage { promptTokens }
      model { id displayName }
    }
  }
`);

describe("inference through the gateway", () => {
  let stack: TestStack;
  let admin: GraphClient;
  let member: GraphClient;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("inference-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("inference-stack"), MODELS_DIR: modelsDirectory, BATCH_WINDOW_MILLIS: "5" });
    admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const pricing = { inputPerMillionTokens: 0.5, outputPerMillionTokens: 1.5 };
    await admin.request(RegisterModel, {
      input: { id: "tiny-chat", displayName: "Tiny chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing, aliases: ["tiny"] },
    });
    await admin.request(RegisterModel, {
      input: { id: "tiny-embed", displayName: "Tiny embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing },
    });
    await admin.request(RegisterModel, {
      input: { id: "switched-off", displayName: "Off", family: "llama", capabilities: ["CHAT"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing },
    });
    await admin.request(SetStatus, { id: "switched-off", status: "DISABLED" });
  });
  after(() => stack.stop());

  it("completes a prompt, with the registry's model fields filled by federation", async () => {
    const createCompletion = present((await member.request(CreateCompletion, { input: { model: "tiny", prompt: "Once upon a time", maxTokens: 12, seed: 7 } })).createCompletion, "createCompletion");
    assert.equal(createCompletion.finishReason, "LENGTH");
    assert.equal(createCompletion.usage.completionTokens, 12);
    assert.equal(createCompletion.usage.totalTokens, createCompletion.usage.promptTokens + 12);
    assert.ok(createCompletion.text.length > 0);
    assert.ok(createCompletion.latencyMillis > 0);
    assert.equal(createCompletion.timeToFirstTokenMillis, null);
    assert.deepEqual(createCompletion.model, { id: "tiny-chat", displayName: "Tiny chat", pricing: { inputPerMillionTokens: 0.5, currency: "USD" } });
    const again = await member.request(CreateCompletion, { input: { model: "tiny-chat", prompt: "Once upon a time", maxTokens: 12, seed: 7 } });
    assert.equal(again.createCompletion?.text, createCompletion.text, "same seed, same text");
  });

  it("answers chat messages with the model's template", async () => {
    const createCompletion = present((await member.request(CreateCompletion, {
      input: { model: "tiny", messages: [{ role: "SYSTEM", content: "Be brief." }, { role: "USER", content: "Hello there" }], maxTokens: 6, seed: 1 },
    })).createCompletion, "createCompletion");
    assert.equal(createCompletion.usage.completionTokens <= 6, true);
    assert.ok(createCompletion.usage.promptTokens > 6, "the template adds tokens around the messages");
  });

  it("keeps completions readable by their tenant only", async () => {
    const createCompletion = present((await member.request(CreateCompletion, { input: { model: "tiny", prompt: "Remember me", maxTokens: 3, seed: 2 } })).createCompletion, "createCompletion");
    const found = await member.request(CompletionById, { id: createCompletion.id });
    assert.equal(found.completion?.text, createCompletion.text);
    assert.equal((await member.request(CompletionById, { id: "00000000-0000-0000-0000-000000000000" })).completion, null);
  });

  it("embeds a batch of texts in order", async () => {
    const embeddings = present((await member.request(Embeddings, { model: "tiny-embed", texts: ["alpha", "beta", "gamma"] })).embeddings, "embeddings");
    assert.equal(embeddings.dimensions, 256);
    assert.deepEqual(embeddings.embeddings.map((embedding) => embedding.index), [0, 1, 2]);
    assert.ok(embeddings.embeddings.every((embedding) => embedding.vector.length === 256));
    assert.notDeepEqual(embeddings.embeddings[0]?.vector, embeddings.embeddings[1]?.vector);
    assert.equal(embeddings.model?.displayName, "Tiny embeddings");
    assert.ok(embeddings.usage.promptTokens >= 3);
    const single = await member.request(Embeddings, { model: "tiny-embed", texts: ["beta"] });
    assert.deepEqual(single.embeddings?.embeddings[0]?.vector, embeddings.embeddings[1]?.vector, "batching does not change a vector");
  });

  const invalid: [string, () => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>, string, string | undefined][] = [
    ["an unknown model", () => member.execute(CreateCompletion, { input: { model: "nope", prompt: "x" } }), "MODEL_NOT_FOUND", "input.model"],
    ["a disabled model", () => member.execute(CreateCompletion, { input: { model: "switched-off", messages: [{ role: "USER", content: "x" }] } }), "MODEL_DISABLED", "input.model"],
    ["an embedding model asked to chat", () => member.execute(CreateCompletion, { input: { model: "tiny-embed", messages: [{ role: "USER", content: "x" }] } }), "CAPABILITY_NOT_SUPPORTED", "input.model"],
    ["a chat model asked to embed", () => member.execute(Embeddings, { model: "tiny", texts: ["x"] }), "CAPABILITY_NOT_SUPPORTED", "model"],
    ["a prompt over the context", () => member.execute(CreateCompletion, { input: { model: "tiny", prompt: "word ".repeat(600), maxTokens: 10 } }), "CONTEXT_LENGTH_EXCEEDED", "input"],
    ["maxTokens out of range", () => member.execute(CreateCompletion, { input: { model: "tiny", prompt: "x", maxTokens: 0 } }), "BAD_USER_INPUT", "input.maxTokens"],
    ["both prompt and messages", () => member.execute(CreateCompletion, { input: { model: "tiny", prompt: "x", messages: [{ role: "USER", content: "y" }] } }), "BAD_USER_INPUT", "input"],
    ["an empty prompt", () => member.execute(CreateCompletion, { input: { model: "tiny", prompt: "  " } }), "BAD_USER_INPUT", "input.prompt"],
    ["temperature out of range", () => member.execute(CreateCompletion, { input: { model: "tiny", prompt: "x", temperature: 5 } }), "BAD_USER_INPUT", "input.temperature"],
    ["an empty text to embed", () => member.execute(Embeddings, { model: "tiny-embed", texts: ["ok", ""] }), "BAD_USER_INPUT", "texts[1]"],
    ["too many texts", () => member.execute(Embeddings, { model: "tiny-embed", texts: Array.from({ length: 300 }, () => "x") }), "BAD_USER_INPUT", "texts"],
  ];
  for (const [name, run, code, field] of invalid) {
    it(`refuses ${name} with ${code} before any engine time`, async () => {
      const result = await run();
      const error = result.errors?.[0];
      assert.equal(error?.extensions?.code, code, JSON.stringify(result.errors));
      assert.equal(error?.extensions?.field, field);
    });
  }

  it("stops the generation when the HTTP client goes away", async () => {
    const metrics = () => schedulerRequests(stack.inference.url, "tiny-chat", "generate");
    const client = new AbortController();
    const request = fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}` },
      body: JSON.stringify({ query: 'mutation { createCompletion(input: {model: "tiny", prompt: "A very long story", maxTokens: 480, seed: 9}) { text } }' }),
      signal: client.signal,
    }).catch(() => "aborted");
    const deadline = Date.now() + 5_000;
    while ((await metrics())?.running !== 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const cancelledBefore = (await metrics())?.cancelledWhileRunning ?? 0;
    client.abort();
    assert.equal(await request, "aborted");
    while ((await metrics())?.running !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await metrics();
    assert.equal(after?.running, 0, "the engine call ended");
    assert.equal(after?.cancelledWhileRunning, cancelledBefore + 1, "the scheduler saw the request cancelled");
  });

  it("gives the token counts when the prompt does not fit", async () => {
    const result = await member.execute(CreateCompletion, { input: { model: "tiny", prompt: "word ".repeat(600), maxTokens: 10 } });
    const extensions = result.errors?.[0]?.extensions ?? {};
    assert.equal(extensions.contextLength, 512);
    assert.equal(extensions.maxTokens, 10);
    assert.ok(Number(extensions.promptTokens) > 502);
  });
});

import assert from "node:assert/strict";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadEngineConfig } from "../../engines/engine-config.ts";
import { EgressGuard } from "../../platform/network/egress-policy.ts";
import { loopbackEngineNetwork } from "./openai-compatible/loopback-network.ts";
import { EngineError } from "../../engines/engine-error.ts";
import { ModelEngines } from "../../engines/model-engines.ts";
import { engineIdentity } from "../../engines/open-engine.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { InMemoryPubSub } from "../../platform/pubsub/in-memory-pubsub.ts";
import { ModelCatalog } from "../../subgraphs/model-registry/model-catalog.ts";
import { EmbeddedModelStore } from "../../subgraphs/model-registry/store/embedded-model-store.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { testThreads, tinyModel } from "./llama-cpp/llama-cpp-test-models.ts";
import { registration } from "../subgraphs/model-registry/model-fixtures.ts";
import { ReplayOpenAIServer } from "./openai-compatible/replay-openai-server.ts";
import { embeddingsReply, jsonReply, model as replayModel } from "./openai-compatible/wire-format.ts";

describe("ModelEngines", () => {
  let catalog: ModelCatalog;
  let engines: ModelEngines;
  let modelsDirectory: string;

  before(async () => {
    modelsDirectory = await temporaryDirectory("model-engines");
    await copyFile(await tinyModel("chat"), join(modelsDirectory, "chat.gguf"));
    await copyFile(await tinyModel("embed", "mean"), join(modelsDirectory, "embed.gguf"));
    const pubsub = new InMemoryPubSub();
    const store = new EmbeddedModelStore(await temporaryDirectory("model-engines-store"));
    const logger = createLogger("test", "error");
    // The test's OpenAI-compatible server listens on loopback, which is refused unless allowed.
    catalog = new ModelCatalog(store, pubsub, logger, undefined, new EgressGuard(loopbackEngineNetwork));
    engines = await ModelEngines.create({
      models: store,
      config: loadEngineConfig({ LLAMA_CPP_THREADS: String(testThreads), LLAMA_CPP_SEQUENCES: "2", BATCH_WINDOW_MILLIS: "0", ENGINE_ALLOWED_HOSTS: "127.0.0.0/8" }),
      modelsDirectory,
      pubsub,
      logger,
    });
    await catalog.register(registration({ id: "chat", aliases: ["chat-latest"], engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" } }));
    await catalog.register(
      registration({ id: "embed", capabilities: ["EMBEDDING"], embeddingDimensions: 256, engine: { kind: "LLAMA_CPP", modelPath: join(modelsDirectory, "embed.gguf") } }),
    );
  });
  after(() => engines.close());

  it("opens the engine a model names, by id or alias, once", async () => {
    const byAlias = await engines.resolve("chat-latest");
    const byId = await engines.resolve("chat");
    assert.equal(byAlias?.model.id, "chat");
    assert.equal(byAlias?.scheduler, byId?.scheduler, "one scheduler per model");
    const result = await byId?.scheduler.generate({ prompt: { kind: "text", text: "Hello" }, parameters: { maxTokens: 4, seed: 1 } });
    assert.equal(result?.usage.completionTokens, 4);
    assert.equal(await engines.resolve("unknown"), undefined);
  });

  it("embeds through the embedding model's scheduler", async () => {
    const resolved = await engines.resolve("embed");
    const [first, second] = await Promise.all([resolved?.scheduler.embed("alpha"), resolved?.scheduler.embed("beta")]);
    assert.equal(first?.length, 256);
    assert.equal(second?.length, 256);
    assert.equal(resolved?.scheduler.describe().embeddingDimensions, 256);
  });

  it("keeps the engine when pricing changes and replaces it when the engine changes", async () => {
    const before = await engines.resolve("chat");
    const current = await catalog.find("chat");
    await catalog.update("chat", current?.version ?? 0, { pricing: { inputPerMillionTokens: 5, outputPerMillionTokens: 5 } });
    const afterPricing = await engines.resolve("chat");
    assert.equal(afterPricing?.scheduler, before?.scheduler);
    assert.equal(afterPricing?.model.pricing.inputPerMillionTokens, 5, "the model is read fresh");

    await copyFile(join(modelsDirectory, "chat.gguf"), join(modelsDirectory, "chat-v2.gguf"));
    const updated = await catalog.find("chat");
    await catalog.update("chat", updated?.version ?? 0, { engine: { kind: "LLAMA_CPP", modelPath: "chat-v2.gguf" } });
    const afterEngine = await engines.resolve("chat");
    assert.notEqual(afterEngine?.scheduler, before?.scheduler);
    await assert.rejects(before?.scheduler.generate({ prompt: { kind: "text", text: "x" }, parameters: { maxTokens: 1 } }) ?? Promise.resolve(), (error: EngineError) => error.retryable);
    assert.equal((await afterEngine?.scheduler.generate({ prompt: { kind: "text", text: "Hi" }, parameters: { maxTokens: 2, seed: 1 } }))?.usage.completionTokens, 2);
  });

  it("fails clearly when a model's file is missing, and retries on the next request", async () => {
    await catalog.register(registration({ id: "ghost", engine: { kind: "LLAMA_CPP", modelPath: "ghost.gguf" } }));
    await assert.rejects(engines.resolve("ghost"), (error: EngineError) => error.code === "engine-unavailable" && /ghost\.gguf/.test(error.message));
    await copyFile(join(modelsDirectory, "chat.gguf"), join(modelsDirectory, "ghost.gguf"));
    assert.ok((await engines.resolve("ghost"))?.scheduler);
  });

  it("serves a model on an OpenAI-compatible server, coalescing embeddings into one upstream call", async () => {
    const server = await ReplayOpenAIServer.start();
    try {
      server.replyAlways("/v1/embeddings", (request, response) => {
        const input = (request.body as { input: string[] }).input;
        jsonReply(200, embeddingsReply(input.map((_text, index) => ({ index, embedding: [index, 1, 0] }))))(request, response);
      });
      await catalog.register(
        registration({
          id: "remote-embed",
          capabilities: ["EMBEDDING"],
          embeddingDimensions: 3,
          engine: { kind: "OPENAI_COMPATIBLE", baseUrl: server.baseUrl, upstreamModel: replayModel, apiKey: "sk-test" },
        }),
      );
      const resolved = await engines.resolve("remote-embed");
      const vectors = await Promise.all(["a", "b", "c"].map((text) => resolved?.scheduler.embed(text)));
      assert.deepEqual(vectors.map((vector) => [...(vector ?? [])]), [[0, 1, 0], [1, 1, 0], [2, 1, 0]]);
      assert.equal(server.requests.length, 1, "three requests, one upstream call");
      assert.equal(server.requests[0]?.headers.authorization, "Bearer sk-test");
    } finally {
      await server.close();
    }
  });

  it("serves models it has read while the store is unreachable, and nothing it has not", async () => {
    const store = new EmbeddedModelStore(await temporaryDirectory("model-engines-outage"));
    let reachable = true;
    const flaky = { resolve: (name: string) => (reachable ? store.resolve(name) : Promise.reject(new Error("connection refused"))) };
    const outage = await ModelEngines.create({ models: flaky, config: loadEngineConfig({}), modelsDirectory, logger: createLogger("test", "error") });
    await new ModelCatalog(store, new InMemoryPubSub(), createLogger("test", "error")).register(registration({ id: "kept", engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" } }));
    assert.equal((await outage.find("kept"))?.id, "kept");
    reachable = false;
    assert.equal((await outage.find("kept"))?.id, "kept", "the last read is served during the outage");
    await assert.rejects(outage.find("never-read"), /connection refused/);
    reachable = true;
    assert.equal(await outage.find("never-read"), undefined);
    await outage.close();
  });

  it("identifies engines by what opens them, not by bookkeeping", () => {
    const base = { id: "m", contextLength: 2048, embeddingDimensions: null, engine: { kind: "LLAMA_CPP" as const, modelPath: "a.gguf", baseUrl: null, upstreamModel: null, apiKey: null } };
    assert.equal(engineIdentity(base), engineIdentity({ ...base }));
    assert.notEqual(engineIdentity(base), engineIdentity({ ...base, contextLength: 1024 }));
    assert.notEqual(engineIdentity(base), engineIdentity({ ...base, engine: { ...base.engine, modelPath: "b.gguf" } }));
  });
});

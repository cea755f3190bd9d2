import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { EgressGuard } from "../../../platform/network/egress-policy.ts";
import { definitionFromRegistration, definitionFromUpdate } from "../../../subgraphs/model-registry/model-validation.ts";
import type { RegisterModelInput } from "../../../subgraphs/model-registry/generated/resolvers-types.ts";
import { modelRecord, registration } from "./model-fixtures.ts";

function rejection(input: RegisterModelInput): ServiceError {
  try {
    definitionFromRegistration(input);
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, "BAD_USER_INPUT");
    return error;
  }
  assert.fail("expected the input to be rejected");
}

describe("definitionFromRegistration", () => {
  it("accepts a valid model and fills defaults", () => {
    const definition = definitionFromRegistration(registration({ aliases: ["tiny"] }));
    assert.equal(definition.status, "ACTIVE");
    assert.equal(definition.pricing.currency, "USD");
    assert.deepEqual(definition.aliases, ["tiny"]);
    assert.equal(definition.engine.apiKey, null);
    assert.equal(definition.engine.chatTemplate, undefined);
  });

  it("keeps an OpenAI-compatible model's tokenizer file, and refuses one on llama.cpp or that is not GGUF", () => {
    const engine = { kind: "OPENAI_COMPATIBLE" as const, baseUrl: "http://llama:8000/v1", upstreamModel: "smollm2", tokenizerPath: "SmolLM2.gguf" };
    assert.equal(definitionFromRegistration(registration({ engine })).engine.tokenizerPath, "SmolLM2.gguf");
    assert.equal(rejection(registration({ engine: { ...engine, tokenizerPath: "tokenizer.json" } })).extensions.field, "input.engine.tokenizerPath");
    assert.equal(rejection(registration({ engine: { kind: "LLAMA_CPP", modelPath: "m.gguf", tokenizerPath: "m.gguf" } })).extensions.field, "input.engine.tokenizerPath");
  });

  it("keeps a llama.cpp model's chat template override", () => {
    const chatTemplate = "{% for message in messages %}<|{{ message.role }}|>{{ message.content }}{% endfor %}<|assistant|>";
    const definition = definitionFromRegistration(registration({ engine: { kind: "LLAMA_CPP", modelPath: "m.gguf", chatTemplate } }));
    assert.equal(definition.engine.chatTemplate, chatTemplate);
  });

  const cases: [string, Partial<RegisterModelInput>, string][] = [
    ["negative input price", { pricing: { inputPerMillionTokens: -0.5, outputPerMillionTokens: 1 } }, "input.pricing.inputPerMillionTokens"],
    ["infinite output price", { pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: Number.POSITIVE_INFINITY } }, "input.pricing.outputPerMillionTokens"],
    ["bad currency", { pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1, currency: "dollars" } }, "input.pricing.currency"],
    ["context length 0", { contextLength: 0 }, "input.contextLength"],
    ["invalid id", { id: "has space" }, "input.id"],
    ["empty display name", { displayName: "   " }, "input.displayName"],
    ["no capabilities", { capabilities: [] }, "input.capabilities"],
    ["embedding model without dimensions", { capabilities: ["EMBEDDING"] }, "input.embeddingDimensions"],
    ["dimensions on a chat model", { embeddingDimensions: 384 }, "input.embeddingDimensions"],
    ["alias equal to its id", { aliases: ["tiny-chat"] }, "input.aliases[0]"],
    ["duplicate alias", { aliases: ["a", "a"] }, "input.aliases[1]"],
    ["llama.cpp without a path", { engine: { kind: "LLAMA_CPP" } }, "input.engine.modelPath"],
    ["a chat template that is not Jinja", { engine: { kind: "LLAMA_CPP", modelPath: "m.gguf", chatTemplate: "{% for m in messages %}{{ m.content }" } }, "input.engine.chatTemplate"],
    ["a chat template over 64 KiB", { engine: { kind: "LLAMA_CPP", modelPath: "m.gguf", chatTemplate: "x".repeat(65_537) } }, "input.engine.chatTemplate"],
    [
      "a chat template for an OpenAI-compatible server without a tokenizer file",
      { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "http://vllm:8000/v1", upstreamModel: "m", chatTemplate: "{{ messages[0].content }}" } },
      "input.engine.chatTemplate",
    ],
    ["llama.cpp path that is no GGUF", { engine: { kind: "LLAMA_CPP", modelPath: "model.bin" } }, "input.engine.modelPath"],
    ["OpenAI-compatible without base URL", { engine: { kind: "OPENAI_COMPATIBLE", upstreamModel: "gpt-4o" } }, "input.engine.baseUrl"],
    ["OpenAI-compatible with a non-HTTP URL", { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "ftp://x", upstreamModel: "m" } }, "input.engine.baseUrl"],
    ["OpenAI-compatible without upstream model", { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "http://vllm:8000/v1" } }, "input.engine.upstreamModel"],
    ["API key on a llama.cpp engine", { engine: { kind: "LLAMA_CPP", modelPath: "a.gguf", apiKey: "secret" } }, "input.engine.apiKey"],
    ["temperature above 2", { defaultParameters: { temperature: 3 } }, "input.defaultParameters.temperature"],
    ["max tokens above the context", { defaultParameters: { maxTokens: 4096 } }, "input.defaultParameters.maxTokens"],
    ["empty stop sequence", { defaultParameters: { stop: ["ok", ""] } }, "input.defaultParameters.stop[1]"],
  ];
  for (const [name, overrides, field] of cases) {
    it(`rejects ${name}, naming ${field}`, () => {
      const error = rejection(registration(overrides));
      assert.equal(error.extensions.field, field);
    });
  }

  it("reports every problem at once", () => {
    const error = rejection(registration({ contextLength: 0, pricing: { inputPerMillionTokens: -1, outputPerMillionTokens: -1 } }));
    const problems = error.extensions.problems as { field: string }[];
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ["input.contextLength", "input.pricing.inputPerMillionTokens", "input.pricing.outputPerMillionTokens"],
    );
    assert.match(error.message, /and 2 more problems/);
  });
});

describe("definitionFromUpdate", () => {
  it("keeps fields left out and changes the rest", () => {
    const current = modelRecord({ aliases: ["x"] });
    const next = definitionFromUpdate(current, { displayName: "New name" });
    assert.equal(next.displayName, "New name");
    assert.deepEqual(next.aliases, ["x"]);
    assert.deepEqual(next.pricing, current.pricing);
  });

  it("keeps a stored API key unless the update removes it", () => {
    const current = modelRecord({
      engine: { kind: "OPENAI_COMPATIBLE", modelPath: null, baseUrl: "http://a/v1", upstreamModel: "m", apiKey: "secret" },
    });
    const kept = definitionFromUpdate(current, { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "http://b/v1", upstreamModel: "m2" } });
    assert.equal(kept.engine.apiKey, "secret");
    assert.equal(kept.engine.baseUrl, "http://b/v1");
    const removed = definitionFromUpdate(current, { engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "http://b/v1", upstreamModel: "m2", apiKey: null } });
    assert.equal(removed.engine.apiKey, null);
  });

  it("rejects null for a required field and checks the merged result", () => {
    assert.throws(() => definitionFromUpdate(modelRecord(), { displayName: null }), (error: ServiceError) => error.extensions.field === "input.displayName");
    assert.throws(
      () => definitionFromUpdate(modelRecord({ defaultParameters: { temperature: null, topP: null, maxTokens: 2000, stop: null } }), { contextLength: 1000 }),
      (error: ServiceError) => error.extensions.field === "input.defaultParameters.maxTokens",
    );
  });
});

describe("engine baseUrl network policy", () => {
  const openAiEngine = (baseUrl: string) => ({ kind: "OPENAI_COMPATIBLE" as const, baseUrl, upstreamModel: "m" });

  it("refuses internal addresses at registration, naming input.engine.baseUrl", () => {
    for (const baseUrl of ["http://127.0.0.1:4001/graphql", "http://10.0.0.5:8000/v1", "http://169.254.169.254/latest", "http://[::1]:8000/v1", "http://localhost:8000/v1"]) {
      const error = rejection(registration({ engine: openAiEngine(baseUrl) }));
      assert.equal(error.extensions.field, "input.engine.baseUrl", baseUrl);
      assert.match(error.message, /baseUrl is not allowed: .*(private or loopback|link-local, metadata).*ENGINE_ALLOWED_HOSTS/, baseUrl);
    }
  });

  it("accepts what the operator allowed, and public hosts by default", () => {
    const guard = new EgressGuard({ allowedHosts: ["10.0.0.0/8", "vllm.internal"], allowPublicNetworks: true });
    assert.equal(definitionFromRegistration(registration({ engine: openAiEngine("http://10.0.0.5:8000/v1") }), guard).engine.baseUrl, "http://10.0.0.5:8000/v1");
    definitionFromRegistration(registration({ engine: openAiEngine("http://vllm.internal:8000/v1") }), guard);
    definitionFromRegistration(registration({ engine: openAiEngine("https://api.openai.com/v1") }));
  });

  it("checks a new engine on update, and leaves a kept one alone", () => {
    const current = modelRecord({ engine: { kind: "OPENAI_COMPATIBLE", modelPath: null, baseUrl: "http://10.0.0.5/v1", upstreamModel: "m", apiKey: null } });
    assert.equal(definitionFromUpdate(current, { displayName: "Renamed" }).displayName, "Renamed");
    assert.throws(
      () => definitionFromUpdate(current, { engine: openAiEngine("http://169.254.169.254/v1") }),
      (error: ServiceError) => error.extensions.field === "input.engine.baseUrl",
    );
  });
});

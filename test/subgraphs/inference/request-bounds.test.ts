/**
 * Issue 14, item 5 (inference): one embeddings or tokenCounts call is bounded in characters, tokens
 * and estimated engine time, refused with REQUEST_TOO_LARGE before the engine runs anything; the
 * retrieval subgraph splits its calls to fit. A generated (random-weight) tiny embedding model.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateModel, modelPresets } from "../../../engines/gguf/generate-model.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import type { InternalGraphqlClient } from "../../../platform/http/internal-graphql-client.ts";
import { EngineTimeEstimator } from "../../../subgraphs/inference/engine-time-estimator.ts";
import { InferenceEmbedder } from "../../../subgraphs/retrieval/inference-embedder.ts";
import { postGraphQL } from "../../harness/post-graphql.ts";
import { schedulerRequests } from "../../harness/metric-samples.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../../harness/test-stack.ts";

describe("bounded work per embeddings and tokenCounts call", () => {
  let stack: TestStack;
  const embeddingsQuery = "query($texts: [String!]!) { embeddings(model: \"bounded-embed\", texts: $texts) { dimensions } }";
  const countsQuery = "query($texts: [String!]!) { tokenCounts(model: \"bounded-embed\", texts: $texts) }";
  const details = (result: Awaited<ReturnType<typeof postGraphQL>>) => {
    const extensions = (result.body.errors?.[0] as { extensions?: { code?: string; limit?: string; maximum?: number; requested?: number } } | undefined)?.extensions;
    return { code: extensions?.code, limit: extensions?.limit, maximum: extensions?.maximum, requested: extensions?.requested };
  };
  const embedsCompleted = async () => (await schedulerRequests(stack.inference.url, "bounded-embed", "embed")).completed;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("request-bounds-models");
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({
      DATA_DIR: await temporaryDirectory("request-bounds"),
      MODELS_DIR: modelsDirectory,
      MAX_REQUEST_CHARACTERS: "20000",
      MAX_EMBEDDING_REQUEST_TOKENS: "1500",
      EMBEDDING_REQUEST_BUDGET_MILLIS: "1",
    });
    const registered = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
      input: { id: "bounded-embed", displayName: "Embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
    });
    assert.deepEqual(registered.body.errors ?? [], []);
  });
  after(() => stack?.stop());

  it("refuses more characters in all than MAX_REQUEST_CHARACTERS, for embeddings and tokenCounts alike, before any tokenizing", async () => {
    const texts = Array.from({ length: 5 }, () => "a".repeat(4500));
    for (const query of [embeddingsQuery, countsQuery]) {
      const result = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, query, { texts });
      assert.deepEqual(details(result), { code: ErrorCode.RequestTooLarge, limit: "CHARACTERS", maximum: 20000, requested: 22500 });
    }
    assert.equal(await embedsCompleted(), 0);
  });

  it("refuses more tokens in all than MAX_EMBEDDING_REQUEST_TOKENS before embedding", async () => {
    const texts = Array.from({ length: 4 }, (_, index) => `${index} ${"word ".repeat(400)}`);
    const result = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, embeddingsQuery, { texts });
    const refusal = details(result);
    assert.equal(refusal.code, ErrorCode.RequestTooLarge);
    assert.equal(refusal.limit, "TOKENS");
    assert.ok((refusal.requested ?? 0) > 1500);
    assert.equal(await embedsCompleted(), 0, "nothing reached the engine");
  });

  it("refuses a call whose estimated engine time is over the budget, once the model's rate is measured", async () => {
    // The first call is measured (no estimate yet); the budget is 1 ms, and 300 tokens take far longer on any CPU.
    const texts = [`first ${"word ".repeat(300)}`];
    const first = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, embeddingsQuery, { texts });
    assert.deepEqual(first.body.errors ?? [], []);
    const completed = await embedsCompleted();
    const second = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, embeddingsQuery, { texts });
    const refusal = details(second);
    assert.equal(refusal.code, ErrorCode.RequestTooLarge);
    assert.equal(refusal.limit, "ENGINE_MILLIS");
    assert.equal(refusal.maximum, 1);
    assert.equal(await embedsCompleted(), completed, "the refused call ran nothing");
  });
});

describe("EngineTimeEstimator", () => {
  it("learns milliseconds per token per model, ignoring calls too small to measure", () => {
    const estimator = new EngineTimeEstimator(0.5, 64);
    assert.equal(estimator.estimate("m", 100), undefined);
    estimator.record("m", 10, 1_000);
    assert.equal(estimator.estimate("m", 100), undefined, "10 tokens: mostly fixed overhead, not learned");
    estimator.record("m", 100, 200);
    assert.equal(estimator.estimate("m", 1_000), 2_000);
    estimator.record("m", 100, 400);
    assert.equal(estimator.estimate("m", 1_000), 3_000);
    assert.equal(estimator.estimate("other", 1_000), undefined);
  });
});

describe("InferenceEmbedder", () => {
  it("halves a call the inference subgraph refuses as REQUEST_TOO_LARGE, keeping the order", async () => {
    const calls: number[] = [];
    const client = {
      async request<Data>(_query: string, variables: { texts: string[] }): Promise<Data> {
        calls.push(variables.texts.length);
        if (variables.texts.length > 2) throw new ServiceError(ErrorCode.RequestTooLarge, "too large", { field: "texts" });
        return { tokenCounts: variables.texts.map((text) => text.length) } as Data;
      },
    } as unknown as InternalGraphqlClient;
    const texts = ["a", "bb", "ccc", "dddd", "eeeee"];
    const counts = await new InferenceEmbedder(client).countTokens("m", texts, { requestId: "r", tenantId: "t", apiKeyId: "k", roles: ["member"] });
    assert.deepEqual(counts, [1, 2, 3, 4, 5]);
    assert.deepEqual(calls, [5, 3, 2, 1, 2]);
  });

  it("lets a single text's refusal stand", async () => {
    const client = {
      async request(): Promise<never> {
        throw new ServiceError(ErrorCode.RequestTooLarge, "too large", { field: "texts" });
      },
    } as unknown as InternalGraphqlClient;
    await assert.rejects(new InferenceEmbedder(client).countTokens("m", ["x"], { requestId: "r", tenantId: "t", apiKeyId: "k", roles: ["member"] }), (error: ServiceError) => error.extensions.code === ErrorCode.RequestTooLarge);
  });
});

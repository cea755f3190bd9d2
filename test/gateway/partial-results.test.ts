import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GraphQLFormattedError } from "graphql";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import type { RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadUsageConfig } from "../../subgraphs/usage/config.ts";
import { startUsage } from "../../subgraphs/usage/service.ts";
import { postGraphQL, type RawGraphQLResult } from "../harness/post-graphql.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

// The three operations that answered `data: null` when one subgraph was down, before the
// nullability review: a field of another subgraph on a list's items, a mutation whose completion
// ran, and root fields of several subgraphs side by side.
const ModelsWithUsage = `query($from: DateTime!, $to: DateTime!) { models { totalCount nodes { id usage(from: $from, to: $to) { requests } } } }`;
const CreateCompletion = `mutation($input: CompletionInput!) {
  createCompletion(input: $input) { id text finishReason usage { completionTokens } model { id } cost { amount currency } citations { id } }
}`;
const ThreeSubgraphs = `{ models { totalCount } collections { id name } quota { tokensPerMinute } }`;
const CompletionById = `query($id: ID!) { completion(id: $id) { id text cost { amount } citations { id text } } }`;

/** The errors of `result`, ordered by path, asserted to be the unavailability of `serviceName` at exactly `paths`. */
function assertUnavailableAt(result: RawGraphQLResult, serviceName: string, paths: (string | number)[][]): void {
  assert.equal(result.status, 200, result.text);
  const errors = [...(result.body.errors ?? [])].sort((left: GraphQLFormattedError, right: GraphQLFormattedError) => JSON.stringify(left.path).localeCompare(JSON.stringify(right.path)));
  assert.deepEqual(
    errors.map((error) => error.path),
    paths,
    result.text,
  );
  for (const error of errors) {
    assert.equal(error.extensions?.code, "SERVICE_UNAVAILABLE", result.text);
    assert.equal(error.extensions?.retryable, true, result.text);
    assert.equal(error.extensions?.serviceName, serviceName, result.text);
  }
}

describe("partial results when one subgraph is down", () => {
  let stack: TestStack;
  let member: string;
  let restartedUsage: RunningService | undefined;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const prompt = { model: "partial-chat", prompt: "Once upon a time", maxTokens: 4, seed: 3 };
  let collectionId: string;
  let groundedId: string;
  let groundedCitations: number;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("partial-results-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("partial-results"), MODELS_DIR: modelsDirectory, BATCH_WINDOW_MILLIS: "2" });
    member = stack.memberKey.key;
    const admin = stack.adminKey.key;
    const succeed = async (apiKey: string, query: string, variables: Record<string, unknown>) => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, apiKey, query, variables);
      assert.equal(result.body.errors, undefined, result.text);
      return result.body.data ?? {};
    };
    const register = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
    const pricing = { inputPerMillionTokens: 0.5, outputPerMillionTokens: 1.5 };
    await succeed(admin, register, { input: { id: "partial-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing } });
    await succeed(admin, register, { input: { id: "partial-embed", displayName: "Embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing } });
    await succeed(admin, `mutation { setTenantQuota(input: { tenantId: "tenant-a", tokensPerMinute: 1000000 }) { tenantId } }`, {});
    const created = await succeed(member, `mutation { createCollection(input: { name: "handbook", embeddingModel: "partial-embed", chunkMaxTokens: 24, chunkOverlapTokens: 0 }) { id } }`, {});
    collectionId = (created.createCollection as { id: string }).id;
    const content = "# Themes\n\nThe aquamarine option sets the colour theme.\n\n# More themes\n\nAquamarine is also the default accent of the aquamarine theme.";
    await succeed(member, `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }`, { input: { collectionId, source: "themes.md", content } });
    // Made while every subgraph is up; read back below, with the retrieval subgraph down.
    const grounded = await succeed(member, CreateCompletion, { input: { ...prompt, grounding: { collectionId, query: "aquamarine", mode: "KEYWORD", topK: 2 } } });
    const completion = grounded.createCompletion as { id: string; citations: unknown[] };
    groundedId = completion.id;
    groundedCitations = completion.citations.length;
    assert.ok(groundedCitations >= 1, JSON.stringify(grounded));
  });
  after(async () => {
    await restartedUsage?.stop();
    await stack?.stop();
  });

  describe("with the usage subgraph down", () => {
    let madeWhileDown: string;

    before(() => stack.usage.stop());

    it("lists models with usage null on each, and an error at each usage's path", async () => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, ModelsWithUsage, { from, to });
      assertUnavailableAt(result, "usage", [
        ["models", "nodes", 0, "usage"],
        ["models", "nodes", 1, "usage"],
      ]);
      assert.deepEqual(result.body.data, {
        models: {
          totalCount: 2,
          nodes: [
            { id: "partial-chat", usage: null },
            { id: "partial-embed", usage: null },
          ],
        },
      });
    });

    it("returns the completion createCompletion made, with cost null and an error at its path", async () => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, CreateCompletion, { input: prompt });
      assertUnavailableAt(result, "usage", [["createCompletion", "cost"]]);
      const completion = result.body.data?.createCompletion as { id: string; text: string; finishReason: string; usage: { completionTokens: number }; model: { id: string }; cost: unknown; citations: unknown[] };
      assert.ok(completion, result.text);
      assert.equal(completion.cost, null);
      assert.equal(completion.finishReason, "LENGTH");
      assert.equal(completion.usage.completionTokens, 4);
      assert.ok(completion.text.length > 0);
      assert.deepEqual(completion.model, { id: "partial-chat" });
      assert.deepEqual(completion.citations, []);
      madeWhileDown = completion.id;
      // The completion exists: the inference subgraph reads it back.
      const readBack = await postGraphQL(stack.gateway.graphqlUrl, member, `query($id: ID!) { completion(id: $id) { id text } }`, { id: completion.id });
      assert.deepEqual(readBack.body, { data: { completion: { id: completion.id, text: completion.text } } });
    });

    it("keeps the other subgraphs' root fields when the quota's subgraph is down", async () => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, ThreeSubgraphs);
      assertUnavailableAt(result, "usage", [["quota"]]);
      assert.deepEqual(result.body.data, { models: { totalCount: 2 }, collections: [{ id: collectionId, name: "handbook" }], quota: null });
    });

    it("gives the completion made while usage was down its cost once usage is back", async () => {
      const port = stack.usage.port;
      restartedUsage = await startUsage(loadUsageConfig({ ...stack.environment, LOG_LEVEL: "error", SHUTDOWN_GRACE_PERIOD_MILLIS: "2000", USAGE_PORT: String(port) }), createLogger("usage", "error"));
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, CompletionById, { id: madeWhileDown });
      assert.equal(result.body.errors, undefined, result.text);
      const completion = result.body.data?.completion as { id: string; cost: { amount: number } | null };
      assert.equal(completion.id, madeWhileDown);
      assert.ok((completion.cost?.amount ?? 0) > 0, result.text);
    });
  });

  describe("with the retrieval subgraph down", () => {
    before(() => stack.retrieval.stop());

    it("reads a grounded completion back with each citation null and an error at its path", async () => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, CompletionById, { id: groundedId });
      assertUnavailableAt(
        result,
        "retrieval",
        Array.from({ length: groundedCitations }, (_, index) => ["completion", "citations", index, "text"]),
      );
      const completion = result.body.data?.completion as { id: string; text: string; cost: unknown; citations: unknown[] };
      assert.equal(completion.id, groundedId);
      assert.ok(completion.text.length > 0);
      assert.notEqual(completion.cost, null);
      // Each failed chunk is null in its place, so positions still match the [n] in the text.
      assert.deepEqual(completion.citations, Array.from({ length: groundedCitations }, () => null));
    });

    it("keeps the other subgraphs' root fields when collections' subgraph is down", async () => {
      const result = await postGraphQL(stack.gateway.graphqlUrl, member, ThreeSubgraphs);
      assertUnavailableAt(result, "retrieval", [["collections"]]);
      assert.deepEqual(result.body.data, { models: { totalCount: 2 }, collections: null, quota: { tokensPerMinute: 1000000 } });
    });

    it("still answers the operations that need no retrieval in full", async () => {
      const models = await postGraphQL(stack.gateway.graphqlUrl, member, ModelsWithUsage, { from, to });
      assert.equal(models.body.errors, undefined, models.text);
      const completion = await postGraphQL(stack.gateway.graphqlUrl, member, CreateCompletion, { input: prompt });
      assert.equal(completion.body.errors, undefined, completion.text);
      assert.ok((completion.body.data?.createCompletion as { cost: unknown }).cost !== null);
    });
  });
});

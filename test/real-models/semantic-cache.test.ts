/**
 * The semantic response cache through the gateway, with the real all-MiniLM-L6-v2 (converted to
 * GGUF by the project) embedding conversations: a paraphrase is answered from the cache; the same
 * question from another tenant, under another system prompt, or a different question is not. The
 * chat model is a FAKE OpenAI-compatible server (ReplayOpenAIServer, a test double) that numbers
 * its answers, so a served answer shows whether the engine ran.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { ReplayOpenAIServer, type ReplayedRequest } from "../engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, usageChunk, writeEvents } from "../engines/openai-compatible/wire-format.ts";
import { postGraphQL } from "../gateway/subscriptions/subscription-test-stack.ts";
import { provisionRealModelsOrSkip, realEmbeddingModelPath } from "../harness/real-models.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const models = await provisionRealModelsOrSkip();

const CreateCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { text cache { hit kind similarity } cost { amountMicros } } }`;
interface Reply {
  text: string;
  cache: { hit: boolean; kind: string | null; similarity: number | null } | null;
  cost: { amountMicros: number } | null;
}

describe("the semantic cache with the real MiniLM", { skip: models.skip }, () => {
  let stack: TestStack;
  let chat: ReplayOpenAIServer;
  let answers = 0;

  before(async () => {
    chat = await ReplayOpenAIServer.start();
    chat.replyAlways("/v1/chat/completions", async (_request: ReplayedRequest, response: ServerResponse) => {
      answers += 1;
      await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), chatChunk({ content: `answer-${answers}` }), chatChunk({}, "stop"), usageChunk({ prompt_tokens: 9, completion_tokens: 2 }), "[DONE]"]);
    });
    assert.ok(models.models !== undefined);
    const embeddingPath = await realEmbeddingModelPath(models.models);
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("semantic-cache"), SEMANTIC_CACHE_EMBEDDING_MODEL: "minilm" });
    const register = (input: Record<string, unknown>) => postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, { input });
    const pricing = { inputPerMillionTokens: 1000, outputPerMillionTokens: 1000 };
    assert.equal((await register({ id: "minilm", displayName: "MiniLM", family: "bert", capabilities: ["EMBEDDING"], embeddingDimensions: 384, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: embeddingPath }, pricing })).body.errors, undefined);
    assert.equal((await register({ id: "cached-chat", displayName: "Chat", family: "replay", capabilities: ["CHAT"], contextLength: 4096, engine: { kind: "OPENAI_COMPATIBLE", baseUrl: chat.baseUrl, upstreamModel: "replay-model" }, pricing })).body.errors, undefined);
  });
  after(async () => {
    await stack?.stop();
    await chat?.close();
  });

  async function ask(key: string, question: string, system = "Answer in one word.", minSimilarity: number = 0.9): Promise<{ data?: Reply; code?: unknown }> {
    const input = { model: "cached-chat", messages: [{ role: "SYSTEM", content: system }, { role: "USER", content: question }], maxTokens: 8, temperature: 0, cache: { ttlSeconds: 300, minSimilarity } };
    const { body } = await postGraphQL(stack.gateway.graphqlUrl, key, CreateCompletion, { input });
    return { data: (body.data as { createCompletion: Reply | null } | undefined)?.createCompletion ?? undefined, code: body.errors?.[0]?.extensions?.code };
  }

  it("answers a paraphrase from the cache, and nothing across tenants, system prompts or meanings", async () => {
    const first = await ask(stack.memberKey.key, "What is the capital of France?");
    assert.deepEqual(first.data?.cache, { hit: false, kind: null, similarity: null });
    assert.equal(first.data?.text, "answer-1");

    const paraphrase = await ask(stack.memberKey.key, "What's the capital city of France?");
    assert.equal(paraphrase.data?.text, "answer-1", "served from the cache: the engine did not run");
    assert.equal(paraphrase.data?.cache?.kind, "SEMANTIC");
    assert.ok((paraphrase.data?.cache?.similarity ?? 0) >= 0.9 && (paraphrase.data?.cache?.similarity ?? 0) < 1, JSON.stringify(paraphrase.data?.cache));
    assert.equal(paraphrase.data?.cost?.amountMicros, 0, "a cache hit costs nothing");
    assert.equal(answers, 1);

    const otherTenant = await ask(stack.otherTenantKey.key, "What is the capital of France?");
    assert.deepEqual([otherTenant.data?.text, otherTenant.data?.cache?.hit], ["answer-2", false], "another tenant's identical question misses");
    const otherSystem = await ask(stack.memberKey.key, "What is the capital of France?", "Answer in French.");
    assert.deepEqual([otherSystem.data?.text, otherSystem.data?.cache?.hit], ["answer-3", false], "another system prompt misses");
    const otherQuestion = await ask(stack.memberKey.key, "How do I bake sourdough bread?");
    assert.deepEqual([otherQuestion.data?.text, otherQuestion.data?.cache?.hit], ["answer-4", false], "another meaning misses");
    // The identical request is still the exact cache's.
    assert.equal((await ask(stack.memberKey.key, "What is the capital of France?")).data?.cache?.kind, "EXACT");
  });

  it("refuses a similarity threshold out of range with BAD_USER_INPUT", async () => {
    assert.equal((await ask(stack.memberKey.key, "Anything?", "Answer in one word.", 0.2)).code, "BAD_USER_INPUT");
  });
});

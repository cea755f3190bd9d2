/**
 * Whole operations priced before they run (issue 13, item 2): the demand-control score and fan-out
 * from the supergraph's @cost/@listSize, model tokens and money at the registry's live prices, the
 * tenant's remaining quota checked against the sum of every model call, and `extensions.cost`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

interface Reply {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { estimated: Record<string, unknown>; actual: Record<string, unknown> } };
}

describe("operation cost analysis", () => {
  let stack: TestStack;
  const post = async (apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<Reply> => {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Reply, "status">) };
  };

  before(async () => {
    const modelsDirectory = await temporaryDirectory("cost-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("cost-stack"), MODELS_DIR: modelsDirectory, MAX_FAN_OUT: "500", MAX_BATCH_OPERATIONS: "3" });
    const registered = await post(
      stack.adminKey.key,
      `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`,
      {
        input: {
          id: "priced-chat",
          displayName: "Priced chat",
          family: "llama",
          capabilities: ["CHAT", "COMPLETION"],
          contextLength: 512,
          engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" },
          // 2 per million prompt tokens, 10 per million generated: 1 token = 2 or 10 millionths.
          pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 10 },
        },
      },
    );
    assert.deepEqual(registered.errors, undefined);
  });
  after(() => stack?.stop());

  it("estimates a registry query from @listSize and reports it with no model calls", async () => {
    const reply = await post(stack.memberKey.key, "{ models(first: 5) { totalCount nodes { id pricing { currency } } } }");
    assert.equal(reply.status, 200);
    // ModelConnection (1) + 5 models × (1 + pricing 1) = 11 objects and score 11.
    assert.deepEqual(reply.extensions?.cost, {
      estimated: { score: 11, objects: 11, modelTokens: 0, costMicros: 0, currency: null },
      actual: { modelCalls: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, currency: null },
    });
  });

  it("refuses a fan-out over MAX_FAN_OUT before any subgraph is called", async () => {
    // 100 documents (first: 100) × 100 × ...: the attacker's collection→documents→collection chain.
    const reply = await post(stack.memberKey.key, '{ collection(id: "any") { documents(first: 100) { nodes { collection { documents(first: 100) { nodes { id } } } } } } }');
    assert.equal(reply.status, 400);
    assert.equal(reply.errors?.[0]?.extensions?.code, "MAX_FAN_OUT_EXCEEDED");
    assert.equal(reply.errors?.[0]?.extensions?.maximum, 500);
    // collection (1) + its connection (1) + 100 × (document 1 + collection 1 + connection 1 + 100 documents).
    assert.equal(reply.errors?.[0]?.extensions?.estimated, 1 + 1 + 100 * (1 + 1 + 1 + 100));
  });

  it("prices a completion at the live price and reports what it actually used", async () => {
    const reply = await post(stack.memberKey.key, 'mutation { createCompletion(input: { model: "priced-chat", prompt: "12345678", maxTokens: 5, temperature: 0 }) { text usage { promptTokens completionTokens } cost { amountMicros } } }');
    assert.deepEqual(reply.errors, undefined);
    const estimated = reply.extensions?.cost?.estimated;
    // 8 characters ≈ 2 prompt tokens + 5 to generate; 2 × 2 + 5 × 10 = 54 millionths.
    assert.deepEqual({ modelTokens: estimated?.modelTokens, costMicros: estimated?.costMicros, currency: estimated?.currency }, { modelTokens: 7, costMicros: 54, currency: "USD" });
    const completion = reply.data?.createCompletion as { usage: { promptTokens: number; completionTokens: number }; cost: { amountMicros: number } };
    assert.deepEqual(reply.extensions?.cost?.actual, {
      modelCalls: 1,
      promptTokens: completion.usage.promptTokens,
      completionTokens: completion.usage.completionTokens,
      costMicros: completion.cost.amountMicros,
      currency: "USD",
    });
  });

  it("refuses an operation over MAX_OPERATION_MODEL_TOKENS, naming the limit", async () => {
    const reply = await post(stack.memberKey.key, 'mutation { createCompletion(input: { model: "priced-chat", prompt: "hi", maxTokens: 40000 }) { text } }');
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.errors?.[0]?.extensions, { code: "OPERATION_COST_EXCEEDED", retryable: false, limit: "MODEL_TOKENS", maximum: 32768, estimated: 40001 });
  });

  it("refuses several completions whose sum exceeds the tenant's quota although each alone fits, and runs none", async () => {
    const quota = await post(stack.adminKey.key, 'mutation { setTenantQuota(input: { tenantId: "tenant-b", tokensPerDay: 1000 }) { tenantId } }');
    assert.deepEqual(quota.errors, undefined);
    const one = 'createCompletion(input: { model: "priced-chat", prompt: "hi", maxTokens: 300 }) { id }';
    const reply = await post(stack.otherTenantKey.key, `mutation { a: ${one} b: ${one} c: ${one} d: ${one} }`);
    assert.equal(reply.status, 429);
    const extensions = reply.errors?.[0]?.extensions;
    assert.equal(extensions?.code, "QUOTA_EXCEEDED");
    assert.equal(extensions?.limit, "TOKENS_PER_DAY");
    assert.equal(extensions?.requested, 4 * 301);
    assert.equal(extensions?.scope, "OPERATION");
    assert.equal(reply.data, undefined);
    // Nothing ran: the tenant's use is still zero, and one of the four alone is admitted.
    const use = await post(stack.otherTenantKey.key, "{ quota { currentUse { tokensToday } } }");
    assert.deepEqual(use.data, { quota: { currentUse: { tokensToday: 0 } } });
    const alone = await post(stack.otherTenantKey.key, `mutation { ${one} }`);
    assert.deepEqual(alone.errors, undefined);
  });

  it("applies the limits and the cost analysis to subscriptions over WebSocket", async () => {
    const client = createClient({ url: stack.gateway.graphqlUrl.replace("http", "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` }, retryAttempts: 0 });
    try {
      const refusal = (query: string) =>
        new Promise<unknown>((resolve) => {
          client.subscribe({ query }, { next: () => resolve("an event"), error: (error) => resolve(error), complete: () => resolve("completed") });
        });
      const overTokens = (await refusal('subscription { completionStream(input: { model: "priced-chat", prompt: "hi", maxTokens: 40000 }) { __typename } }')) as { extensions?: Record<string, unknown> }[];
      assert.deepEqual(overTokens[0]?.extensions, { code: "OPERATION_COST_EXCEEDED", retryable: false, limit: "MODEL_TOKENS", maximum: 32768, estimated: 40001 });
      const aliases = Array.from({ length: 31 }, (_, index) => `a${index}: id`).join(" ");
      const tooManyAliases = (await refusal(`subscription { completionStream(input: { model: "priced-chat", prompt: "hi" }) { ... on TextEndEvent { completion { ${aliases} } } } }`)) as { extensions?: Record<string, unknown> }[];
      assert.deepEqual(tooManyAliases[0]?.extensions, { code: "MAX_ALIASES_EXCEEDED", retryable: false, maximum: 30, found: 31 });
    } finally {
      await client.dispose();
    }
  });

  it("runs batched requests up to MAX_BATCH_OPERATIONS, each priced on its own, and refuses larger ones whole", async () => {
    const batch = (size: number) =>
      fetch(stack.gateway.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}` },
        body: JSON.stringify(Array.from({ length: size }, (_, index) => ({ query: `{ models(first: ${index + 1}) { nodes { id } } }` }))),
      });
    const allowed = await batch(3);
    assert.equal(allowed.status, 200);
    const replies = (await allowed.json()) as Reply[];
    assert.deepEqual(
      replies.map((reply) => [reply.data, reply.extensions?.cost?.estimated.objects]),
      [1, 2, 3].map((first) => [{ models: { nodes: [{ id: "priced-chat" }] } }, 1 + first]),
    );
    const refused = await batch(4);
    assert.equal(refused.status, 400);
    assert.deepEqual(((await refused.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions, { code: "MAX_BATCH_OPERATIONS_EXCEEDED", retryable: false, maximum: 3, found: 4 });
  });
});

/**
 * The attacker's corpus of issue 13, replayed against a running stack with the production defaults
 * of every operation limit and cost ceiling. Each case asserts the refusal's code and that another
 * tenant's canary query, sent while the attack is in flight, is answered in full. How fast the
 * canary stays is measured, not asserted: `bench/gateway-protection.ts`, docs/BENCHMARKS.md.
 *
 * Bodies, slowloris sockets and rate limits: test/platform/http-hygiene.test.ts and
 * test/gateway/rate-limits/; malformed operations and non-finite numbers:
 * test/gateway/malformed-operations.test.ts; a frozen or stopped subgraph:
 * test/gateway/subgraph-unavailable.test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

interface Outcome {
  status: number;
  code: unknown;
}

/** The attacks: a request body each (sent as is), and the code its refusal must carry. */
function attacks(): { name: string; body: () => string; code: string }[] {
  const nestedCollections = (levels: number) => `{ collection(id: "c") { ${"documents { nodes { collection { ".repeat(levels)}id${" } } }".repeat(levels)} } }`;
  const query = (text: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query: text, variables });
  return [
    { name: "depth 1,001 (collection { documents { nodes { collection ... } } } × 333)", body: () => query(nestedCollections(333)), code: "MAX_DEPTH_EXCEEDED" },
    { name: "depth 41 within the token limit", body: () => query(nestedCollections(13)), code: "MAX_DEPTH_EXCEEDED" },
    { name: "10,000 aliases of models(first: 1)", body: () => query(`{ ${Array.from({ length: 10_000 }, (_, index) => `a${index}: models(first: 1) { totalCount }`).join(" ")} }`), code: "MAX_DOCUMENT_TOKENS_EXCEEDED" },
    { name: "40 aliases", body: () => query(`{ models { ${Array.from({ length: 40 }, (_, index) => `a${index}: totalCount`).join(" ")} } }`), code: "MAX_ALIASES_EXCEEDED" },
    { name: "17 aliased root fields", body: () => query(`{ ${Array.from({ length: 17 }, (_, index) => `a${index}: models(first: 1) { totalCount }`).join(" ")} }`), code: "MAX_ROOT_FIELDS_EXCEEDED" },
    {
      name: "100 aliased createCompletions in one mutation",
      body: () => query(`mutation { ${Array.from({ length: 100 }, (_, index) => `c${index}: createCompletion(input: { model: "abuse-chat", prompt: "hi" }) { id }`).join(" ")} }`),
      code: "MAX_ALIASES_EXCEEDED",
    },
    { name: "a 124-character query fanning out to 926,200 objects over nested document pages", body: () => query(`{ collections { documents { nodes { collection { documents { nodes { collection { documents { nodes { id } } } } } } } } } }`), code: "MAX_FAN_OUT_EXCEEDED" },
    { name: "1,000 @include directives", body: () => query(`{ models { ${"totalCount @include(if: true) ".repeat(1_000)} } }`), code: "MAX_DOCUMENT_TOKENS_EXCEEDED" },
    { name: "60 directives", body: () => query(`{ models { ${"totalCount @include(if: true) ".repeat(60)} } }`), code: "MAX_DIRECTIVES_EXCEEDED" },
    {
      name: "30 levels of nested fragments, each spread twice",
      body: () => {
        const fragments = Array.from({ length: 30 }, (_, level) => `fragment F${level} on Model { id ...F${level + 1} ...F${level + 1} }`);
        return query(`${fragments.join(" ")} fragment F30 on Model { id } { model(id: "x") { ...F0 } }`);
      },
      code: "MAX_FRAGMENT_DEPTH_EXCEEDED",
    },
    { name: "256 embedding texts of 1,000 characters", body: () => query("query($texts: [String!]!) { embeddings(model: \"abuse-chat\", texts: $texts) { dimensions } }", { texts: Array.from({ length: 256 }, () => "x".repeat(1_000)) }), code: "OPERATION_COST_EXCEEDED" },
    { name: "tokenCounts of 7.7 MB", body: () => query("query($texts: [String!]!) { tokenCounts(model: \"abuse-chat\", texts: $texts) }", { texts: Array.from({ length: 77 }, () => "y".repeat(100_000)) }), code: "OPERATION_COST_EXCEEDED" },
    { name: "a completion asking for 1,000,000 tokens", body: () => query('mutation { createCompletion(input: { model: "abuse-chat", prompt: "hi", maxTokens: 1000000 }) { id } }'), code: "OPERATION_COST_EXCEEDED" },
    { name: "20 operations in one batched request", body: () => JSON.stringify(Array.from({ length: 20 }, () => ({ query: "{ models { totalCount } }" }))), code: "MAX_BATCH_OPERATIONS_EXCEEDED" },
  ];
}

describe("abuse suite: hostile operations against the running stack", () => {
  let stack: TestStack;
  before(async () => {
    const modelsDirectory = await temporaryDirectory("abuse-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("abuse-stack"), MODELS_DIR: modelsDirectory });
    const registered = await send(
      stack.adminKey.key,
      JSON.stringify({
        query: "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }",
        variables: { input: { id: "abuse-chat", displayName: "Abuse chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } } },
      }),
    );
    assert.equal(registered.status, 200);
    assert.deepEqual(registered.data, { registerModel: { id: "abuse-chat" } });
  });
  after(() => stack?.stop());

  async function send(apiKey: string, body: string): Promise<Outcome & { data?: unknown }> {
    const response = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body });
    const reply = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] } | { errors?: unknown }[];
    const first = Array.isArray(reply) ? undefined : reply;
    return { status: response.status, code: first?.errors?.[0]?.extensions?.code, data: first?.data };
  }

  for (const attack of attacks()) {
    it(`refuses ${attack.name} with ${attack.code}, and another tenant's canary is answered meanwhile`, async () => {
      const body = attack.body();
      // Five copies at once, and the canary of tenant-b sent while they are in flight.
      const attempts = Array.from({ length: 5 }, () => send(stack.memberKey.key, body));
      const canary = await send(stack.otherTenantKey.key, JSON.stringify({ query: "{ models(first: 1) { totalCount } }" }));
      for (const outcome of await Promise.all(attempts)) {
        assert.equal(outcome.code, attack.code);
        assert.ok(outcome.status >= 400 && outcome.status < 500, `status ${outcome.status}`);
      }
      assert.equal(canary.status, 200);
      assert.deepEqual(canary.data, { models: { totalCount: 1 } });
    });
  }
});

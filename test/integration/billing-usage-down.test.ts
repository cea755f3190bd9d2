import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import type { RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadUsageConfig } from "../../subgraphs/usage/config.ts";
import { startUsage } from "../../subgraphs/usage/service.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

interface GraphqlReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; retryable?: boolean } }[];
}

async function post(stack: TestStack, key: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlReply> {
  const response = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphqlReply;
}

/**
 * `createCompletion { cost }` while the usage subgraph (which resolves `cost`) is down: the model
 * ran and the client gets its completion, with `cost: null` and a retryable SERVICE_UNAVAILABLE at
 * that path. The client got the completion, so it is billed: the usage report (once usage is back)
 * and `completion(id) { cost }` show the same amount.
 */
describe("a completion whose cost cannot be shown while the usage subgraph is down", () => {
  let stack: TestStack;
  let restartedUsage: RunningService | undefined;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("billing-usage-down-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("billing-usage-down"), MODELS_DIR: modelsDirectory });
    const registered = await post(stack, stack.adminKey.key, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
      input: { id: "priced-chat", displayName: "Priced chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 10 } },
    });
    assert.equal(registered.errors, undefined, JSON.stringify(registered));
  });
  after(async () => {
    await restartedUsage?.stop();
    await stack?.stop();
  });

  it("returns the completion with a null cost, and bills what the client got", async () => {
    await stack.usage.stop();
    const reply = await post(stack, stack.memberKey.key, `mutation($input: CompletionInput!) { createCompletion(input: $input) { id text usage { promptTokens completionTokens } cost { amountMicros currency } } }`, {
      input: { model: "priced-chat", prompt: "Count the sheep", maxTokens: 4 },
    });
    const created = reply.data?.createCompletion as { id: string; text: string; usage: { promptTokens: number; completionTokens: number }; cost: null } | null | undefined;
    assert.ok(created !== null && created !== undefined, `the client gets its completion: ${JSON.stringify(reply)}`);
    assert.equal(created.cost, null);
    assert.deepEqual(
      reply.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.retryable]),
      [[["createCompletion", "cost"], "SERVICE_UNAVAILABLE", true]],
    );
    const expectedCostMicros = created.usage.promptTokens * 2 + created.usage.completionTokens * 10;

    // The usage subgraph comes back on its port; the completion was billed at its cost, once.
    restartedUsage = await startUsage(loadUsageConfig({ ...stack.environment, LOG_LEVEL: "error", USAGE_PORT: String(stack.usage.port) }), createLogger("usage", "error"));
    const cost = await post(stack, stack.memberKey.key, `query($id: ID!) { completion(id: $id) { cost { amountMicros currency } } }`, { id: created.id });
    assert.deepEqual([cost.data, cost.errors], [{ completion: { cost: { amountMicros: expectedCostMicros, currency: "USD" } } }, undefined]);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const report = await post(stack, stack.memberKey.key, `query($input: UsageQueryInput!) { usage(input: $input) { totals { requests succeeded failed costs { amountMicros } } } }`, { input: { from, to, granularity: "TOTAL" } });
      const totals = (report.data?.usage as { totals: { requests: number; succeeded: number; failed: number; costs: { amountMicros: number }[] } } | undefined)?.totals;
      if (totals !== undefined && totals.requests >= 1) {
        assert.deepEqual(totals, { requests: 1, succeeded: 1, failed: 0, costs: [{ amountMicros: expectedCostMicros }] });
        break;
      }
      if (Date.now() > deadline) assert.fail(`the call never reached the usage report: ${JSON.stringify(report)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});

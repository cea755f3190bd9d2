import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { print, type ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createGraphClient, GraphClientError, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import type { MeteredStreamSubscription } from "../../client/generated/graphql.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { present } from "../harness/present.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = graphql(`
  mutation RegisterMeteredModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id version }
  }
`);

const UpdatePricing = graphql(`
  mutation UpdateMeteredPricing($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {
    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }
  }
`);

const MeteredCompletion = graphql(`
  mutation MeteredCompletion($input: CompletionInput!) {
    createCompletion(input: $input) { id usage { promptTokens completionTokens } cost { amount amountMicros currency } }
  }
`);

const MeteredEmbeddings = graphql(`
  query MeteredEmbeddings($model: ID!, $texts: [String!]!) {
    embeddings(model: $model, texts: $texts) { usage { promptTokens } }
  }
`);

const MeteredStream = graphql(`
  subscription MeteredStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextEndEvent { completion { id cost { amountMicros currency } } }
    }
  }
`);

const UsageReport = graphql(`
  query UsageReport($input: UsageQueryInput!) {
    usage(input: $input) {
      granularity
      rows { periodStart tenantId model { id displayName } summary { requests failed promptTokens completionTokens } }
      totals {
        requests succeeded failed cancelled errorRate promptTokens completionTokens totalTokens
        costs { amount amountMicros currency }
        latencyMillis { p50 p99 }
      }
    }
  }
`);

const ModelUsage = graphql(`
  query ModelUsage($id: ID!, $from: DateTime!, $to: DateTime!) {
    model(id: $id) { id usage(from: $from, to: $to) { requests costs { amountMicros } } }
  }
`);

const SetQuota = graphql(`
  mutation SetQuota($input: TenantQuotaInput!) {
    setTenantQuota(input: $input) { tenantId tokensPerMinute tokensPerDay costPerMonth concurrentStreams updatedAt }
  }
`);

const RemoveQuota = graphql(`
  mutation RemoveQuota($tenantId: ID!) { removeTenantQuota(tenantId: $tenantId) }
`);

const QuotaStatus = graphql(`
  query QuotaStatus($tenantId: ID) {
    quota(tenantId: $tenantId) { tenantId tokensPerMinute currentUse { tokensThisMinute tokensToday costThisMonth activeStreams } }
  }
`);

async function failure(promise: Promise<unknown>): Promise<GraphClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphClientError) return error;
    throw error;
  }
  assert.fail("expected the operation to fail");
}

/** Usage is aggregated a moment after each call: poll until `ready` holds. */
async function eventually<Value>(read: () => Promise<Value>, ready: (value: Value) => boolean, what: string): Promise<Value> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("usage through the gateway", () => {
  let stack: TestStack;
  let admin: GraphClient;
  let member: GraphClient;
  let otherTenant: GraphClient;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();

  before(async () => {
    const modelsDirectory = await temporaryDirectory("usage-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("usage-stack"), MODELS_DIR: modelsDirectory });
    admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    otherTenant = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.otherTenantKey.key });
    await admin.request(RegisterModel, {
      input: { id: "metered-chat", displayName: "Metered chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 10 } },
    });
    await admin.request(RegisterModel, {
      input: { id: "metered-embed", displayName: "Metered embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 0 } },
    });
  });
  after(() => stack?.stop());

  it("meters every call with its cost from the pricing at that moment, and reports it per model", async () => {
    const first = present((await member.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Count the sheep", maxTokens: 5, seed: 1 } })).createCompletion, "createCompletion");
    const expectedFirst = first.usage.promptTokens * 2 + first.usage.completionTokens * 10;
    assert.deepEqual(first.cost, { amount: expectedFirst / 1e6, amountMicros: expectedFirst, currency: "USD" });

    // A price change applies from the next call on; the first keeps the price it was made at.
    await admin.request(UpdatePricing, { id: "metered-chat", expectedVersion: 1, input: { pricing: { inputPerMillionTokens: 3, outputPerMillionTokens: 30 } } });
    const second = present((await member.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Count the goats", maxTokens: 5, seed: 2 } })).createCompletion, "createCompletion");
    const expectedSecond = second.usage.promptTokens * 3 + second.usage.completionTokens * 30;
    assert.equal(second.cost?.amountMicros, expectedSecond);

    const embedded = present((await member.request(MeteredEmbeddings, { model: "metered-embed", texts: ["a", "b c"] })).embeddings, "embeddings");
    await failure(member.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "too long", maxTokens: 5, stop: ["x".repeat(201)] } }));

    const report = await eventually(
      async () => present((await member.request(UsageReport, { input: { from, to, granularity: "TOTAL" } })).usage, "usage"),
      (usage) => usage.totals.requests >= 3,
      "three metered calls",
    );
    assert.equal(report.totals.requests, 3, "bad input never reaches a model and is not metered");
    assert.equal(report.totals.succeeded, 3);
    assert.equal(report.totals.errorRate, 0);
    assert.equal(report.totals.promptTokens, first.usage.promptTokens + second.usage.promptTokens + embedded.usage.promptTokens);
    assert.deepEqual(report.totals.costs, [{ amount: (expectedFirst + expectedSecond + embedded.usage.promptTokens) / 1e6, amountMicros: expectedFirst + expectedSecond + embedded.usage.promptTokens, currency: "USD" }]);
    assert.ok((report.totals.latencyMillis.p50 ?? 0) > 0);
    assert.deepEqual(report.rows.map((row) => [row.periodStart, row.model?.id, row.model?.displayName, row.summary.requests]), [
      [null, "metered-chat", "Metered chat", 2],
      [null, "metered-embed", "Metered embeddings", 1],
    ]);

    const { model } = await member.request(ModelUsage, { id: "metered-chat", from, to });
    assert.deepEqual(model?.usage, { requests: 2, costs: [{ amountMicros: expectedFirst + expectedSecond }] });
  });

  it("shows a tenant only its own usage; admins may see any tenant or all", async () => {
    await otherTenant.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Other tenant", maxTokens: 2 } });
    const own = await eventually(
      async () => present((await otherTenant.request(UsageReport, { input: { from, to, granularity: "TOTAL" } })).usage, "usage"),
      (usage) => usage.totals.requests >= 1,
      "tenant-b's call",
    );
    assert.equal(own.totals.requests, 1, "tenant-b sees its one call, none of tenant-a's");
    assert.equal((await failure(otherTenant.request(UsageReport, { input: { from, to, tenantId: "tenant-a" } }))).code, "FORBIDDEN");
    assert.equal((await failure(member.request(UsageReport, { input: { from, to, allTenants: true } }))).code, "FORBIDDEN");
    const all = await admin.request(UsageReport, { input: { from, to, granularity: "TOTAL", allTenants: true, groupBy: ["TENANT"] } });
    assert.deepEqual(all.usage?.rows.map((row) => row.tenantId), ["tenant-a", "tenant-b"]);
    const named = await admin.request(UsageReport, { input: { from, to, granularity: "HOUR", tenantId: "tenant-b" } });
    assert.equal(named.usage?.totals.requests, 1);
    assert.match(named.usage?.rows[0]?.periodStart ?? "", /T\d\d:00:00\.000Z$/);
  });

  it("refuses calls over a tenant's token quota before any engine work, saying which limit and when it resets", async () => {
    // The checks below hold within one per-minute window: start well inside one, not at its edge
    // (CI once crossed a minute between the refusal and the check of its reset time).
    const millisIntoMinute = Date.now() % 60_000;
    if (millisIntoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - millisIntoMinute + 500));
    assert.equal((await failure(member.request(SetQuota, { input: { tenantId: "tenant-a", tokensPerMinute: 100 } }))).code, "FORBIDDEN");
    assert.equal((await failure(admin.request(SetQuota, { input: { tenantId: "tenant-b", tokensPerMinute: 0 } }))).errors[0]?.extensions?.field, "input.tokensPerMinute");
    const quota = await admin.request(SetQuota, { input: { tenantId: "tenant-b", tokensPerMinute: 60, costPerMonth: 5 } });
    assert.deepEqual({ ...quota.setTenantQuota, updatedAt: undefined }, { tenantId: "tenant-b", tokensPerMinute: 60, tokensPerDay: null, costPerMonth: 5, concurrentStreams: null, updatedAt: undefined });
    // Each call reserves its prompt plus maxTokens (40): the second in the same minute cannot fit.
    await otherTenant.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Hello", maxTokens: 40 } });
    const refused = await failure(otherTenant.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Hello", maxTokens: 40 } }));
    const extensions = refused.errors[0]?.extensions ?? {};
    assert.equal(refused.code, "QUOTA_EXCEEDED");
    assert.equal(extensions.limit, "TOKENS_PER_MINUTE");
    assert.equal(extensions.limitValue, 60);
    assert.equal(extensions.retryable, true);
    assert.ok(Date.parse(String(extensions.resetsAt)) > Date.now() && Date.parse(String(extensions.resetsAt)) <= Date.now() + 60_000);
    // The estimate was settled with the real use: what the window holds is what was generated.
    const status = await otherTenant.request(QuotaStatus, {});
    assert.equal(status.quota?.tokensPerMinute, 60);
    assert.ok((status.quota?.currentUse?.tokensThisMinute ?? 0) > 0 && (status.quota?.currentUse?.tokensThisMinute ?? 99) <= 60);
    assert.equal((await failure(otherTenant.request(QuotaStatus, { tenantId: "tenant-a" }))).code, "FORBIDDEN");
    // The gateway priced the whole operation against what was left and refused it before any
    // subgraph was called (issue 13): nothing ran, so nothing is metered, not even a failure.
    assert.equal(extensions.scope, "OPERATION");
    const report = await eventually(
      async () => present((await admin.request(UsageReport, { input: { from, to, granularity: "TOTAL", tenantId: "tenant-b" } })).usage, "usage"),
      (usage) => usage.totals.requests >= 1,
      "the admitted call metered",
    );
    assert.equal(report.totals.failed, 0);
    assert.equal(await admin.request(RemoveQuota, { tenantId: "tenant-b" }).then((data) => data.removeTenantQuota), true);
    await otherTenant.request(MeteredCompletion, { input: { model: "metered-chat", prompt: "Hello", maxTokens: 40 } });
  });

  it("limits concurrent streams, frees the slot when a stream ends, and costs streamed completions", async () => {
    await admin.request(SetQuota, { input: { tenantId: "tenant-b", concurrentStreams: 1 } });
    const client = createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.otherTenantKey.key}` }, retryAttempts: 0 });
    try {
      const long = client.iterate({ query: print(MeteredStream), variables: { input: { model: "metered-chat", prompt: "A long story", maxTokens: 200 } } }) as AsyncIterableIterator<ExecutionResult<MeteredStreamSubscription>>;
      const firstEvent = await long.next();
      assert.equal(firstEvent.value?.data?.completionStream.__typename, "TextStartEvent");
      const second = client.iterate({ query: print(MeteredStream), variables: { input: { model: "metered-chat", prompt: "Another", maxTokens: 2 } } }) as AsyncIterableIterator<ExecutionResult<MeteredStreamSubscription>>;
      const refused = await second.next().catch((error: unknown) => error);
      const errors = Array.isArray(refused) ? refused : ((refused as IteratorResult<ExecutionResult>).value?.errors ?? []);
      assert.equal(errors[0]?.extensions?.code, "QUOTA_EXCEEDED", JSON.stringify(refused));
      assert.equal(errors[0]?.extensions?.limit, "CONCURRENT_STREAMS");
      await long.return?.();
      // The slot is free again once the first stream ended.
      let cost: { amountMicros: number; currency: string } | null | undefined;
      for await (const result of client.iterate({ query: print(MeteredStream), variables: { input: { model: "metered-chat", prompt: "Short", maxTokens: 3 } } }) as AsyncIterable<ExecutionResult<MeteredStreamSubscription>>) {
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const event = result.data?.completionStream;
        if (event?.__typename === "TextEndEvent") cost = event.completion.cost;
      }
      assert.ok(cost !== undefined && cost !== null && cost.amountMicros > 0 && cost.currency === "USD", JSON.stringify(cost));
    } finally {
      await client.dispose();
      await admin.request(RemoveQuota, { tenantId: "tenant-b" });
    }
  });
});

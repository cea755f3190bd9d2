/**
 * A canary split through the gateway: model `main` (alias `chat`) sends 30 % of tenants to model
 * `canary`, sticky per tenant; the usage report counts each arm under its own model, exactly as
 * clients saw them; an update of the split reaches the next request. Both models are served by FAKE
 * OpenAI-compatible servers (ReplayOpenAIServer, a test double) answering with their own name.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { splitPoint } from "../../subgraphs/inference/alias-split.ts";
import { ReplayOpenAIServer, type ReplayedRequest } from "../engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, usageChunk, writeEvents } from "../engines/openai-compatible/wire-format.ts";
import { postGraphQL } from "../gateway/subscriptions/subscription-test-stack.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id version aliasSplits { alias stickiness arms { modelId percent } } } }`;
const UpdateModel = `mutation($id: ID!, $version: Int!, $input: UpdateModelInput!) { updateModel(id: $id, expectedVersion: $version, input: $input) { version aliasSplits { alias } } }`;
const CreateCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { text model { id } } }`;
const Usage = `query($input: UsageQueryInput!) { usage(input: $input) { rows { model { id } summary { requests succeeded } } } }`;

async function namedServer(name: string): Promise<ReplayOpenAIServer> {
  const server = await ReplayOpenAIServer.start();
  server.replyAlways("/v1/chat/completions", async (_request: ReplayedRequest, response: ServerResponse) => {
    await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), chatChunk({ content: name }), chatChunk({}, "stop"), usageChunk({ prompt_tokens: 3, completion_tokens: 1 }), "[DONE]"]);
  });
  return server;
}

const base = { family: "replay", capabilities: ["CHAT"], contextLength: 4096, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } };
const tenants = Array.from({ length: 40 }, (_, index) => `split-tenant-${index}`);

describe("a canary split of an alias through the gateway, sticky per tenant", () => {
  let stack: TestStack;
  const servers: ReplayOpenAIServer[] = [];
  const keys = new Map<string, string>();

  before(async () => {
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("alias-split") });
    const main = await namedServer("main");
    const canary = await namedServer("canary");
    servers.push(main, canary);
    const engine = (server: ReplayOpenAIServer) => ({ kind: "OPENAI_COMPATIBLE", baseUrl: server.baseUrl, upstreamModel: "replay-model" });
    const post = (query: string, variables: Record<string, unknown>) => postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, query, variables);
    assert.equal((await post(RegisterModel, { input: { ...base, id: "canary", displayName: "Canary", engine: engine(canary) } })).body.errors, undefined);
    const registered = await post(RegisterModel, {
      input: { ...base, id: "main", displayName: "Main", aliases: ["chat"], engine: engine(main), aliasSplits: [{ alias: "chat", arms: [{ modelId: "canary", percent: 30 }] }] },
    });
    assert.deepEqual(registered.body.data, { registerModel: { id: "main", version: 1, aliasSplits: [{ alias: "chat", stickiness: "TENANT", arms: [{ modelId: "canary", percent: 30 }] }] } });
    const config = loadGatewayConfig(stack.environment);
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    const store = createApiKeyStore(config, infrastructure);
    for (const tenant of tenants) keys.set(tenant, (await issueApiKey(store, tenant, ["member"], "split test")).key);
    await infrastructure.close();
  });
  after(async () => {
    await stack?.stop();
    for (const server of servers) await server.close();
  });

  const complete = async (tenant: string, model: string) => {
    const { body } = await postGraphQL(stack.gateway.graphqlUrl, keys.get(tenant) ?? "", CreateCompletion, { input: { model, messages: [{ role: "USER", content: "Who?" }], maxTokens: 2 } });
    const completion = (body.data as { createCompletion: { text: string; model: { id: string } } | null } | undefined)?.createCompletion;
    assert.ok(completion, JSON.stringify(body));
    return completion;
  };

  it("sends each tenant, every time, to the arm its hash gives, and the usage report counts each arm as clients saw it", async () => {
    const served = new Map<string, number>();
    for (const tenant of tenants) {
      const expected = splitPoint("chat", tenant) < 30 ? "canary" : "main";
      for (let call = 0; call < 3; call += 1) {
        const completion = await complete(tenant, "chat");
        assert.deepEqual([completion.model.id, completion.text], [expected, expected], `${tenant}, call ${call + 1}`);
        served.set(expected, (served.get(expected) ?? 0) + 1);
      }
      // By its id, the model itself always answers.
      assert.equal((await complete(tenant, "main")).model.id, "main");
      served.set("main", (served.get("main") ?? 0) + 1);
    }
    assert.ok((served.get("canary") ?? 0) > 0 && (served.get("canary") ?? 0) < 120, JSON.stringify([...served]));
    const input = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), granularity: "TOTAL", groupBy: ["MODEL"], allTenants: true };
    let rows: { model: { id: string }; summary: { requests: number; succeeded: number } }[] = [];
    const deadline = Date.now() + 30_000;
    do {
      const { body } = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, Usage, { input });
      rows = (body.data as { usage: { rows: typeof rows } }).usage.rows;
      if (rows.reduce((sum, row) => sum + row.summary.requests, 0) >= 160) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    assert.deepEqual(
      Object.fromEntries(rows.map((row) => [row.model.id, row.summary.succeeded])),
      Object.fromEntries([...served].sort(([left], [right]) => left.localeCompare(right))),
    );
  });

  it("applies a changed split on the next request, and refuses bad splits naming the field", async () => {
    const canaryTenant = tenants.find((tenant) => splitPoint("chat", tenant) < 30) ?? "";
    assert.equal((await complete(canaryTenant, "chat")).model.id, "canary");
    const { body } = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, UpdateModel, { id: "main", version: 1, input: { aliasSplits: [] } });
    assert.deepEqual(body.data, { updateModel: { version: 2, aliasSplits: [] } });
    assert.equal((await complete(canaryTenant, "chat")).model.id, "main");

    const refusal = async (aliasSplits: unknown) => {
      const reply = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, UpdateModel, { id: "main", version: 2, input: { aliasSplits } });
      const [error] = reply.body.errors ?? [];
      return [error?.extensions?.code, error?.extensions?.field];
    };
    assert.deepEqual(await refusal([{ alias: "not-an-alias", arms: [{ modelId: "canary", percent: 10 }] }]), ["BAD_USER_INPUT", "input.aliasSplits[0].alias"]);
    assert.deepEqual(await refusal([{ alias: "chat", arms: [{ modelId: "canary", percent: 60 }, { modelId: "other", percent: 50 }] }]), ["BAD_USER_INPUT", "input.aliasSplits[0].arms"]);
    assert.deepEqual(await refusal([{ alias: "chat", arms: [{ modelId: "main", percent: 10 }] }]), ["BAD_USER_INPUT", "input.aliasSplits[0].arms[0].modelId"]);
    assert.deepEqual(await refusal([{ alias: "chat", arms: [{ modelId: "canary", percent: 0 }] }]), ["BAD_USER_INPUT", "input.aliasSplits[0].arms[0].percent"]);
  });
});

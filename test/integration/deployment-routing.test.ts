/**
 * A model served by two deployments, through the gateway: the registry's GraphQL surface
 * (deployments, routing, write-only keys kept by name, validation), and traffic failing over
 * when the primary deployment's server goes away mid-traffic. Both servers are FAKE
 * OpenAI-compatible servers (ReplayOpenAIServer, a test double) that answer with their own name;
 * the same fail-over against a real server is test/real-models/deployment-failover.test.ts.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { ReplayOpenAIServer, type ReplayedRequest } from "../engines/openai-compatible/replay-openai-server.ts";
import { chatChunk, usageChunk, writeEvents } from "../engines/openai-compatible/wire-format.ts";
import { gatewayClient, postGraphQL, subscribe } from "../gateway/subscriptions/subscription-test-stack.ts";
import { parseExposition } from "../harness/metric-samples.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id routing deployments { name weight priority maxConcurrentRequests engine { baseUrl hasApiKey } } engine { baseUrl } } }`;
const UpdateModel = `mutation($id: ID!, $version: Int!, $input: UpdateModelInput!) { updateModel(id: $id, expectedVersion: $version, input: $input) { version deployments { name engine { hasApiKey upstreamModel } } } }`;
const CreateCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { text } }`;
const CompletionStream = `subscription($input: CompletionInput!) { completionStream(input: $input) { __typename ... on TextDeltaEvent { text } } }`;

/** A fake server that answers every chat with its name, streamed in one delta. */
async function namedServer(name: string): Promise<ReplayOpenAIServer> {
  const server = await ReplayOpenAIServer.start();
  server.replyAlways("/v1/chat/completions", async (_request: ReplayedRequest, response: ServerResponse) => {
    await writeEvents(response, [chatChunk({ role: "assistant", content: "" }), chatChunk({ content: name }), chatChunk({}, "stop"), usageChunk({ prompt_tokens: 3, completion_tokens: 1 }), "[DONE]"]);
  });
  return server;
}

function engine(server: ReplayOpenAIServer, apiKey?: string): Record<string, unknown> {
  return { kind: "OPENAI_COMPATIBLE", baseUrl: server.baseUrl, upstreamModel: "replay-model", ...(apiKey === undefined ? {} : { apiKey }) };
}

const base = { displayName: "Routed", family: "replay", capabilities: ["CHAT"], contextLength: 4096, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } };
const input = (model: string) => ({ input: { model, messages: [{ role: "USER", content: "Who are you?" }], maxTokens: 4 } });

describe("a model with two deployments through the gateway", () => {
  let stack: TestStack;
  let primary: ReplayOpenAIServer;
  let fallback: ReplayOpenAIServer;

  before(async () => {
    primary = await namedServer("primary");
    fallback = await namedServer("fallback");
    // The fake servers retry nothing: a dead one fails at once, so fail-over shows no backoff.
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("deployment-routing"), UPSTREAM_MAX_RETRIES: "0", DEPLOYMENT_FAILURE_THRESHOLD: "2" });
  });
  after(async () => {
    await stack?.stop();
    await primary?.close().catch(() => undefined);
    await fallback?.close();
  });

  async function post<T>(query: string, variables: Record<string, unknown>, key = stack.adminKey.key): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
    const { body } = await postGraphQL(stack.gateway.graphqlUrl, key, query, variables);
    return body as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  }

  it("shows a one-engine model as its deployment `default`, and several as registered, keys write-only", async () => {
    const single = await post<{ registerModel: unknown }>(RegisterModel, { input: { ...base, id: "single", engine: engine(fallback) } });
    assert.deepEqual(single.data?.registerModel, {
      id: "single",
      routing: "WEIGHTED",
      deployments: [{ name: "default", weight: 1, priority: 0, maxConcurrentRequests: null, engine: { baseUrl: fallback.baseUrl, hasApiKey: false } }],
      engine: { baseUrl: fallback.baseUrl },
    });
    const routed = await post<{ registerModel: unknown }>(RegisterModel, {
      input: { ...base, id: "routed", routing: "LEAST_BUSY", deployments: [{ name: "primary", engine: engine(primary, "sk-primary"), maxConcurrentRequests: 8 }, { name: "fallback", engine: engine(fallback), priority: 1 }] },
    });
    assert.deepEqual(routed.data?.registerModel, {
      id: "routed",
      routing: "LEAST_BUSY",
      deployments: [
        { name: "primary", weight: 1, priority: 0, maxConcurrentRequests: 8, engine: { baseUrl: primary.baseUrl, hasApiKey: true } },
        { name: "fallback", weight: 1, priority: 1, maxConcurrentRequests: null, engine: { baseUrl: fallback.baseUrl, hasApiKey: false } },
      ],
      engine: { baseUrl: primary.baseUrl },
    });
    // Replacing the deployments without a key keeps the key stored under the same name.
    const updated = await post<{ updateModel: { deployments: unknown } }>(UpdateModel, {
      id: "routed",
      version: 1,
      input: { deployments: [{ name: "primary", engine: { ...engine(primary), upstreamModel: "replay-model" } }, { name: "fallback", engine: engine(fallback), priority: 1 }] },
    });
    assert.deepEqual(updated.data?.updateModel.deployments, [
      { name: "primary", engine: { hasApiKey: true, upstreamModel: "replay-model" } },
      { name: "fallback", engine: { hasApiKey: false, upstreamModel: "replay-model" } },
    ]);
  });

  it("refuses bad deployments with BAD_USER_INPUT naming the field", async () => {
    const refusal = async (deploymentsInput: Record<string, unknown>) => {
      const reply = await post(RegisterModel, { input: { ...base, id: `bad-${Math.random().toString(36).slice(2, 8)}`, ...deploymentsInput } });
      return [reply.errors?.[0]?.extensions?.code, reply.errors?.[0]?.extensions?.field];
    };
    assert.deepEqual(await refusal({ engine: engine(primary), deployments: [{ name: "a", engine: engine(primary) }] }), ["BAD_USER_INPUT", "input.deployments"]);
    assert.deepEqual(await refusal({}), ["BAD_USER_INPUT", "input.engine"]);
    assert.deepEqual(await refusal({ deployments: [] }), ["BAD_USER_INPUT", "input.deployments"]);
    assert.deepEqual(await refusal({ deployments: [{ name: "a", engine: engine(primary) }, { name: "a", engine: engine(fallback) }] }), ["BAD_USER_INPUT", "input.deployments"]);
    assert.deepEqual(await refusal({ deployments: [{ name: "Not A Name", engine: engine(primary) }] }), ["BAD_USER_INPUT", "input.deployments[0].name"]);
    assert.deepEqual(await refusal({ deployments: [{ name: "a", engine: engine(primary), weight: 0 }] }), ["BAD_USER_INPUT", "input.deployments"]);
    assert.deepEqual(await refusal({ deployments: [{ name: "a", engine: engine(primary), priority: 101 }] }), ["BAD_USER_INPUT", "input.deployments[0].priority"]);
    assert.deepEqual(await refusal({ deployments: [{ name: "a", engine: engine(primary) }, { name: "b", engine: { kind: "OPENAI_COMPATIBLE", upstreamModel: "x" } }] }), ["BAD_USER_INPUT", "input.deployments[1].engine.baseUrl"]);
    // A model with several deployments changes them with `deployments`, not `engine`.
    const reply = await post(UpdateModel, { id: "routed", version: 2, input: { engine: engine(primary) } });
    assert.deepEqual([reply.errors?.[0]?.extensions?.code, reply.errors?.[0]?.extensions?.field], ["BAD_USER_INPUT", "input.engine"]);
  });

  it("serves from the primary while it is up, and fails over to the fallback with no client error when its server goes away mid-traffic", async () => {
    for (let call = 0; call < 5; call += 1) {
      const reply = await post<{ createCompletion: { text: string } }>(CreateCompletion, input("routed"), stack.memberKey.key);
      assert.equal(reply.data?.createCompletion.text, "primary", JSON.stringify(reply));
    }
    assert.equal(fallback.requestsTo("/v1/chat/completions").length, 0);
    const texts: string[] = [];
    const errors: unknown[] = [];
    let sent = 0;
    const worker = async () => {
      while (sent < 40) {
        sent += 1;
        // The primary's server goes away a quarter into the traffic.
        if (sent === 10) await primary.close();
        const reply = await post<{ createCompletion: { text: string } | null }>(CreateCompletion, input("routed"), stack.memberKey.key);
        if (reply.data?.createCompletion) texts.push(reply.data.createCompletion.text);
        else errors.push(reply.errors);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.deepEqual(errors, [], "no request that had not started streaming failed");
    assert.equal(texts.length, 40);
    assert.ok(texts.includes("fallback"));
    // A stream started now goes to the fallback from its first token.
    const stream = subscribe(gatewayClient(stack.gateway.graphqlUrl.replace(/^http/, "ws"), stack.memberKey.key), CompletionStream, input("routed"));
    const ended = await stream.ended;
    assert.equal(ended.completed, true, JSON.stringify(ended.error));
    assert.deepEqual(
      ended.events.map((event) => (event.data as { completionStream: { __typename: string; text?: string } }).completionStream).filter((event) => event.__typename === "TextDeltaEvent").map((event) => event.text),
      ["fallback"],
    );
    // The inference service's series (engine calls: concurrent completions share batched calls), the primary's circuit open.
    const samples = parseExposition(await fetch(stack.inference.graphqlUrl.replace(/\/graphql$/, "/metrics")).then((response) => response.text()));
    const calls = (deployment: string, outcome: string) => samples.find((sample) => sample.name === "engine_deployment_calls_total" && sample.labels.model === "routed" && sample.labels.deployment === deployment && sample.labels.outcome === outcome)?.value ?? 0;
    assert.ok(calls("primary", "succeeded") >= 5 && calls("fallback", "succeeded") >= 2, JSON.stringify([calls("primary", "succeeded"), calls("fallback", "succeeded")]));
    assert.ok(calls("primary", "failed_over") >= 2, "the failures that opened the circuit");
    assert.equal(calls("primary", "failed") + calls("fallback", "failed") + calls("fallback", "failed_over"), 0);
    const state = (deployment: string, circuit: string) => samples.find((sample) => sample.name === "engine_deployment_circuit_state" && sample.labels.deployment === deployment && sample.labels.state === circuit)?.value;
    assert.deepEqual([state("primary", "OPEN"), state("fallback", "CLOSED")], [1, 1], JSON.stringify(samples.filter((sample) => sample.name.startsWith("engine_deployment"))));
  });
});

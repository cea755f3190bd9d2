/**
 * Issue 14, items 1, 2 and 6 through the gateway: every query, mutation and subscription of the
 * public API, called by member / tenant-admin of tenant `acme` (the owner of what is acted on), by
 * member / tenant-admin of `globex`, and by a platform admin of tenant `ops`. Another tenant's
 * resources read as absent (null, false, MODEL_NOT_FOUND / NOT_FOUND), missing roles as FORBIDDEN,
 * and every security-relevant action lands in the audit log. The model upstreams are TEST DOUBLES
 * (ReplayOpenAIServer), which record what reaches them: the prompt-redirection attack of the
 * issue must not deliver acme's prompt to globex's server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildSchema } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { readFile } from "node:fs/promises";
import { WebSocket } from "ws";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import type { Role } from "../../platform/context/request-context.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { ReplayOpenAIServer } from "../engines/openai-compatible/replay-openai-server.ts";
import { bodyOf, chatStreamEvents, embeddingsReply, sendJson, streamReply } from "../engines/openai-compatible/wire-format.ts";
import { postGraphQL, type RawGraphQLResult } from "../harness/post-graphql.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

type Actor = "acmeMember" | "acmeAdmin" | "globexMember" | "globexAdmin" | "platformAdmin";
const actors: readonly Actor[] = ["acmeMember", "acmeAdmin", "globexMember", "globexAdmin", "platformAdmin"];
const actorKeys: Record<Actor, { tenantId: string; roles: Role[] }> = {
  acmeMember: { tenantId: "acme", roles: ["member"] },
  acmeAdmin: { tenantId: "acme", roles: ["tenant-admin"] },
  globexMember: { tenantId: "globex", roles: ["member"] },
  globexAdmin: { tenantId: "globex", roles: ["tenant-admin"] },
  platformAdmin: { tenantId: "ops", roles: ["platform-admin"] },
};

/** What an actor gets: the data, nothing (null / false / not found), or FORBIDDEN. */
type Outcome = "allowed" | "absent" | "forbidden";

interface Case {
  /** The root field exercised. */
  field: string;
  /** Runs the operation as `actor` on acme's resources (made fresh per call where it changes them). */
  run(actor: Actor): Promise<RawGraphQLResult>;
  expected: Record<Actor, Outcome>;
}

const everyone = (outcome: Outcome): Record<Actor, Outcome> => ({ acmeMember: outcome, acmeAdmin: outcome, globexMember: outcome, globexAdmin: outcome, platformAdmin: outcome });
const acmeOnly: Record<Actor, Outcome> = { acmeMember: "allowed", acmeAdmin: "allowed", globexMember: "absent", globexAdmin: "absent", platformAdmin: "absent" };
const acmeAndPlatformReaders: Record<Actor, Outcome> = { acmeMember: "allowed", acmeAdmin: "allowed", globexMember: "forbidden", globexAdmin: "forbidden", platformAdmin: "allowed" };
const acmeAdminAndPlatform: Record<Actor, Outcome> = { acmeMember: "forbidden", acmeAdmin: "allowed", globexMember: "forbidden", globexAdmin: "forbidden", platformAdmin: "allowed" };
const platformOnly: Record<Actor, Outcome> = { ...everyone("forbidden"), platformAdmin: "allowed" };
/** A private model of acme: seen by its tenant and platform admins; changed by its tenant admins and platform admins; absent for globex. */
const acmePrivateModelChange: Record<Actor, Outcome> = { acmeMember: "forbidden", acmeAdmin: "allowed", globexMember: "absent", globexAdmin: "absent", platformAdmin: "allowed" };

function outcomeOf(result: RawGraphQLResult, field: string): Outcome {
  const codes = (result.body.errors ?? []).map((error) => (error as { extensions?: { code?: string } }).extensions?.code);
  if (codes.includes("FORBIDDEN")) return "forbidden";
  if (codes.some((code) => code === "MODEL_NOT_FOUND" || code === "NOT_FOUND" || code === "COLLECTION_NOT_FOUND" || code === "DOCUMENT_NOT_FOUND" || code === "COMPLETION_NOT_FOUND")) return "absent";
  assert.deepEqual(result.body.errors ?? [], [], `${field}: unexpected errors ${result.text}`);
  const value = result.body.data?.[field];
  if (value === null || value === false) return "absent";
  if (Array.isArray(value) && value.length === 0) return "absent";
  if (field === "models") return (value as { nodes: { id: string }[] }).nodes.some((model) => model.id === "@acme/chat") ? "allowed" : "absent";
  return "allowed";
}

describe("tenant isolation: every root field for member / tenant-admin / platform-admin of the same and another tenant", () => {
  let stack: TestStack;
  let acmeUpstream: ReplayOpenAIServer;
  let globexUpstream: ReplayOpenAIServer;
  const keys = {} as Record<Actor, string>;
  let collectionId = "";
  let documentId = "";
  let completionId = "";
  let serial = 0;

  const as = (actor: Actor, query: string, variables: Record<string, unknown> = {}) => postGraphQL(stack.gateway.graphqlUrl, keys[actor], query, variables);
  const asPlatform = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await as("platformAdmin", query, variables);
    assert.deepEqual(result.body.errors ?? [], [], result.text);
    return result.body.data ?? {};
  };
  const asAcmeAdmin = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await as("acmeAdmin", query, variables);
    assert.deepEqual(result.body.errors ?? [], [], result.text);
    return result.body.data ?? {};
  };

  function answerAsUpstream(server: ReplayOpenAIServer, text: string): void {
    server.replyAlways("/v1/chat/completions", (request, response) => {
      void streamReply(chatStreamEvents({ pieces: [text], usage: { prompt_tokens: 5, completion_tokens: 3 } }))(request, response);
    });
    server.replyAlways("/v1/embeddings", (request, response) => {
      const input = bodyOf(request).input as string[];
      sendJson(response, 200, embeddingsReply(input.map((text, index) => ({ index, embedding: [text.length % 7, 1, index + 1] }))));
    });
    server.replyAlways("/v1/rerank", (request, response) => {
      const documents = bodyOf(request).documents as string[];
      sendJson(response, 200, { results: documents.map((_document, index) => ({ index, relevance_score: 0.5 })) });
    });
  }

  const privateModel = (id: string, baseUrl: string, capabilities: string[]) => ({
    id,
    displayName: id,
    family: "replay",
    capabilities,
    contextLength: 2048,
    ...(capabilities.includes("EMBEDDING") ? { embeddingDimensions: 3 } : {}),
    engine: { kind: "OPENAI_COMPATIBLE", baseUrl, upstreamModel: "replay-model", apiKey: "sk-acme-own-upstream-key" },
    pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 },
  });
  const RegisterModel = "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id version visibility ownerTenantId } }";

  before(async () => {
    acmeUpstream = await ReplayOpenAIServer.start();
    globexUpstream = await ReplayOpenAIServer.start();
    answerAsUpstream(acmeUpstream, "the legitimate upstream answers");
    answerAsUpstream(globexUpstream, "ATTACKER TEXT");
    const dataDirectory = await temporaryDirectory("tenant-isolation");
    stack = await startTestStack({ DATA_DIR: dataDirectory });
    const config = loadGatewayConfig({ DATA_DIR: dataDirectory });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    const store = createApiKeyStore(config, infrastructure);
    for (const actor of actors) keys[actor] = (await issueApiKey(store, actorKeys[actor].tenantId, actorKeys[actor].roles, actor)).key;
    await infrastructure.close();
    // acme's own upstream behind its private models; a shared model platform admins manage.
    await asAcmeAdmin(RegisterModel, { input: privateModel("@acme/chat", acmeUpstream.baseUrl, ["CHAT"]) });
    await asAcmeAdmin(RegisterModel, { input: privateModel("@acme/embed", acmeUpstream.baseUrl, ["EMBEDDING"]) });
    await asAcmeAdmin(RegisterModel, { input: privateModel("@acme/embed-next", acmeUpstream.baseUrl, ["EMBEDDING"]) });
    await asAcmeAdmin(RegisterModel, { input: privateModel("@acme/rerank", acmeUpstream.baseUrl, ["RERANKING"]) });
    await asPlatform(RegisterModel, { input: { ...privateModel("demo-chat", acmeUpstream.baseUrl, ["CHAT"]), engine: { kind: "OPENAI_COMPATIBLE", baseUrl: acmeUpstream.baseUrl, upstreamModel: "replay-model" } } });
    await asPlatform('mutation { setTenantQuota(input: { tenantId: "acme", tokensPerMinute: 1000000 }) { tenantId } }');
    const collection = await asAcmeAdmin('mutation { createCollection(input: { name: "handbook", embeddingModel: "@acme/embed" }) { id } }');
    collectionId = (collection.createCollection as { id: string }).id;
    const document = await asAcmeAdmin("mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }", {
      input: { collectionId, source: "handbook.md", content: "# Holidays\n\nAcme staff get 30 days of holiday." },
    });
    documentId = (document.ingestDocument as { id: string }).id;
    const completion = await asAcmeAdmin('mutation { createCompletion(input: { model: "@acme/chat", messages: [{ role: USER, content: "hello" }] }) { id } }');
    completionId = (completion.createCompletion as { id: string }).id;
  });
  after(async () => {
    await stack?.stop();
    await acmeUpstream?.close();
    await globexUpstream?.close();
  });

  /** A fresh private model of acme (for the mutations that change or delete it). */
  const freshAcmeModel = async () => {
    const id = `@acme/model-${(serial += 1)}`;
    await asAcmeAdmin(RegisterModel, { input: privateModel(id, acmeUpstream.baseUrl, ["CHAT"]) });
    return id;
  };
  const freshSharedModel = async () => {
    const id = `shared-${(serial += 1)}`;
    await asPlatform(RegisterModel, { input: privateModel(id, acmeUpstream.baseUrl, ["CHAT"]) });
    return id;
  };
  const freshAcmeKey = async () => {
    const created = await asAcmeAdmin('mutation { createApiKey(input: { roles: [MEMBER], name: "to revoke" }) { apiKey { id } } }');
    return (created.createApiKey as { apiKey: { id: string } }).apiKey.id;
  };
  const freshAcmeCollection = async () => {
    const created = await asAcmeAdmin(`mutation { createCollection(input: { name: "c${(serial += 1)}", embeddingModel: "@acme/embed" }) { id } }`);
    return (created.createCollection as { id: string }).id;
  };
  const freshAcmeDocument = async () => {
    const created = await asAcmeAdmin("mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }", {
      input: { collectionId, source: `doc-${(serial += 1)}.md`, content: "Some text to delete." },
    });
    return (created.ingestDocument as { id: string }).id;
  };
  const usageInput = { from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z", tenantId: "acme", granularity: "TOTAL" };

  const cases: Case[] = [
    // Inference on acme's private models: only acme, whatever the role elsewhere.
    { field: "embeddings", run: (actor) => as(actor, 'query { embeddings(model: "@acme/embed", texts: ["x"]) { dimensions } }'), expected: acmeOnly },
    { field: "rerank", run: (actor) => as(actor, 'query { rerank(model: "@acme/rerank", query: "holiday", documents: ["x", "y"]) { scores } }'), expected: acmeOnly },
    { field: "tokenCounts", run: (actor) => as(actor, 'query { tokenCounts(model: "@acme/chat", texts: ["hello there"]) }'), expected: acmeOnly },
    { field: "createCompletion", run: (actor) => as(actor, 'mutation { createCompletion(input: { model: "@acme/chat", messages: [{ role: USER, content: "hi" }] }) { id } }'), expected: acmeOnly },
    { field: "completion", run: (actor) => as(actor, "query($id: ID!) { completion(id: $id) { id } }", { id: completionId }), expected: acmeOnly },
    // The catalogue.
    { field: "model", run: (actor) => as(actor, 'query { model(id: "@acme/chat") { id } }'), expected: { ...acmeOnly, platformAdmin: "allowed" } },
    { field: "models", run: (actor) => as(actor, "query { models(first: 100) { nodes { id } } }"), expected: { ...acmeOnly, platformAdmin: "allowed" } },
    { field: "registerModel", run: (actor) => as(actor, RegisterModel, { input: privateModel(`@acme/new-${(serial += 1)}`, acmeUpstream.baseUrl, ["CHAT"]) }), expected: { ...acmeAdminAndPlatform } },
    { field: "registerModel", run: (actor) => as(actor, RegisterModel, { input: privateModel(`shared-new-${(serial += 1)}`, acmeUpstream.baseUrl, ["CHAT"]) }), expected: platformOnly },
    { field: "updateModel", run: async (actor) => as(actor, 'mutation($id: ID!) { updateModel(id: $id, expectedVersion: 1, input: { displayName: "renamed" }) { id } }', { id: await freshAcmeModel() }), expected: acmePrivateModelChange },
    { field: "updateModel", run: async (actor) => as(actor, 'mutation($id: ID!) { updateModel(id: $id, expectedVersion: 1, input: { displayName: "renamed" }) { id } }', { id: await freshSharedModel() }), expected: platformOnly },
    { field: "setModelStatus", run: async (actor) => as(actor, "mutation($id: ID!) { setModelStatus(id: $id, status: DEPRECATED) { id } }", { id: await freshAcmeModel() }), expected: acmePrivateModelChange },
    { field: "setModelStatus", run: async (actor) => as(actor, "mutation($id: ID!) { setModelStatus(id: $id, status: DEPRECATED) { id } }", { id: await freshSharedModel() }), expected: platformOnly },
    { field: "deleteModel", run: async (actor) => as(actor, "mutation($id: ID!) { deleteModel(id: $id) { id } }", { id: await freshAcmeModel() }), expected: acmePrivateModelChange },
    { field: "deleteModel", run: async (actor) => as(actor, "mutation($id: ID!) { deleteModel(id: $id) { id } }", { id: await freshSharedModel() }), expected: platformOnly },
    // Retrieval: a tenant's collections are its own, for every role.
    { field: "collection", run: (actor) => as(actor, "query($id: ID!) { collection(id: $id) { id } }", { id: collectionId }), expected: acmeOnly },
    { field: "collections", run: (actor) => as(actor, "query { collections { id } }"), expected: acmeOnly },
    { field: "document", run: (actor) => as(actor, "query($id: ID!) { document(id: $id) { id } }", { id: documentId }), expected: acmeOnly },
    { field: "search", run: (actor) => as(actor, "query($input: SearchInput!) { search(input: $input) { hits { chunk { id } } } }", { input: { collectionId, query: "holiday", mode: "KEYWORD" } }), expected: acmeOnly },
    { field: "createCollection", run: (actor) => as(actor, `mutation { createCollection(input: { name: "n${(serial += 1)}", embeddingModel: "@acme/embed" }) { id } }`), expected: acmeOnly },
    { field: "deleteCollection", run: async (actor) => as(actor, "mutation($id: ID!) { deleteCollection(id: $id) }", { id: await freshAcmeCollection() }), expected: acmeOnly },
    { field: "ingestDocument", run: (actor) => as(actor, "mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }", { input: { collectionId, source: `i${(serial += 1)}.md`, content: "text" } }), expected: acmeOnly },
    {
      field: "migrateCollection",
      run: async (actor) => as(actor, "mutation($input: MigrateCollectionInput!) { migrateCollection(input: $input) { id } }", { input: { collectionId: await freshAcmeCollection(), embeddingModel: "@acme/embed-next" } }),
      expected: acmeOnly,
    },
    { field: "deleteDocument", run: async (actor) => as(actor, "mutation($id: ID!) { deleteDocument(id: $id) }", { id: await freshAcmeDocument() }), expected: acmeOnly },
    // Usage, quotas, keys, audit.
    { field: "usage", run: (actor) => as(actor, "query($input: UsageQueryInput!) { usage(input: $input) { totals { requests } } }", { input: usageInput }), expected: acmeAndPlatformReaders },
    { field: "usage", run: (actor) => as(actor, "query($input: UsageQueryInput!) { usage(input: $input) { totals { requests } } }", { input: { ...usageInput, tenantId: undefined, allTenants: true } }), expected: platformOnly },
    { field: "quota", run: (actor) => as(actor, 'query { quota(tenantId: "acme") { tenantId } }'), expected: acmeAndPlatformReaders },
    { field: "quotas", run: (actor) => as(actor, "query { quotas { tenantId } }"), expected: platformOnly },
    { field: "setTenantQuota", run: (actor) => as(actor, 'mutation { setTenantQuota(input: { tenantId: "acme", tokensPerMinute: 1000000 }) { tenantId } }'), expected: platformOnly },
    {
      field: "removeTenantQuota",
      run: async (actor) => {
        await asPlatform('mutation { setTenantQuota(input: { tenantId: "acme", tokensPerMinute: 1000000 }) { tenantId } }');
        return as(actor, 'mutation { removeTenantQuota(tenantId: "acme") }');
      },
      expected: platformOnly,
    },
    { field: "apiKeys", run: (actor) => as(actor, 'query { apiKeys(tenantId: "acme") { id } }'), expected: acmeAdminAndPlatform },
    { field: "createApiKey", run: (actor) => as(actor, 'mutation { createApiKey(input: { tenantId: "acme", roles: [MEMBER], name: "new" }) { secret } }'), expected: acmeAdminAndPlatform },
    { field: "createApiKey", run: (actor) => as(actor, 'mutation { createApiKey(input: { tenantId: "acme", roles: [PLATFORM_ADMIN], name: "escalation" }) { secret } }'), expected: platformOnly },
    {
      field: "revokeApiKey",
      run: async (actor) => as(actor, "mutation($id: ID!) { revokeApiKey(id: $id) }", { id: await freshAcmeKey() }),
      expected: { acmeMember: "forbidden", acmeAdmin: "allowed", globexMember: "forbidden", globexAdmin: "absent", platformAdmin: "allowed" },
    },
    { field: "auditEvents", run: (actor) => as(actor, 'query { auditEvents(tenantId: "acme") { nodes { id } } }'), expected: acmeAdminAndPlatform },
    { field: "auditEvents", run: (actor) => as(actor, "query { auditEvents(allTenants: true) { nodes { id } } }"), expected: platformOnly },
  ];

  it("covers every root field of the public API", async () => {
    const schema = buildSchema(await readFile(new URL("../../schema/api.graphql", import.meta.url), "utf8"));
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => Object.keys(type?.getFields() ?? {}));
    const covered = new Set([...cases.map((testCase) => testCase.field), "completionStream"]);
    assert.deepEqual(rootFields.filter((field) => !covered.has(field)), [], "every root field needs a row in the matrix");
  });

  for (const testCase of cases) {
    it(`${testCase.field}: ${actors.map((actor) => `${actor} ${testCase.expected[actor]}`).join(", ")}`, async () => {
      const outcomes: Partial<Record<Actor, Outcome>> = {};
      for (const actor of actors) outcomes[actor] = outcomeOf(await testCase.run(actor), testCase.field);
      assert.deepEqual(outcomes, testCase.expected);
    });
  }

  it("completionStream: a private model streams for its own tenant only", async () => {
    const outcomes: Partial<Record<Actor, string>> = {};
    for (const actor of actors) {
      const client: Client = createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${keys[actor]}` }, retryAttempts: 0 });
      try {
        const kinds: string[] = [];
        for await (const result of client.iterate({ query: 'subscription { completionStream(input: { model: "@acme/chat", messages: [{ role: USER, content: "hi" }] }) { __typename } }' })) {
          const errors = (result.errors ?? []) as unknown as { extensions?: { code?: string } }[];
          if (errors.length > 0) kinds.push(errors[0]?.extensions?.code ?? "error");
          const event = result.data?.completionStream as { __typename: string } | undefined;
          if (event !== undefined) kinds.push(event.__typename);
        }
        outcomes[actor] = kinds.includes("TextEndEvent") ? "allowed" : kinds.includes("MODEL_NOT_FOUND") ? "absent" : kinds.join(",");
      } finally {
        await client.dispose();
      }
    }
    assert.deepEqual(outcomes, acmeOnly);
  });

  it("the prompt-redirection attack fails: globex cannot re-point the shared model, and acme's prompt reaches acme's upstream only", async () => {
    const before = (await asPlatform('query { model(id: "demo-chat") { version engine { baseUrl } } }')).model as { version: number; engine: { baseUrl: string } };
    const attack = await as("globexAdmin", 'mutation($id: ID!, $version: Int!, $url: String!) { updateModel(id: $id, expectedVersion: $version, input: { engine: { kind: OPENAI_COMPATIBLE, baseUrl: $url, upstreamModel: "x" } }) { id } }', {
      id: "demo-chat",
      version: before.version,
      url: globexUpstream.baseUrl,
    });
    assert.equal((attack.body.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code, "FORBIDDEN");
    const prompt = await as("acmeMember", 'mutation { createCompletion(input: { model: "demo-chat", messages: [{ role: USER, content: "acme confidential: ACME-SECRET-42" }] }) { text } }');
    assert.equal((prompt.body.data?.createCompletion as { text: string }).text, "the legitimate upstream answers");
    assert.equal(globexUpstream.requests.length, 0, "nothing of acme's reached globex's server");
    assert.ok(acmeUpstream.requests.some((request) => JSON.stringify(request.body).includes("ACME-SECRET-42")));
    // Nor can globex register a private model under acme's scope, or a shared one that would shadow it.
    for (const id of ["@acme/shadow", "demo-chat-2"]) {
      const register = await as("globexAdmin", RegisterModel, { input: privateModel(id, globexUpstream.baseUrl, ["CHAT"]) });
      assert.equal((register.body.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code, "FORBIDDEN", id);
    }
  });

  it("audits changes to shared engines and every denial, tenants seeing their own events only", async () => {
    const current = (await asPlatform('query { model(id: "demo-chat") { version } }')).model as { version: number };
    await asPlatform('mutation($version: Int!, $url: String!) { updateModel(id: "demo-chat", expectedVersion: $version, input: { engine: { kind: OPENAI_COMPATIBLE, baseUrl: $url, upstreamModel: "replay-model" } }) { id } }', {
      version: current.version,
      url: acmeUpstream.baseUrl.replace("127.0.0.1", "localhost"),
    });
    await as("globexAdmin", 'mutation { setTenantQuota(input: { tenantId: "acme", tokensPerMinute: 1 }) { tenantId } }');
    const AuditEvents = "query($tenantId: ID, $all: Boolean, $action: AuditAction) { auditEvents(tenantId: $tenantId, allTenants: $all, action: $action, first: 100) { nodes { tenantId actorTenantId action targetId details { name value } } } }";
    type Event = { tenantId: string; actorTenantId: string | null; action: string; targetId: string; details: { name: string; value: string | null }[] };
    const eventsOf = async (variables: Record<string, unknown>) => ((await asPlatform(AuditEvents, variables)).auditEvents as { nodes: Event[] }).nodes;
    const all = await eventsOf({ all: true });
    const engineChange = all.find((event) => event.action === "MODEL_UPDATED" && event.targetId === "demo-chat" && event.details.some((detail) => detail.name === "engine.baseUrl.after"));
    assert.ok(engineChange, "the shared model's engine change is audited");
    assert.equal(engineChange.actorTenantId, "ops");
    const denials = all.filter((event) => event.action === "ROLE_DENIED" && event.actorTenantId === "globex");
    assert.ok(denials.some((event) => event.targetId === "updateModel"), "globex's attempt on demo-chat is audited");
    assert.ok(denials.some((event) => event.targetId === "setTenantQuota"));
    const registered = await eventsOf({ tenantId: "acme", action: "MODEL_REGISTERED" });
    assert.ok(registered.some((event) => event.targetId === "@acme/chat"));
    assert.ok(registered.every((event) => event.tenantId === "acme" && event.action === "MODEL_REGISTERED"));
    assert.ok((await eventsOf({ tenantId: "acme", action: "API_KEY_CREATED" })).length > 0);
    assert.ok(!JSON.stringify(all).includes("sk-acme-own-upstream-key"), "no secret in the audit log");
    // Tenant admins read their own tenant's events, and only those.
    const acmeEvents = ((await asAcmeAdmin(AuditEvents, {})).auditEvents as { nodes: Event[] }).nodes;
    assert.ok(acmeEvents.length > 0);
    assert.ok(acmeEvents.every((event) => event.tenantId === "acme"));
    const globexEvents = ((await as("globexAdmin", AuditEvents, {})).body.data?.auditEvents as { nodes: Event[] }).nodes;
    assert.ok(globexEvents.every((event) => event.tenantId === "globex"));
    assert.ok(globexEvents.some((event) => event.action === "ROLE_DENIED"));
  });

  it("a revoked key is refused at the gateway from the next request", async () => {
    const created = await asAcmeAdmin('mutation { createApiKey(input: { roles: [MEMBER], name: "short-lived" }) { secret apiKey { id roles tenantId } } }');
    const { secret, apiKey } = created.createApiKey as { secret: string; apiKey: { id: string; roles: string[]; tenantId: string } };
    assert.deepEqual(apiKey.roles, ["MEMBER"]);
    assert.equal(apiKey.tenantId, "acme");
    const before = await postGraphQL(stack.gateway.graphqlUrl, secret, "query { collections { id } }");
    assert.equal(before.status, 200);
    await asAcmeAdmin("mutation($id: ID!) { revokeApiKey(id: $id) }", { id: apiKey.id });
    const afterRevoke = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${secret}` }, body: JSON.stringify({ query: "{ collections { id } }" }) });
    assert.equal(afterRevoke.status, 401);
  });
});

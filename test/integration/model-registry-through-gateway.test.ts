import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createGraphClient, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import { internalContextHeader, InternalContextSigner } from "../../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../../platform/context/signing-secret.ts";
import { loadCommonConfig } from "../../platform/config/common-config.ts";
import { present } from "../harness/present.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = graphql(`
  mutation RegisterModel($input: RegisterModelInput!) {
    registerModel(input: $input) {
      id
      version
      aliases
      status
      engine { kind modelPath baseUrl upstreamModel hasApiKey }
      pricing { inputPerMillionTokens outputPerMillionTokens currency }
      createdAt
    }
  }
`);

const ModelByName = graphql(`
  query ModelByName($id: ID!) {
    model(id: $id) { id displayName version status contextLength embeddingDimensions capabilities }
  }
`);

const ListModels = graphql(`
  query ListModels($filter: ModelFilter, $first: Int, $after: String) {
    models(filter: $filter, first: $first, after: $after) {
      totalCount
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const UpdateModel = graphql(`
  mutation UpdateModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {
    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version displayName aliases }
  }
`);

const SetModelStatus = graphql(`
  mutation SetModelStatus($id: ID!, $status: ModelStatus!) {
    setModelStatus(id: $id, status: $status) { id status version }
  }
`);

const DeleteModel = graphql(`
  mutation DeleteModel($id: ID!, $expectedVersion: Int) {
    deleteModel(id: $id, expectedVersion: $expectedVersion) { id }
  }
`);

const chatModel = {
  id: "tiny-chat",
  displayName: "Tiny chat",
  family: "llama",
  capabilities: ["CHAT", "COMPLETION"] as ("CHAT" | "COMPLETION")[],
  contextLength: 2048,
  engine: { kind: "LLAMA_CPP" as const, modelPath: "tiny.gguf" },
  pricing: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.2 },
  aliases: ["tiny"],
};

/** The registry through the gateway over HTTP, the way a frontend team uses it. */
function registryThroughGateway(start: () => Promise<TestStack>): void {
  let stack: TestStack;
  let admin: GraphClient;
  let member: GraphClient;

  before(async () => {
    stack = await start();
    admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
  });
  after(() => stack?.stop());

  it("registers a model as admin", async () => {
    const registerModel = present((await admin.request(RegisterModel, { input: chatModel })).registerModel, "registerModel");
    assert.equal(registerModel.id, "tiny-chat");
    assert.equal(registerModel.version, 1);
    assert.equal(registerModel.status, "ACTIVE");
    assert.deepEqual(registerModel.engine, { kind: "LLAMA_CPP", modelPath: "tiny.gguf", baseUrl: null, upstreamModel: null, hasApiKey: false });
    assert.equal(registerModel.pricing.currency, "USD");
  });

  it("lets any tenant read the catalogue, by id or alias", async () => {
    const byAlias = await member.request(ModelByName, { id: "tiny" });
    assert.equal(byAlias.model?.id, "tiny-chat");
    assert.equal(byAlias.model?.embeddingDimensions, null);
    assert.equal((await member.request(ModelByName, { id: "nothing" })).model, null);
    const list = await member.request(ListModels, {});
    assert.equal(list.models?.totalCount, 1);
  });

  it("refuses registry mutations without the admin role with FORBIDDEN", async () => {
    const result = await member.execute(RegisterModel, { input: { ...chatModel, id: "sneaky", aliases: [] } });
    assert.equal(result.errors?.[0]?.extensions?.code, "FORBIDDEN");
    assert.equal((await admin.request(ModelByName, { id: "sneaky" })).model, null);
  });

  it("refuses requests without a valid key with UNAUTHENTICATED and status 401", async () => {
    for (const apiKey of [undefined, "aig_000000000000000000000000000000000"]) {
      const client = createGraphClient({ url: stack.gateway.graphqlUrl, ...(apiKey === undefined ? {} : { apiKey }) });
      const result = await client.execute(ListModels, {});
      assert.equal(result.status, 401);
      assert.equal(result.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
      assert.equal(result.data, undefined);
    }
  });

  it("rejects bad input with BAD_USER_INPUT naming the field, writing nothing", async () => {
    const result = await admin.execute(RegisterModel, {
      input: { ...chatModel, id: "bad", aliases: [], contextLength: 0, pricing: { inputPerMillionTokens: -1, outputPerMillionTokens: 1 } },
    });
    const error = result.errors?.[0];
    assert.equal(error?.extensions?.code, "BAD_USER_INPUT");
    assert.equal(error?.extensions?.field, "input.contextLength");
    assert.equal((await admin.request(ModelByName, { id: "bad" })).model, null);
  });

  it("reports duplicate ids and alias collisions", async () => {
    const duplicate = await admin.execute(RegisterModel, { input: { ...chatModel, aliases: [] } });
    assert.equal(duplicate.errors?.[0]?.extensions?.code, "MODEL_ALREADY_EXISTS");
    const collision = await admin.execute(RegisterModel, { input: { ...chatModel, id: "other", aliases: ["tiny"] } });
    assert.equal(collision.errors?.[0]?.extensions?.code, "ALIAS_CONFLICT");
    assert.equal(collision.errors?.[0]?.extensions?.ownerId, "tiny-chat");
    const idAsAlias = await admin.execute(RegisterModel, { input: { ...chatModel, id: "tiny", aliases: [] } });
    assert.equal(idAsAlias.errors?.[0]?.extensions?.code, "ALIAS_CONFLICT");
  });

  it("updates with optimistic concurrency and refuses a stale version", async () => {
    const updateModel = present((await admin.request(UpdateModel, { id: "tiny-chat", expectedVersion: 1, input: { displayName: "Tiny chat 2", aliases: ["tiny", "t2"] } })).updateModel, "updateModel");
    assert.equal(updateModel.version, 2);
    const stale = await admin.execute(UpdateModel, { id: "tiny-chat", expectedVersion: 1, input: { displayName: "lost update" } });
    assert.equal(stale.errors?.[0]?.extensions?.code, "VERSION_CONFLICT");
    assert.equal(stale.errors?.[0]?.extensions?.currentVersion, 2);
    assert.equal((await admin.request(ModelByName, { id: "t2" })).model?.displayName, "Tiny chat 2");
  });

  it("keeps upstream API keys write-only", async () => {
    const registerModel = present((await admin.request(RegisterModel, {
      input: {
        id: "remote-embedder",
        displayName: "Remote embedder",
        family: "bge",
        capabilities: ["EMBEDDING"],
        embeddingDimensions: 384,
        contextLength: 512,
        engine: { kind: "OPENAI_COMPATIBLE", baseUrl: "http://vllm:8000/v1/", upstreamModel: "BAAI/bge-small-en", apiKey: "sk-very-secret" },
        pricing: { inputPerMillionTokens: 0.02, outputPerMillionTokens: 0 },
      },
    })).registerModel, "registerModel");
    assert.equal(registerModel.engine.hasApiKey, true);
    assert.equal(registerModel.engine.baseUrl, "http://vllm:8000/v1");
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.adminKey.key}` },
      body: JSON.stringify({ query: '{ model(id: "remote-embedder") { engine { apiKey } } }' }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, "GRAPHQL_VALIDATION_FAILED");
  });

  it("filters and pages the list", async () => {
    const page = present((await member.request(ListModels, { filter: { capabilities: ["EMBEDDING"] }, first: 10 })).models, "models");
    assert.deepEqual(page.nodes.map((model) => model.id), ["remote-embedder"]);
    const first = present((await member.request(ListModels, { first: 1 })).models, "models");
    assert.equal(first.pageInfo.hasNextPage, true);
    const second = present((await member.request(ListModels, { first: 1, after: first.pageInfo.endCursor })).models, "models");
    assert.notDeepEqual(second.nodes, first.nodes);
    const badPage = await member.execute(ListModels, { first: 1000 });
    assert.equal(badPage.errors?.[0]?.extensions?.field, "first");
  });

  it("changes status and deletes", async () => {
    const setModelStatus = present((await admin.request(SetModelStatus, { id: "tiny-chat", status: "DISABLED" })).setModelStatus, "setModelStatus");
    assert.equal(setModelStatus.status, "DISABLED");
    const missing = await admin.execute(SetModelStatus, { id: "ghost", status: "ACTIVE" });
    assert.equal(missing.errors?.[0]?.extensions?.code, "MODEL_NOT_FOUND");
    await admin.request(DeleteModel, { id: "remote-embedder" });
    assert.equal((await admin.request(ModelByName, { id: "remote-embedder" })).model, null);
  });

  it("resolves Model entities for other subgraphs, batched in one call", async () => {
    const secret = await resolveSigningSecret(loadCommonConfig(stack.environment));
    const token = new InternalContextSigner(secret).sign({ requestId: "r", tenantId: "tenant-a", apiKeyId: "service:test", roles: ["member"] });
    const response = await fetch(stack.modelRegistry.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", [internalContextHeader]: token },
      body: JSON.stringify({
        query: "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Model { id displayName } } }",
        variables: { representations: [{ __typename: "Model", id: "tiny-chat" }, { __typename: "Model", id: "gone" }] },
      }),
    });
    assert.deepEqual(await response.json(), { data: { _entities: [{ id: "tiny-chat", displayName: "Tiny chat 2" }, null] } });
  });

  it("refuses direct subgraph access without the gateway's signed context", async () => {
    const response = await fetch(stack.modelRegistry.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-tenant-id": "tenant-a" },
      body: JSON.stringify({ query: "{ models { totalCount } }" }),
    });
    assert.equal(response.status, 401);
  });

  it("echoes the request id", async () => {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}`, "x-request-id": "trace-42" },
      body: JSON.stringify({ query: "{ models { totalCount } }" }),
    });
    assert.equal(response.headers.get("x-request-id"), "trace-42");
  });
}

const redis = await provisionRedis();

describe("model registry through the gateway, embedded stores", async () => {
  const dataDirectory = await temporaryDirectory("stack");
  registryThroughGateway(() => startTestStack({ DATA_DIR: dataDirectory }));

  it("keeps the catalogue and keys across a restart", async () => {
    const first = await startTestStack({ DATA_DIR: await temporaryDirectory("restart") });
    const client = createGraphClient({ url: first.gateway.graphqlUrl, apiKey: first.adminKey.key });
    await client.request(RegisterModel, { input: chatModel });
    await first.stop();
    const second = await startTestStack(first.environment, { keys: { adminKey: first.adminKey, memberKey: first.memberKey, otherTenantKey: first.otherTenantKey } });
    try {
      const again = createGraphClient({ url: second.gateway.graphqlUrl, apiKey: first.adminKey.key });
      assert.equal((await again.request(ModelByName, { id: "tiny" })).model?.id, "tiny-chat");
    } finally {
      await second.stop();
    }
  });
});

describe("model registry through the gateway, Redis stores", { skip: redis.skip }, () => {
  registryThroughGateway(async () => {
    const server = requireServer(redis);
    return startTestStack({
      STORE_BACKEND: "redis",
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: server.uniquePrefix(),
      INTERNAL_SIGNING_SECRET: "integration-test-secret-at-least-32-chars",
      DATA_DIR: await temporaryDirectory("stack-redis"),
    });
  });
});

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { Redis } from "ioredis";
import { generateApiKey, hashApiKey } from "../../platform/api-keys/api-key.ts";
import { migrateLegacyRoles } from "../../platform/api-keys/migrate-roles.ts";
import type { ApiKeyStore } from "../../platform/api-keys/api-key-store.ts";
import { EmbeddedApiKeyStore } from "../../platform/api-keys/embedded-api-key-store.ts";
import { ensureDevelopmentKey, issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { RedisApiKeyStore } from "../../platform/api-keys/redis-api-key-store.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

/** The behaviour every ApiKeyStore must have. */
function apiKeyStoreContract(createStore: () => Promise<ApiKeyStore>): void {
  let store: ApiKeyStore;
  beforeEach(async () => {
    store = await createStore();
  });

  it("finds an issued key by its hash only", async () => {
    const issued = await issueApiKey(store, "acme", ["member"], "ci key");
    const record = await store.findByHash(hashApiKey(issued.key));
    assert.equal(record?.tenantId, "acme");
    assert.deepEqual(record?.roles, ["member"]);
    assert.equal(record?.id, issued.id);
    assert.ok(!JSON.stringify(await store.list()).includes(issued.key), "the key itself is never stored");
    assert.equal(await store.findByHash(hashApiKey(`${issued.key}x`)), undefined);
  });

  it("lists, counts and revokes", async () => {
    const first = await issueApiKey(store, "acme", ["member"], "one");
    await issueApiKey(store, "globex", ["tenant-admin", "member"], "two");
    assert.equal(await store.count(), 2);
    assert.equal(await store.revoke(first.id), true);
    assert.equal(await store.revoke(first.id), false);
    assert.deepEqual((await store.list()).map((record) => record.tenantId), ["globex"]);
  });

  it("makes a development admin key only when there is no key at all", async () => {
    const issued = await ensureDevelopmentKey(store);
    assert.equal(issued?.tenantId, "dev");
    assert.deepEqual(issued?.roles, ["platform-admin", "tenant-admin"]);
    assert.equal(await ensureDevelopmentKey(store), undefined);
    assert.equal(await store.count(), 1);
  });

  it("migrates keys of the retired admin role explicitly: tenant-admin for each, platform-admin only for the keys named", async () => {
    const legacy = async (tenantId: string) => {
      const { key, id } = generateApiKey();
      await store.create({ id, tenantId, roles: ["admin", "member"], name: "old", hash: hashApiKey(key), createdAt: new Date().toISOString() });
      return id;
    };
    const acmeAdmin = await legacy("acme");
    const operator = await legacy("ops");
    const member = await issueApiKey(store, "acme", ["member"], "member");
    await assert.rejects(migrateLegacyRoles(store, ["key_nope"]), (error: ServiceError) => error.extensions.code === "BAD_USER_INPUT");
    const planned = await migrateLegacyRoles(store, [operator], true);
    assert.equal(planned.length, 2);
    assert.ok((await store.list()).every((record) => record.id === member.id || record.roles.includes("admin")), "a dry run changes nothing");
    const changes = await migrateLegacyRoles(store, [operator]);
    const rolesOf = async (id: string) => (await store.list()).find((record) => record.id === id)?.roles.toSorted();
    assert.deepEqual(changes.map((change) => change.id).toSorted(), [acmeAdmin, operator].toSorted());
    assert.deepEqual(await rolesOf(acmeAdmin), ["member", "tenant-admin"]);
    assert.deepEqual(await rolesOf(operator), ["member", "platform-admin", "tenant-admin"]);
    assert.deepEqual(await rolesOf(member.id), ["member"]);
    assert.deepEqual(await migrateLegacyRoles(store, []), [], "a second run finds nothing left");
  });

  it("refuses bad tenant ids and empty roles", async () => {
    await assert.rejects(issueApiKey(store, "Bad Tenant", ["member"], "x"), (error: ServiceError) => error.extensions.field === "tenantId");
    await assert.rejects(issueApiKey(store, "acme", [], "x"), (error: ServiceError) => error.extensions.field === "roles");
    assert.equal(await store.count(), 0);
  });
}

const redis = await provisionRedis();

describe("EmbeddedApiKeyStore", () => {
  apiKeyStoreContract(async () => new EmbeddedApiKeyStore(await temporaryDirectory("api-keys")));

  it("keeps the key file readable by its owner only", async () => {
    const directory = await temporaryDirectory("api-keys");
    await issueApiKey(new EmbeddedApiKeyStore(directory), "acme", ["member"], "x");
    const { stat } = await import("node:fs/promises");
    assert.equal((await stat(join(directory, "api-keys.json"))).mode & 0o777, 0o600);
    assert.match(await readFile(join(directory, "api-keys.json"), "utf8"), /"hash"/);
  });
});

describe("RedisApiKeyStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  apiKeyStoreContract(async () => {
    const server = requireServer(redis);
    const connection = new Redis(server.url);
    connections.push(connection);
    return new RedisApiKeyStore(connection, server.uniquePrefix());
  });
});

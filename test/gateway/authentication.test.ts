import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateApiKey, hashApiKey } from "../../platform/api-keys/api-key.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { EmbeddedApiKeyStore } from "../../platform/api-keys/embedded-api-key-store.ts";
import { authenticate } from "../../gateway/authentication.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

async function rejectsUnauthenticated(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, "UNAUTHENTICATED");
    assert.deepEqual(error.extensions.http, { status: 401 });
    assert.match(error.message, message);
    return true;
  });
}

describe("authenticate", () => {
  it("maps a valid key to its tenant and roles, keeping a sane request id", async () => {
    const store = new EmbeddedApiKeyStore(await temporaryDirectory("auth"));
    const issued = await issueApiKey(store, "acme", ["member"], "test");
    const context = await authenticate(`Bearer ${issued.key}`, "req-123", store);
    assert.deepEqual(context, { requestId: "req-123", tenantId: "acme", apiKeyId: issued.id, roles: ["member"] });
    const generated = await authenticate(`bearer ${issued.key}`, "bad id with spaces", store);
    assert.match(generated.requestId, /^[0-9a-f-]{36}$/);
  });

  it("refuses missing, malformed and unknown keys alike", async () => {
    const store = new EmbeddedApiKeyStore(await temporaryDirectory("auth"));
    const issued = await issueApiKey(store, "acme", ["tenant-admin"], "test");
    await rejectsUnauthenticated(authenticate(undefined, undefined, store), /Missing credentials.*Authorization header/);
    await rejectsUnauthenticated(authenticate(`Basic ${issued.key}`, undefined, store), /Bearer/);
    await rejectsUnauthenticated(authenticate("Bearer nope", undefined, store), /not valid/);
    // One character changed (never to itself: a key ending in "x" once made this test pass a valid key).
    const tampered = `${issued.key.slice(0, -1)}${issued.key.endsWith("x") ? "y" : "x"}`;
    await rejectsUnauthenticated(authenticate(`Bearer ${tampered}`, undefined, store), /not valid/);
  });

  it("reads a key of the retired global admin role as tenant-admin of its own tenant, never platform-admin", async () => {
    const store = new EmbeddedApiKeyStore(await temporaryDirectory("auth"));
    const { key, id } = generateApiKey();
    await store.create({ id, tenantId: "acme", roles: ["admin"], name: "issued before the role split", hash: hashApiKey(key), createdAt: new Date().toISOString() });
    const context = await authenticate(`Bearer ${key}`, undefined, store);
    assert.deepEqual(context.roles, ["tenant-admin"]);
    assert.equal(context.tenantId, "acme");
  });

  it("stops accepting a revoked key", async () => {
    const store = new EmbeddedApiKeyStore(await temporaryDirectory("auth"));
    const issued = await issueApiKey(store, "acme", ["tenant-admin"], "test");
    assert.equal(await store.revoke(issued.id), true);
    await rejectsUnauthenticated(authenticate(`Bearer ${issued.key}`, undefined, store), /not valid/);
  });
});

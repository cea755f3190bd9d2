/** `npm run api-keys`: the operator's command, run as a child process on an embedded store. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { generateApiKey, hashApiKey } from "../../platform/api-keys/api-key.ts";
import { EmbeddedApiKeyStore } from "../../platform/api-keys/embedded-api-key-store.ts";
import { EmbeddedAuditLog } from "../../platform/audit/embedded-audit-log.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

const run = promisify(execFile);

describe("npm run api-keys", () => {
  it("creates, migrates and revokes keys, auditing what it issues and revokes", async () => {
    const dataDirectory = await temporaryDirectory("api-keys-command");
    const environment = { ...process.env, DATA_DIR: dataDirectory, STORE_BACKEND: "embedded", LOG_LEVEL: "error" };
    const command = (...args: string[]) => run(process.execPath, ["--import", "tsx", "scripts/api-keys.ts", ...args], { env: environment });
    const created = await command("create", "--tenant", "acme", "--role", "tenant-admin", "--name", "acme admin");
    const id = /Created key (key_[0-9a-f]+)/.exec(created.stdout)?.[1];
    assert.ok(id, created.stdout);
    // A key of the retired global admin role, as an older version stored it.
    const store = new EmbeddedApiKeyStore(dataDirectory);
    const legacy = generateApiKey();
    await store.create({ id: legacy.id, tenantId: "ops", roles: ["admin"], name: "old operator key", hash: hashApiKey(legacy.key), createdAt: new Date().toISOString() });
    assert.match((await command("list")).stdout, new RegExp(`${legacy.id}\\tops\\tadmin \\(retired role: run migrate-roles\\)`));
    assert.match((await command("migrate-roles", "--platform-admin", legacy.id)).stdout, new RegExp(`changed ${legacy.id} \\(tenant "ops"\\): admin -> tenant-admin,platform-admin`));
    assert.deepEqual((await store.list()).find((record) => record.id === legacy.id)?.roles, ["tenant-admin", "platform-admin"]);
    await assert.rejects(command("create", "--tenant", "acme", "--role", "admin"), /create needs --role, one of: platform-admin, tenant-admin, member/);
    assert.match((await command("revoke", id)).stdout, new RegExp(`Revoked ${id}`));
    const events = (await new EmbeddedAuditLog(dataDirectory).list({ tenantId: "acme", first: 10 })).events;
    assert.deepEqual(events.map((event) => [event.action, event.targetId, event.actorApiKeyId]), [["API_KEY_REVOKED", id, null], ["API_KEY_CREATED", id, null]]);
  });
});

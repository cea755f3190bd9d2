/**
 * Manages API keys in the store the gateway reads (embedded file or Redis, from the same
 * environment variables as the gateway):
 *   npm run api-keys -- create --tenant acme --role member [--role tenant-admin] [--name "ci"]
 *   npm run api-keys -- list
 *   npm run api-keys -- revoke key_0123456789ab
 *   npm run api-keys -- migrate-roles [--platform-admin key_0123456789ab ...] [--dry-run]
 * Roles: platform-admin (the installation), tenant-admin (its tenant), member. See docs/TENANCY.md.
 */
import { parseArgs } from "node:util";
import { hasLegacyRole } from "../platform/api-keys/api-key.ts";
import { issueApiKey } from "../platform/api-keys/issue-api-key.ts";
import { migrateLegacyRoles } from "../platform/api-keys/migrate-roles.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";
import { roles as knownRoles, type Role } from "../platform/context/request-context.ts";
import { ServiceError } from "../platform/errors/service-error.ts";
import { runMain } from "../platform/lifecycle/run-main.ts";
import { createAuditLog } from "../platform/audit/create-audit-log.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";

const usage = `usage:
  npm run api-keys -- create --tenant <tenant-id> --role <platform-admin|tenant-admin|member> [--role ...] [--name <text>]
  npm run api-keys -- list
  npm run api-keys -- revoke <key-id>
  npm run api-keys -- migrate-roles [--platform-admin <key-id> ...] [--dry-run]
      rewrites keys of the retired global "admin" role as tenant-admin of their tenant;
      the keys named with --platform-admin also become platform-admin`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

await runMain(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      role: { type: "string", multiple: true },
      name: { type: "string" },
      "platform-admin": { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
    },
  });
  const [command, argument] = positionals;
  const config = loadGatewayConfig();
  const infrastructure = await connectSharedInfrastructure(config, createLogger("api-keys", "warn"));
  const store = createApiKeyStore(config, infrastructure);
  const logger = createLogger("api-keys", "warn");
  const audit = createAuditLog({ redis: infrastructure.redis, dataDirectory: config.dataDirectory, keyPrefix: config.redisKeyPrefix, logger });
  // An operator on the host: no API key, tenant or request acted.
  const operator = { actorTenantId: null, actorApiKeyId: null, actorRoles: ["operator"], requestId: null, targetType: "apiKey" };
  try {
    switch (command) {
      case "create": {
        if (values.tenant === undefined) fail("create needs --tenant");
        const roles = values.role ?? [];
        const unknown = roles.filter((role) => !knownRoles.includes(role as Role));
        if (roles.length === 0 || unknown.length > 0) fail(`create needs --role, one of: ${knownRoles.join(", ")}`);
        const issued = await issueApiKey(store, values.tenant, roles as Role[], values.name ?? "created with npm run api-keys");
        await audit.record({ ...operator, tenantId: issued.tenantId, action: "API_KEY_CREATED", targetId: issued.id, details: { roles: issued.roles.join(","), name: values.name ?? "", via: "npm run api-keys" } });
        console.log(`Created key ${issued.id} for tenant "${issued.tenantId}" (${issued.roles.join(", ")}). It is shown only now:\n${issued.key}`);
        break;
      }
      case "list":
        for (const record of await store.list()) {
          console.log(`${record.id}\t${record.tenantId}\t${record.roles.join(",")}${hasLegacyRole(record) ? " (retired role: run migrate-roles)" : ""}\t${record.createdAt}\t${record.name}`);
        }
        break;
      case "migrate-roles": {
        const dryRun = values["dry-run"] === true;
        const changes = await migrateLegacyRoles(store, values["platform-admin"] ?? [], dryRun);
        if (changes.length === 0) console.log("No key to migrate.");
        for (const change of changes) {
          console.log(`${dryRun ? "would change" : "changed"} ${change.id} (tenant "${change.tenantId}"): ${change.before.join(",")} -> ${change.after.join(",")}`);
        }
        break;
      }
      case "revoke":
        if (argument === undefined) fail("revoke needs a key id (see list)");
        const revoking = (await store.list()).find((record) => record.id === argument);
        if (revoking === undefined || !(await store.revoke(argument))) {
          console.error(`No key has the id ${argument}.`);
          process.exitCode = 1;
        } else {
          await audit.record({ ...operator, tenantId: revoking.tenantId, action: "API_KEY_REVOKED", targetId: argument, details: { roles: revoking.roles.join(","), via: "npm run api-keys" } });
          console.log(`Revoked ${argument}.`);
        }
        break;
      default:
        fail(command === undefined ? "missing command" : `unknown command "${command}"`);
    }
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  } finally {
    await audit.close();
    await infrastructure.close();
  }
});

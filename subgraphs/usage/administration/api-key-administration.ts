import { effectiveRoles, hasLegacyRole, type ApiKeyRecord } from "../../../platform/api-keys/api-key.ts";
import type { ApiKeyStore } from "../../../platform/api-keys/api-key-store.ts";
import { issueApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import type { AuditLog } from "../../../platform/audit/audit-log.ts";
import { authorize, isAllowed } from "../../../platform/authorization/authorize.ts";
import { everyTenant } from "../../../platform/authorization/permission.ts";
import type { RequestContext, Role } from "../../../platform/context/request-context.ts";
import { badUserInput } from "../../../platform/errors/service-error.ts";

/** An API key as GraphQL shows it: never its hash. */
export interface ApiKeyView {
  id: string;
  tenantId: string;
  roles: Role[];
  name: string;
  needsRoleMigration: boolean;
  createdAt: string;
}

export interface CreatedApiKeyView {
  apiKey: ApiKeyView;
  secret: string;
}

/** Most characters in a key's `name`. */
const maximumNameLength = 200;

/**
 * Tenant admins manage their own tenant's keys over GraphQL; platform admins any tenant's. The key
 * store is the one the gateway reads, so a revoked key is refused from the gateway's next request.
 * Every creation and revocation is audited before the mutation answers.
 */
export class ApiKeyAdministration {
  readonly #store: ApiKeyStore;
  readonly #audit: AuditLog;

  constructor(store: ApiKeyStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  async list(caller: RequestContext, tenantId: string | null | undefined): Promise<ApiKeyView[]> {
    const tenant = tenantId ?? caller.tenantId;
    authorize(caller, "apiKeys.manage", tenant, tenant === caller.tenantId ? "list the tenant's API keys" : "list another tenant's API keys");
    const records = (await this.#store.list()).filter((record) => record.tenantId === tenant);
    return records.sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id)).map(view);
  }

  async create(caller: RequestContext, input: { tenantId?: string | null; roles: readonly Role[]; name: string }): Promise<CreatedApiKeyView> {
    const tenant = input.tenantId ?? caller.tenantId;
    authorize(caller, "apiKeys.manage", tenant, tenant === caller.tenantId ? "create API keys" : "create another tenant's API keys");
    if (input.roles.includes("platform-admin")) authorize(caller, "platformRoles.grant", everyTenant, "grant the platform-admin role");
    const name = input.name.trim();
    if (name.length === 0 || name.length > maximumNameLength) throw badUserInput("input.name", `name must have 1 to ${maximumNameLength} characters.`);
    const issued = await issueApiKey(this.#store, tenant, [...input.roles], name);
    await this.#record(caller, "API_KEY_CREATED", tenant, issued.id, { roles: issued.roles.join(","), name });
    return {
      apiKey: { id: issued.id, tenantId: issued.tenantId, roles: issued.roles, name, needsRoleMigration: false, createdAt: new Date().toISOString() },
      secret: issued.key,
    };
  }

  /** False when no key the caller may manage has `id` (another tenant's key reads as absent). */
  async revoke(caller: RequestContext, id: string): Promise<boolean> {
    const record = (await this.#store.list()).find((candidate) => candidate.id === id);
    if (record === undefined || !isAllowed(caller, "apiKeys.manage", record.tenantId)) {
      // Still refused with FORBIDDEN when the caller may not manage keys at all, so members learn why.
      authorize(caller, "apiKeys.manage", caller.tenantId, "revoke API keys");
      return false;
    }
    const revoked = await this.#store.revoke(id);
    if (revoked) await this.#record(caller, "API_KEY_REVOKED", record.tenantId, id, { roles: record.roles.join(","), name: record.name });
    return revoked;
  }

  async #record(caller: RequestContext, action: "API_KEY_CREATED" | "API_KEY_REVOKED", tenantId: string, keyId: string, details: Record<string, string>): Promise<void> {
    await this.#audit.record({
      tenantId,
      actorTenantId: caller.tenantId,
      actorApiKeyId: caller.apiKeyId,
      actorRoles: [...caller.roles],
      action,
      targetType: "apiKey",
      targetId: keyId,
      requestId: caller.requestId,
      details,
    });
  }
}

function view(record: ApiKeyRecord): ApiKeyView {
  return { id: record.id, tenantId: record.tenantId, roles: effectiveRoles(record.roles), name: record.name, needsRoleMigration: hasLegacyRole(record), createdAt: record.createdAt };
}

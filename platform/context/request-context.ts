/**
 * A role granted to an API key. Platform roles act on the whole installation; tenant roles only
 * inside the key's own tenant (see platform/authorization/policy.ts for what each may do):
 * - `platform-admin`: the catalogue of shared models and their engines, every tenant's quotas,
 *   usage, keys and audit events. For the operators who run the installation.
 * - `tenant-admin`: its own tenant's keys, usage, audit events, private models.
 * - `member`: uses models and collections of its tenant, reads its tenant's usage and quota.
 */
export type Role = "platform-admin" | "tenant-admin" | "member";

export const roles: readonly Role[] = ["platform-admin", "tenant-admin", "member"];

/**
 * The single role of keys issued before platform and tenant roles were split. It was global (one
 * tenant's admin could change every tenant) and is read as `tenant-admin` until an operator
 * migrates it explicitly with `npm run api-keys -- migrate-roles` (docs/OPERATIONS.md).
 */
export const legacyAdminRole = "admin";

/**
 * Who is asking, established once by the gateway and carried to every subgraph. Later hardening
 * (JWT issuers, rate limits) adds fields here rather than new headers.
 */
export interface RequestContext {
  /** Unique per client request; also sent to engines and written to usage events. */
  requestId: string;
  tenantId: string;
  /** The API key used, or `service:<name>` for calls one service makes to another. */
  apiKeyId: string;
  roles: readonly Role[];
}

export function hasRole(context: RequestContext, role: Role): boolean {
  return context.roles.includes(role);
}

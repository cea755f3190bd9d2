/**
 * What a caller may be allowed to do. Each resolver that needs more than a valid key names one of
 * these and the tenant it acts on; platform/authorization/policy.ts says which role grants it.
 */
export const permissions = [
  /** Register, change, disable or delete shared (platform-managed) models and their engines. */
  "sharedModels.manage",
  /** Register, change or delete the tenant's private models (ids `@<tenant>/...`). */
  "privateModels.manage",
  /** See the tenant's private models in the catalogue (using one for inference: `canUseModel`). */
  "privateModels.read",
  /** Read the tenant's quota. */
  "quotas.read",
  /** Set or remove the tenant's quota. Tenants never raise their own. */
  "quotas.manage",
  /** Read the tenant's usage. */
  "usage.read",
  /** List, create and revoke the tenant's API keys (with tenant roles). */
  "apiKeys.manage",
  /** Grant the platform-admin role to a key. */
  "platformRoles.grant",
  /** Read the tenant's audit events. */
  "auditEvents.read",
] as const;

export type Permission = (typeof permissions)[number];

/** The scope of a permission that covers every tenant at once (`allTenants`, the shared catalogue). */
export const everyTenant = Symbol("every tenant");

/** Where a permission is asked for: one tenant's data, or the whole installation. */
export type PermissionScope = string | typeof everyTenant;

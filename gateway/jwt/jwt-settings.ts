import { z } from "zod";
import { roles, type Role } from "../../platform/context/request-context.ts";
import { ConfigurationError, httpUrlVariable, integerVariable, type ConfigurationProblem } from "../../platform/config/parse-environment.ts";

/**
 * Signature algorithms a JWKS may verify. Never `none` (unsigned) nor `HS*`: an HMAC "key" would
 * have to be a shared secret, and a verifier that accepts HS256 with a public key as the secret can
 * be fooled by anyone holding that public key (algorithm confusion).
 */
export const jwtAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

/** How the gateway verifies bearer JWTs (OIDC access or ID tokens) beside API keys. */
export interface JwtSettings {
  /** JWT_JWKS_URL: the identity provider's JSON Web Key Set (for OIDC, `jwks_uri` of its discovery document). */
  jwksUrl: string;
  /** JWT_ISSUER: the only accepted `iss`. */
  issuer: string;
  /** JWT_AUDIENCE: accepted `aud` values (comma list); a token must name one of them. */
  audiences: readonly string[];
  /** JWT_ALGORITHMS: accepted `alg` values. Default RS256, ES256. */
  algorithms: readonly JwtAlgorithm[];
  /** JWT_CLOCK_TOLERANCE_SECONDS: skew allowed on `exp` and `nbf`. Default 30. */
  clockToleranceSeconds: number;
  /** JWT_TENANT_CLAIM: claim holding the tenant id (a top-level name, else a dot path). Default `tenant_id`. */
  tenantClaim: string;
  /** JWT_ROLES_CLAIM: claim holding the roles (array, or a space- or comma-separated string). Default `roles`. */
  rolesClaim: string;
  /**
   * JWT_ROLE_MAP: the identity provider's role names → ours. Tenant roles (`tenant-admin`, `member`)
   * are also accepted under their own names; `platform-admin` only through an entry here.
   */
  roleMap: ReadonlyMap<string, Role>;
  /** JWT_JWKS_COOLDOWN_SECONDS: least time between two fetches of the key set for an unknown `kid`. Default 30. */
  jwksCooldownSeconds: number;
  /** JWT_JWKS_CACHE_SECONDS: how long a fetched key set is used before it is fetched again. Default 600. */
  jwksCacheSeconds: number;
}

export const defaultJwtAlgorithms: readonly JwtAlgorithm[] = ["RS256", "ES256"];

/** The JWT variables, merged into the gateway's environment. */
export const jwtEnvironment = {
  JWT_JWKS_URL: httpUrlVariable().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_ALGORITHMS: z
    .string()
    .optional()
    .refine((value) => value === undefined || (list(value).length > 0 && list(value).every((name) => (jwtAlgorithms as readonly string[]).includes(name))), {
      message: `expected a comma list of ${jwtAlgorithms.join(", ")} (never none, never HS256/HS384/HS512: a key set holds public keys)`,
    }),
  JWT_CLOCK_TOLERANCE_SECONDS: integerVariable(30, 0, 300),
  JWT_TENANT_CLAIM: z.string().default("tenant_id"),
  JWT_ROLES_CLAIM: z.string().default("roles"),
  JWT_ROLE_MAP: z
    .string()
    .optional()
    .refine((value) => value === undefined || list(value).every((pair) => /^[^=]+=[^=]+$/.test(pair) && (roles as readonly string[]).includes(pair.split("=")[1]?.trim() ?? "")), {
      message: `expected name=role pairs, e.g. "admin=tenant-admin,user=member" (roles: ${roles.join(", ")})`,
    }),
  JWT_JWKS_COOLDOWN_SECONDS: integerVariable(30, 0, 3_600),
  JWT_JWKS_CACHE_SECONDS: integerVariable(600, 1, 86_400),
};

type JwtValues = z.infer<z.ZodObject<typeof jwtEnvironment>>;

/** The settings, or undefined when JWT_JWKS_URL is unset (API keys only). Issuer and audience are then required. */
export function toJwtSettings(values: JwtValues): JwtSettings | undefined {
  if (values.JWT_JWKS_URL === undefined) return undefined;
  const problems: ConfigurationProblem[] = [];
  // Without both, any token of the provider (for any of its applications) would be accepted.
  if (values.JWT_ISSUER === undefined) problems.push({ variable: "JWT_ISSUER", message: "required when JWT_JWKS_URL is set (not set)" });
  const audiences = list(values.JWT_AUDIENCE ?? "");
  if (audiences.length === 0) problems.push({ variable: "JWT_AUDIENCE", message: "required when JWT_JWKS_URL is set (not set)" });
  if (problems.length > 0 || values.JWT_ISSUER === undefined) throw new ConfigurationError(problems);
  const roleMap = new Map<string, Role>();
  for (const pair of list(values.JWT_ROLE_MAP ?? "")) {
    const [name = "", role = ""] = pair.split("=").map((part) => part.trim());
    roleMap.set(name, role as Role);
  }
  return {
    jwksUrl: values.JWT_JWKS_URL,
    issuer: values.JWT_ISSUER,
    audiences,
    algorithms: values.JWT_ALGORITHMS === undefined ? defaultJwtAlgorithms : (list(values.JWT_ALGORITHMS) as JwtAlgorithm[]),
    clockToleranceSeconds: values.JWT_CLOCK_TOLERANCE_SECONDS,
    tenantClaim: values.JWT_TENANT_CLAIM,
    rolesClaim: values.JWT_ROLES_CLAIM,
    roleMap,
    jwksCooldownSeconds: values.JWT_JWKS_COOLDOWN_SECONDS,
    jwksCacheSeconds: values.JWT_JWKS_CACHE_SECONDS,
  };
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

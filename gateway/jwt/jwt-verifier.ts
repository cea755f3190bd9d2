import { createHash } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { tenantIdPattern } from "../../platform/api-keys/api-key.ts";
import type { RequestContext, Role } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { JwtSettings } from "./jwt-settings.ts";

/** A compact JWS: three base64url parts (the signature part is empty in an unsigned `alg: none` token). */
const compactJwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Whether a bearer credential has the shape of a JWT (API keys carry no dots). */
export function looksLikeJwt(credential: string): boolean {
  return compactJwtPattern.test(credential);
}

/** How long one fetch of the key set may take before the caller gets a retryable 503, in milliseconds. */
const jwksTimeoutMillis = 5_000;

/** Subjects used as they are in `apiKeyId` (logged, audited, in rate-limit keys); others are hashed. */
const safeSubjectPattern = /^[A-Za-z0-9._@|:+-]{1,128}$/;

/** Roles a token may name directly; `platform-admin` needs an explicit JWT_ROLE_MAP entry. */
const directRoles: readonly Role[] = ["tenant-admin", "member"];

/**
 * Verifies bearer JWTs against the identity provider's JWKS (jose) and maps their claims to a
 * caller: signature with an allowed algorithm, `iss`, `aud`, `exp` (required) and `nbf` with the
 * clock tolerance, then the tenant and roles from the configured claims.
 *
 * Key rotation: the key set is fetched on first use and again after JWT_JWKS_CACHE_SECONDS; a token
 * whose `kid` is not in it makes jose fetch it again at once, at most once per
 * JWT_JWKS_COOLDOWN_SECONDS (so tokens with made-up `kid`s cannot make the gateway hammer the provider).
 *
 * Failures of the token are 401 `UNAUTHENTICATED` naming what is wrong (expired, audience...): unlike
 * an API key, a JWT's validity reveals nothing secret. A key set that cannot be fetched is a
 * retryable 503 `SERVICE_UNAVAILABLE`: the token may be fine.
 */
export class JwtVerifier {
  readonly #settings: JwtSettings;
  readonly #keys: JWTVerifyGetKey;

  constructor(settings: JwtSettings) {
    this.#settings = settings;
    this.#keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: jwksTimeoutMillis,
      cooldownDuration: settings.jwksCooldownSeconds * 1_000,
      cacheMaxAge: settings.jwksCacheSeconds * 1_000,
    });
  }

  /** The caller a valid token stands for (without a request id), or a `ServiceError` (401, or 503 when the keys cannot be fetched). */
  async verify(token: string): Promise<Omit<RequestContext, "requestId">> {
    const settings = this.#settings;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: settings.issuer,
        audience: [...settings.audiences],
        algorithms: [...settings.algorithms],
        clockTolerance: settings.clockToleranceSeconds,
        // A token without an expiry would be valid forever; one without a subject could not be audited.
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw this.#translate(error);
    }
    const tenant = claimAt(payload, settings.tenantClaim);
    if (typeof tenant !== "string" || tenant === "") throw unauthenticated(`The token has no tenant: its "${settings.tenantClaim}" claim must be a tenant id.`);
    if (!tenantIdPattern.test(tenant)) throw unauthenticated(`The token's "${settings.tenantClaim}" claim is not a valid tenant id (lower-case letters, digits and dashes).`);
    const granted = rolesOf(claimAt(payload, settings.rolesClaim), settings.roleMap);
    if (granted.length === 0) {
      throw unauthenticated(`The token grants no role: its "${settings.rolesClaim}" claim names none of ${directRoles.join(", ")}${settings.roleMap.size > 0 ? " nor a name of JWT_ROLE_MAP" : ""}.`);
    }
    return { tenantId: tenant, apiKeyId: subjectId(String(payload.sub)), roles: granted };
  }

  #translate(error: unknown): ServiceError {
    if (error instanceof errors.JWTExpired) return unauthenticated("The token has expired.");
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.reason === "missing") return unauthenticated(`The token has no "${error.claim}" claim.`);
      if (error.claim === "iss") return unauthenticated("The token's issuer is not accepted.");
      if (error.claim === "aud") return unauthenticated("The token's audience is not accepted.");
      if (error.claim === "nbf") return unauthenticated("The token is not valid yet (nbf).");
      return unauthenticated(`The token's "${error.claim}" claim is not valid.`);
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated(`The token's algorithm is not accepted; accepted: ${this.#settings.algorithms.join(", ")}.`);
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSMultipleMatchingKeys) return unauthenticated("The token's signature is not valid.");
    if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated("The token is signed with a key the issuer does not publish.");
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.code === "ERR_JOSE_GENERIC") {
      // Timeout, network failure, a non-200 answer or a malformed key set: the provider's side.
      return new ServiceError(ErrorCode.ServiceUnavailable, "The identity provider's signing keys cannot be fetched now; try again shortly.", { httpStatus: 503, cause: error });
    }
    // JWSInvalid, JWTInvalid, JOSENotSupported...: the token is malformed.
    return unauthenticated("The token is not a valid JWT.");
  }
}

/**
 * The value at `path` in the claims: a top-level claim of that exact name first (namespaced claims
 * such as `https://example.com/tenant` contain dots), else the dot path (`realm_access.roles`).
 */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Our roles named by a roles claim (array, or space- or comma-separated string); unknown names are ignored. */
export function rolesOf(claim: unknown, roleMap: ReadonlyMap<string, Role>): Role[] {
  const names = Array.isArray(claim) ? claim.filter((name): name is string => typeof name === "string") : typeof claim === "string" ? claim.split(/[\s,]+/) : [];
  const granted = new Set<Role>();
  for (const name of names) {
    const mapped = roleMap.get(name) ?? (directRoles.includes(name as Role) ? (name as Role) : undefined);
    if (mapped !== undefined) granted.add(mapped);
  }
  return [...granted];
}

/** `jwt:<sub>`: short and safe to log; a subject with other characters (or longer) is replaced by a hash of it. */
function subjectId(subject: string): string {
  return safeSubjectPattern.test(subject) ? `jwt:${subject}` : `jwt:sha256:${createHash("sha256").update(subject, "utf8").digest("hex").slice(0, 32)}`;
}

function unauthenticated(message: string): ServiceError {
  return new ServiceError(ErrorCode.Unauthenticated, message, { httpStatus: 401 });
}

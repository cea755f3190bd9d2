import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestContext } from "../platform/context/request-context.ts";
import { ErrorCode } from "../platform/errors/error-code.ts";
import { ServiceError } from "../platform/errors/service-error.ts";
import { effectiveRoles, hashApiKey, looksLikeApiKey } from "../platform/api-keys/api-key.ts";
import type { ApiKeyStore } from "../platform/api-keys/api-key-store.ts";
import { looksLikeJwt, type JwtVerifier } from "./jwt/jwt-verifier.ts";

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What authenticates callers: the API key store and, when JWT_JWKS_URL is set, the JWT verifier.
 * One object handed to every path (HTTP admission, the WebSocket's `connection_init` and its
 * per-operation checks), so each applies the same rules.
 */
export interface CredentialStore extends ApiKeyStore {
  readonly jwt?: JwtVerifier | undefined;
}

/** `apiKeys` with the JWT verifier beside it (the store's methods are delegated as they are). */
export function withJwtVerifier(apiKeys: ApiKeyStore, jwt: JwtVerifier | undefined): CredentialStore {
  return {
    findByHash: (hash) => apiKeys.findByHash(hash),
    create: (record) => apiKeys.create(record),
    list: () => apiKeys.list(),
    setRoles: (id, roles) => apiKeys.setRoles(id, roles),
    revoke: (id) => apiKeys.revoke(id),
    count: () => apiKeys.count(),
    checkHealth: () => apiKeys.checkHealth(),
    close: () => apiKeys.close(),
    jwt,
  };
}

/**
 * Establishes who is calling from `Authorization: Bearer <credential>`:
 *
 * - an API key (`aig_…`): looked up by hash; every failure reads the same to the client (no hint
 *   whether a key exists);
 * - a JWT (three base64url parts), when the store has a verifier (JWT_JWKS_URL): signature, issuer,
 *   audience and expiry checked, tenant and roles read from its claims (gateway/jwt/); the message
 *   says what is wrong with the token. Its `apiKeyId` is `jwt:<sub>`.
 *
 * Failures are 401 `UNAUTHENTICATED`; a store or key set that cannot be reached is a retryable 503.
 */
export async function authenticate(
  authorization: string | undefined,
  requestIdHeader: string | undefined,
  store: CredentialStore,
  /** Where the credentials came from, for the error message. */
  source = "the Authorization header",
): Promise<RequestContext> {
  const shape = store.jwt === undefined ? "`Bearer <api key>`" : "`Bearer <api key or JWT>`";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const credential = match?.[1];
  if (credential === undefined) {
    throw unauthenticated(authorization === undefined ? `Missing credentials: send ${shape} in ${source}.` : `${capitalize(source)} must be ${shape}.`);
  }
  const requestId = requestIdHeader !== undefined && requestIdPattern.test(requestIdHeader) ? requestIdHeader : randomUUID();
  if (looksLikeJwt(credential)) {
    if (store.jwt === undefined) throw unauthenticated("JSON Web Tokens are not accepted here; send an API key.");
    return { requestId, ...(await store.jwt.verify(credential)) };
  }
  const record = looksLikeApiKey(credential) ? await store.findByHash(hashApiKey(credential)) : undefined;
  if (record === undefined) throw unauthenticated("The API key is not valid.");
  return {
    requestId,
    tenantId: record.tenantId,
    apiKeyId: record.id,
    roles: effectiveRoles(record.roles),
  };
}

export function authenticateRequest(request: IncomingMessage, store: CredentialStore): Promise<RequestContext> {
  const requestId = request.headers["x-request-id"];
  return authenticate(request.headers.authorization, typeof requestId === "string" ? requestId : undefined, store);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function unauthenticated(message: string): ServiceError {
  return new ServiceError(ErrorCode.Unauthenticated, message, { httpStatus: 401 });
}

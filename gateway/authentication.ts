import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestContext } from "../platform/context/request-context.ts";
import { ErrorCode } from "../platform/errors/error-code.ts";
import { ServiceError } from "../platform/errors/service-error.ts";
import { effectiveRoles, hashApiKey, looksLikeApiKey } from "../platform/api-keys/api-key.ts";
import type { ApiKeyStore } from "../platform/api-keys/api-key-store.ts";

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Establishes who is calling from `Authorization: Bearer <api key>`. Every failure reads the same
 * to the client (no hint whether a key exists), with status 401.
 */
export async function authenticate(
  authorization: string | undefined,
  requestIdHeader: string | undefined,
  store: ApiKeyStore,
  /** Where the credentials came from, for the error message. */
  source = "the Authorization header",
): Promise<RequestContext> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const key = match?.[1];
  if (key === undefined) {
    throw unauthenticated(authorization === undefined ? `Missing credentials: send \`Bearer <api key>\` in ${source}.` : `${capitalize(source)} must be \`Bearer <api key>\`.`);
  }
  const record = looksLikeApiKey(key) ? await store.findByHash(hashApiKey(key)) : undefined;
  if (record === undefined) throw unauthenticated("The API key is not valid.");
  return {
    requestId: requestIdHeader !== undefined && requestIdPattern.test(requestIdHeader) ? requestIdHeader : randomUUID(),
    tenantId: record.tenantId,
    apiKeyId: record.id,
    roles: effectiveRoles(record.roles),
  };
}

export function authenticateRequest(request: IncomingMessage, store: ApiKeyStore): Promise<RequestContext> {
  const requestId = request.headers["x-request-id"];
  return authenticate(request.headers.authorization, typeof requestId === "string" ? requestId : undefined, store);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function unauthenticated(message: string): ServiceError {
  return new ServiceError(ErrorCode.Unauthenticated, message, { httpStatus: 401 });
}

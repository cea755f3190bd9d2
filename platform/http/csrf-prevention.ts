import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import type { AdmitRequest, RefusedRequest } from "./request-admission.ts";

/** Content types a browser sends cross-origin without a preflight (the Fetch standard's CORS-safelisted ones). */
const simpleContentTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/** Headers only a page's own script can set (so a browser preflights them): Apollo Server's recommended pair. */
export const csrfPreventionHeaders = ["apollo-require-preflight", "x-apollo-operation-name"];

/**
 * Cross-site request forgery prevention for a service whose only credential is a bearer token in
 * `Authorization` (API keys, JWTs), in place of Apollo Server's `csrfPrevention` (turn that off).
 *
 * Apollo's rule, kept: a request a browser could send from another site without a CORS preflight
 * (no Content-Type, or a form or text/plain one) runs only when it carries `apollo-require-preflight`
 * or `x-apollo-operation-name` (non-empty), which a page's script can set only after a preflight
 * that the CORS policy approved. Otherwise: 400 `BAD_REQUEST`, before the body is read.
 *
 * One addition: a GET with `Authorization: Bearer …` runs without those headers, so GraphQL
 * clients' default GET queries work (urql's `preferGetMethod`, persisted-document GETs). Why it is
 * safe: CSRF needs a credential the browser attaches on its own (cookies, HTTP Basic/Digest,
 * Negotiate, TLS client certificates), and bearer tokens are never one: a page can only set
 * `Authorization` from script, which makes the request non-simple (preflighted) when it crosses
 * origins. A forged request therefore arrives without a token and is refused 401 before anything
 * runs. GET can only run queries (Apollo Server refuses a mutation over GET with 405), so the
 * addition reaches no side effect even if a future credential were ambient. POSTs keep Apollo's
 * rule unchanged: every GraphQL client sends them as `application/json`.
 */
export function csrfRefusal(request: IncomingMessage): RefusedRequest | undefined {
  // Other methods (PUT, DELETE) are always preflighted when they cross origins.
  if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "POST") return undefined;
  const contentType = request.headers["content-type"];
  if (contentType !== undefined) {
    const essence = (contentType.split(";")[0] ?? "").trim().toLowerCase();
    // Any other type (application/json...) was preflighted if a browser sent it cross-origin.
    if (!simpleContentTypes.includes(essence)) return undefined;
  }
  if (csrfPreventionHeaders.some((name) => (headerValue(request, name) ?? "") !== "")) return undefined;
  if (request.method === "GET" && /^Bearer\s+\S/i.test(headerValue(request, "authorization") ?? "")) return undefined;
  const error = new ServiceError(
    ErrorCode.BadRequest,
    "This request has been blocked as a potential cross-site request forgery (CSRF): send POST with `Content-Type: application/json`, " +
      "send GET with `Authorization: Bearer …`, or add a non-empty `apollo-require-preflight` (or `x-apollo-operation-name`) header.",
    { httpStatus: 400 },
  );
  return { admitted: false, status: 400, error, headers: {} };
}

/**
 * `admitRequest` followed by the CSRF check: credentials first, so a request without them hears
 * 401 (what to fix first) and counts against its address's rate limit; an admitted request that
 * fails the check gives its rate-limit slot back.
 */
export function withCsrfPrevention<Admitted>(admitRequest: AdmitRequest<Admitted>): AdmitRequest<Admitted> {
  return async (request) => {
    const admission = await admitRequest(request);
    if (!admission.admitted) return admission;
    const refusal = csrfRefusal(request);
    if (refusal === undefined) return admission;
    admission.release();
    return { ...refusal, headers: admission.headers };
  };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

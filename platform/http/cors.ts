import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../errors/error-code.ts";

/**
 * Which web pages may call the service from a browser (CORS). The gateway's come from
 * CORS_ORIGINS and CORS_MAX_AGE_SECONDS (gateway/cors/cors-settings.ts).
 */
export interface CorsSettings {
  /**
   * Exact origins (`https://app.example.com`: scheme, host and port, no path) whose pages may call
   * the service; `["*"]`: any page, without credentials (the CORS standard forbids `*` together
   * with `Access-Control-Allow-Credentials`). Empty: none (preflights are refused with 403).
   */
  allowedOrigins: readonly string[];
  /** How long a browser may cache a preflight's answer (`Access-Control-Max-Age`), in seconds. */
  maxAgeSeconds: number;
}

/** The methods GraphQL over HTTP uses, with PUT and DELETE of graphql-sse's single connection mode. */
const allowedMethods = "GET, POST, PUT, DELETE";

/**
 * Request headers a page may send (`Access-Control-Allow-Headers`): credentials, the body's type,
 * the CSRF-prevention headers Apollo's clients send, a request id to correlate logs, Apollo
 * Client's client-awareness headers, and the token graphql-sse sends in its single-connection mode.
 */
export const corsAllowedRequestHeaders = [
  "authorization",
  "content-type",
  "accept",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "x-request-id",
  "apollographql-client-name",
  "apollographql-client-version",
  "x-graphql-event-stream-token",
];

/**
 * Response headers a page may read (`Access-Control-Expose-Headers`) beyond the CORS-safelisted
 * ones (Content-Type, Cache-Control...): the request id to quote in a report, and the rate-limit
 * headers with `Retry-After`, so a client can back off as told.
 */
export const corsExposedResponseHeaders = ["x-request-id", "ratelimit", "ratelimit-policy", "retry-after"];

/**
 * Applies the CORS policy to one request, before it is routed:
 *
 * - An allowed origin gets `Access-Control-Allow-Origin` (its own origin, echoed), `-Allow-Credentials`
 *   and `-Expose-Headers` on every response, errors included, so the page can read refusals.
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here: 204 with the
 *   allowed methods and headers and `Access-Control-Max-Age` for an allowed origin; 403
 *   (`FORBIDDEN`, no CORS headers: the browser blocks the call) for any other.
 * - Any other origin, or none (curl, servers), gets no CORS headers and is served as before: a
 *   browser then hides the answer from the page. Refusing such requests would protect nothing: a
 *   cross-origin request that carries credentials (`Authorization` is not CORS-safelisted) must
 *   pass the preflight first.
 * - Every response says `Vary: Origin` (an exact-origin list answers each origin differently), so
 *   caches never serve one page's answer to another.
 *
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(settings: CorsSettings, request: IncomingMessage, response: ServerResponse): boolean {
  const anyOrigin = settings.allowedOrigins.length === 1 && settings.allowedOrigins[0] === "*";
  const origin = typeof request.headers.origin === "string" ? request.headers.origin : undefined;
  const allowed = origin !== undefined && (anyOrigin || settings.allowedOrigins.includes(origin));
  if (!anyOrigin) response.setHeader("vary", "Origin");
  if (allowed) {
    response.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
    if (!anyOrigin) response.setHeader("access-control-allow-credentials", "true");
    response.setHeader("access-control-expose-headers", corsExposedResponseHeaders.join(", "));
  }
  const preflight = request.method === "OPTIONS" && origin !== undefined && request.headers["access-control-request-method"] !== undefined;
  if (!preflight) return false;
  if (!allowed) {
    const text = JSON.stringify({
      errors: [
        {
          message: `Pages of ${origin} may not call this API from a browser: the origin is not in CORS_ORIGINS.`,
          extensions: { code: ErrorCode.Forbidden, retryable: false },
        },
      ],
    });
    // The exposed-headers of an allowed origin were not set; nothing tells the browser to go on.
    response.writeHead(403, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
    response.end(text);
    return true;
  }
  response.writeHead(204, {
    "access-control-allow-methods": allowedMethods,
    "access-control-allow-headers": corsAllowedRequestHeaders.join(", "),
    "access-control-max-age": String(settings.maxAgeSeconds),
    "content-length": "0",
  });
  response.end();
  return true;
}

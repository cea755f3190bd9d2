import type { IncomingMessage, ServerResponse } from "node:http";
import type { GraphQLError } from "graphql";
import { noteResponseErrors } from "../logging/request-scope.ts";

/**
 * A check that runs on a request's headers, before its body is read: authentication and rate
 * limits. A refused request is answered at once, without the server reading (or buffering) a
 * body it would only throw away, so an unauthenticated client cannot make the server read
 * megabytes per request.
 */
export type AdmitRequest<Admitted> = (request: IncomingMessage) => Promise<RequestAdmission<Admitted>>;

/** The same check for WebSocket upgrade requests: `undefined` lets the upgrade proceed. */
export type AdmitUpgrade = (request: IncomingMessage) => Promise<RefusedRequest | undefined>;

export type RequestAdmission<Admitted> = AdmittedRequest<Admitted> | RefusedRequest;

export interface AdmittedRequest<Admitted> {
  admitted: true;
  /** What the check established (the caller), handed to the context function so it is not looked up twice. */
  value: Admitted;
  /** Added to the response (for example the rate-limit headers). */
  headers: Readonly<Record<string, string>>;
  /** Called once when the request is over, however it ended (frees a concurrency slot). */
  release: () => void;
}

export interface RefusedRequest {
  admitted: false;
  /** HTTP status: 401, 429, 503... */
  status: number;
  /** Sent as the only entry of `errors`; its extensions carry the stable code. */
  error: GraphQLError;
  /** Added to the response (for example `Retry-After`). */
  headers: Readonly<Record<string, string>>;
}

/**
 * Answers a refused request with a GraphQL-shaped error body and closes the connection
 * (`Connection: close`): the request body, if any, was never read, and reading it to keep the
 * connection alive is exactly the work the refusal avoids.
 */
export function writeRefusal(response: ServerResponse, refusal: RefusedRequest): void {
  noteResponseErrors([refusal.error]); // for the request's access line (platform/logging/access-log.ts)
  const { http: _http, ...extensions } = refusal.error.extensions;
  const text = JSON.stringify({ errors: [{ message: refusal.error.message, extensions }] });
  response.writeHead(refusal.status, {
    ...refusal.headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    connection: "close",
  });
  response.end(text);
}

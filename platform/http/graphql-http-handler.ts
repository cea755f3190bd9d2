import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { noteResponseErrors } from "../logging/request-scope.ts";
import { assertDeclaredLength, readJsonBody, RequestBodyError } from "./read-json-body.ts";
import { writeRefusal, type AdmitRequest, type RequestAdmission } from "./request-admission.ts";

export interface GraphQLHttpHandlerOptions<Context extends BaseContext, Admitted> {
  /** Largest accepted request body, in bytes. */
  maximumBodyBytes: number;
  /**
   * Most operations one batched request (a JSON array) may carry; more get 400
   * MAX_BATCH_OPERATIONS_EXCEEDED before any runs. Default 1: Apollo Server's own refusal of
   * batches stands unless the server enables them (`allowBatchedHttpRequests`).
   */
  maximumBatchOperations?: number;
  /**
   * Runs on the headers, before the body is read (authentication, rate limits); a refusal is the
   * response. Without it every request is admitted and the context gets `undefined`.
   */
  admitRequest?: AdmitRequest<Admitted>;
  /**
   * Builds the context of one operation from what `admitRequest` established; a thrown
   * `GraphQLError` becomes the response. `signal` aborts when the client goes away before the
   * response is sent, so resolvers can stop engine work.
   */
  context: (request: IncomingMessage, signal: AbortSignal, admitted: Admitted | undefined) => Promise<Context>;
  /**
   * Rewrites the operation before Apollo sees it (the gateway's persisted documents put the
   * manifest's document in place of a `documentId`); a thrown `ServiceError` is the response, with
   * its `http.status` (default 400).
   */
  prepareOperation?: (operation: { body: unknown; search: string }) => Promise<{ body: unknown; search: string }>;
  /**
   * Other protocols served on the same URL (the gateway's GraphQL over SSE and multipart
   * subscriptions); see `StreamingTransport`. Without it, only GraphQL over HTTP is served.
   */
  streamingTransport?: StreamingTransport<Admitted>;
}

/** One request handed to a `StreamingTransport`, after admission. */
export interface StreamingExchange<Admitted> {
  request: IncomingMessage;
  response: ServerResponse;
  /** What `admitRequest` established (the caller). */
  admitted: Admitted | undefined;
}

/**
 * Another protocol on the GraphQL URL. Requests it `claims` on their method and headers (before the
 * method check) are admitted as usual, then `serve`d by it; other requests may still be taken by
 * `serveOperation` once their operation is read and prepared, before Apollo sees them.
 */
export interface StreamingTransport<Admitted> {
  claims(request: IncomingMessage): boolean;
  /**
   * Answers a claimed request. `readOperation` reads the body and runs `prepareOperation` as for
   * any request; when that fails it answers the request itself (413, 400...) and returns undefined.
   */
  serve(exchange: StreamingExchange<Admitted> & { readOperation: () => Promise<{ body: unknown; search: string } | undefined> }): Promise<void>;
  /** Answers the operation and resolves true, or resolves false to leave it to Apollo. */
  serveOperation?(exchange: StreamingExchange<Admitted> & { operation: { body: unknown; search: string } }): Promise<boolean>;
}

/** The methods GraphQL over HTTP uses; others get 405. */
const allowedMethods = "GET, POST";

/**
 * Serves an Apollo Server on a plain node:http server. Apollo Server 5 leaves the HTTP layer to
 * integrations; owning it lets the same port carry health checks and WebSockets, and lets a request
 * be refused on its headers (wrong method, no valid key, over a rate limit) before its body is read.
 */
export function createGraphQLHttpHandler<Context extends BaseContext, Admitted>(
  server: ApolloServer<Context>,
  options: GraphQLHttpHandlerOptions<Context, Admitted>,
): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> {
  // `url`: the request's target, parsed once by the server (service-server.ts).
  return async (request, response, url) => {
    const method = request.method ?? "GET";
    const streaming = options.streamingTransport?.claims(request) === true;
    if (!streaming && method !== "GET" && method !== "POST") {
      const error = new ServiceError(ErrorCode.BadRequest, `GraphQL is served over GET and POST, not ${method}.`);
      writeRefusal(response, { admitted: false, status: 405, error, headers: { allow: allowedMethods } });
      return;
    }
    const admission: RequestAdmission<Admitted | undefined> =
      options.admitRequest === undefined ? { admitted: true, value: undefined, headers: {}, release: () => {} } : await options.admitRequest(request);
    if (!admission.admitted) {
      writeRefusal(response, admission);
      return;
    }
    try {
      for (const [name, value] of Object.entries(admission.headers)) response.setHeader(name, value);
      if (streaming && options.streamingTransport !== undefined) {
        await options.streamingTransport.serve({ request, response, admitted: admission.value, readOperation: () => readOperation(request, response, url, options) });
        return;
      }
      let body: unknown;
      try {
        assertDeclaredLength(request, options.maximumBodyBytes);
        // The client waits for this before sending its body (`Expect: 100-continue`, as curl does for large ones).
        if (/100-continue/i.test(request.headers.expect ?? "")) response.writeContinue();
        body = await readJsonBody(request, options.maximumBodyBytes);
      } catch (error) {
        if (!(error instanceof RequestBodyError)) throw error;
        // 413: the rest of the body is left unread, so the connection cannot carry another request.
        const headers: Record<string, string> = error.status === 413 ? { connection: "close" } : {};
        writeJson(response, error.status, { errors: [{ message: error.message, extensions: { code: error.code, retryable: false, ...error.details } }] }, headers);
        return;
      }
      const maximumBatchOperations = options.maximumBatchOperations ?? 1;
      if (Array.isArray(body) && body.length > maximumBatchOperations) {
        const message =
          maximumBatchOperations === 1
            ? `Batched requests are not accepted here; send the ${body.length} operations one by one.`
            : `A batched request may carry at most ${maximumBatchOperations} operations, not ${body.length}.`;
        writeJson(response, 400, { errors: [{ message, extensions: { code: ErrorCode.MaxBatchOperationsExceeded, retryable: false, maximum: maximumBatchOperations, found: body.length } }] });
        return;
      }
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const clientGone = new AbortController();
      response.once("close", () => {
        if (!response.writableFinished) clientGone.abort(new Error("the client closed the connection"));
      });
      let operation = { body, search: url.search };
      if (options.prepareOperation !== undefined) {
        try {
          operation = await options.prepareOperation(operation);
        } catch (error) {
          if (!(error instanceof ServiceError)) throw error;
          const status = (error.extensions.http as { status?: number } | undefined)?.status ?? 400;
          const { http: _http, ...extensions } = error.extensions;
          writeJson(response, status, { errors: [{ message: error.message, extensions }] });
          return;
        }
      }
      if (options.streamingTransport?.serveOperation !== undefined && (await options.streamingTransport.serveOperation({ request, response, admitted: admission.value, operation }))) return;
      const result = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: operation.search, body: operation.body },
        context: () => options.context(request, clientGone.signal, admission.value),
      });
      for (const [name, value] of result.headers) response.setHeader(name, value);
      response.statusCode = result.status ?? 200;
      if (result.body.kind === "complete") {
        response.end(result.body.string);
        return;
      }
      for await (const chunk of result.body.asyncIterator) {
        response.write(chunk);
      }
      response.end();
    } finally {
      admission.release();
    }
  };
}

/** The body and query string of a request claimed by a `StreamingTransport`, read and prepared as for GraphQL over HTTP; undefined once a refusal was written. */
async function readOperation<Context extends BaseContext, Admitted>(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: GraphQLHttpHandlerOptions<Context, Admitted>,
): Promise<{ body: unknown; search: string } | undefined> {
  try {
    assertDeclaredLength(request, options.maximumBodyBytes);
    if (/100-continue/i.test(request.headers.expect ?? "")) response.writeContinue();
    const body = await readJsonBody(request, options.maximumBodyBytes);
    const operation = { body, search: url.search };
    return options.prepareOperation === undefined ? operation : await options.prepareOperation(operation);
  } catch (error) {
    if (error instanceof RequestBodyError) {
      writeJson(response, error.status, { errors: [{ message: error.message, extensions: { code: error.code, retryable: false, ...error.details } }] }, error.status === 413 ? { connection: "close" } : {});
      return undefined;
    }
    if (!(error instanceof ServiceError)) throw error;
    const status = (error.extensions.http as { status?: number } | undefined)?.status ?? 400;
    const { http: _http, ...extensions } = error.extensions;
    writeJson(response, status, { errors: [{ message: error.message, extensions }] });
    return undefined;
  }
}

export function writeJson(response: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  noteResponseErrors(value); // for the request's access line (platform/logging/access-log.ts)
  const text = JSON.stringify(value);
  response.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

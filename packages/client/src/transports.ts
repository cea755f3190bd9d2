import type { GraphQLFormattedError } from "graphql";
import { createClient as createSseClient, NetworkError, type Client as SseClient } from "graphql-sse";
import { createClient as createWebSocketClient, type Client as WebSocketClient } from "graphql-ws/client";
import { ClientErrorCode, GraphClientError } from "./graph-client-error.js";
import { ErrorCode } from "./generated/schema-enums.js";
import type { ResultSink } from "./sink-iterator.js";

/** One GraphQL result as a transport delivers it. */
export interface WireResult {
  data?: unknown;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

export interface SubscriptionRequest {
  /** The document's text; `""` when only `documentId` is sent (graphql-ws requires the field). */
  query: string;
  /** A persisted document's id (`sha256:<hex>`), sent instead of the text. */
  documentId?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** Starts an operation whose results go to `sink`; returns the function that stops it. */
export type Subscriber = (request: SubscriptionRequest, sink: ResultSink<WireResult>) => () => void;

/** The body of an answer as a GraphQL response, or undefined when it is not one. */
export function parseGraphQLResponse(text: string): WireResult | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { data, errors, extensions } = body as Record<string, unknown>;
  const hasErrors = Array.isArray(errors) && errors.length > 0;
  if (data === undefined && !hasErrors) return undefined;
  if (errors !== undefined && !Array.isArray(errors)) return undefined;
  return {
    ...(data === undefined ? {} : { data }),
    ...(hasErrors ? { errors: errors as GraphQLFormattedError[] } : {}),
    ...(typeof extensions === "object" && extensions !== null ? { extensions: extensions as Record<string, unknown> } : {}),
  };
}

/** A clear error for an answer that is not a GraphQL response: the HTTP status and the start of the body. */
export function notGraphQLResponse(url: string, status: number, statusText: string, contentType: string | null, text: string): GraphClientError {
  const excerpt = text.replace(/\s+/g, " ").trim().slice(0, 200);
  const what = `HTTP ${status}${statusText ? ` ${statusText}` : ""} from ${url}`;
  const body = excerpt.length === 0 ? "an empty body" : `a body that is not a GraphQL response (${contentType ?? "no content type"}): ${excerpt}`;
  const ok = status >= 200 && status < 300;
  return GraphClientError.transport(ok ? ClientErrorCode.InvalidResponse : ClientErrorCode.HttpError, `${what} with ${body}`, status);
}

/** graphql-ws close codes the gateway uses, as the codes of the errors they mean. */
const closeCodes: Record<number, { code: ErrorCode; retryable: boolean }> = {
  4400: { code: ErrorCode.BadRequest, retryable: false },
  4401: { code: ErrorCode.Unauthenticated, retryable: false },
  4403: { code: ErrorCode.Forbidden, retryable: false },
  4500: { code: ErrorCode.InternalServerError, retryable: false },
  1013: { code: ErrorCode.ServiceUnavailable, retryable: true },
};

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number" && typeof (value as { reason?: unknown }).reason === "string";
}

function isGraphQLErrors(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.every((item) => typeof item === "object" && item !== null && typeof (item as { message?: unknown }).message === "string");
}

/** What graphql-ws reports to a sink's `error`: GraphQL errors, a close event, or an Error. */
export function webSocketFailure(error: unknown): GraphClientError {
  if (error instanceof GraphClientError) return error;
  if (isGraphQLErrors(error)) return new GraphClientError(error);
  if (isCloseEvent(error)) {
    const known = closeCodes[error.code];
    const message = error.reason.length > 0 ? error.reason : `The WebSocket closed (code ${error.code}).`;
    if (known !== undefined) return new GraphClientError([{ message, extensions: { code: known.code, retryable: known.retryable } }], undefined, { cause: error });
    return GraphClientError.transport(ClientErrorCode.NetworkError, `The WebSocket closed before the operation ended (code ${error.code}${error.reason ? `: ${error.reason}` : ""}).`, undefined, error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return GraphClientError.transport(ClientErrorCode.NetworkError, `The WebSocket failed: ${message}`, undefined, error);
}

/** What graphql-sse reports to a sink's `error`; a refused request's body is read for its GraphQL errors. */
export async function sseFailure(error: unknown, url: string): Promise<GraphClientError> {
  if (error instanceof GraphClientError) return error;
  if (isGraphQLErrors(error)) return new GraphClientError(error);
  if (error instanceof NetworkError && error.response !== undefined) {
    const response = error.response as unknown as Response;
    let text = "";
    try {
      text = await response.text();
    } catch {
      // The body is gone; the status still says what happened.
    }
    const parsed = parseGraphQLResponse(text);
    if (parsed?.errors !== undefined) return new GraphClientError(parsed.errors, response.status);
    return notGraphQLResponse(url, response.status, response.statusText, response.headers.get("content-type"), text);
  }
  const message = error instanceof Error ? error.message : String(error);
  return GraphClientError.transport(ClientErrorCode.NetworkError, `The event stream failed: ${message}`, undefined, error);
}

export interface WebSocketSettings {
  url: string;
  webSocketImpl: unknown;
  connectionParams: () => Promise<Record<string, unknown>>;
}

/** One graphql-ws client, connected while operations run (lazy) and never re-subscribing on its own. */
export function webSocketSubscriber(settings: WebSocketSettings): { subscribe: Subscriber; dispose: () => Promise<void> } {
  let client: WebSocketClient | undefined;
  const connect = (): WebSocketClient => {
    if (client !== undefined) return client;
    const webSocketImpl = settings.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (webSocketImpl === undefined) {
      throw new TypeError("No WebSocket implementation: pass `webSocketImpl` (on Node 20, `import WebSocket from \"ws\"`) or use `transport: \"sse\"`.");
    }
    client = createWebSocketClient({
      url: settings.url,
      webSocketImpl,
      connectionParams: settings.connectionParams,
      lazy: true,
      // A retried subscription would start the operation again (a second generation of the same
      // completion): failures reach the caller, who decides.
      retryAttempts: 0,
    });
    return client;
  };
  return {
    subscribe: (request, sink) => {
      const stop = connect().subscribe<Record<string, unknown>>(request, {
        next: (result) => sink.next(result as WireResult),
        error: (error) => sink.error(webSocketFailure(error)),
        complete: () => sink.complete(),
      });
      return stop;
    },
    dispose: async () => {
      const open = client;
      client = undefined;
      await open?.dispose();
    },
  };
}

export interface SseSettings {
  url: string;
  headers: () => Promise<Record<string, string>>;
  fetch: typeof fetch;
}

/** A graphql-sse client in distinct connections mode: one `POST` with `accept: text/event-stream` per operation. */
export function sseSubscriber(settings: SseSettings): { subscribe: Subscriber; dispose: () => void } {
  let client: SseClient | undefined;
  const connect = (): SseClient => {
    client ??= createSseClient({
      url: settings.url,
      headers: settings.headers,
      fetchFn: settings.fetch,
      retryAttempts: 0,
    });
    return client;
  };
  return {
    subscribe: (request, sink) => {
      let stopped = false;
      const stop = connect().subscribe<Record<string, unknown>>(request, {
        next: (result) => sink.next(result as WireResult),
        error: (error) => {
          if (stopped) return;
          void sseFailure(error, settings.url).then((failure) => sink.error(failure));
        },
        complete: () => sink.complete(),
      });
      return () => {
        stopped = true;
        stop();
      };
    },
    dispose: () => {
      const open = client;
      client = undefined;
      open?.dispose();
    },
  };
}

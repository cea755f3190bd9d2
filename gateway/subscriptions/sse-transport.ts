import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getOperationAST, OperationTypeNode, type FormattedExecutionResult } from "graphql";
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type ExecutionResult, type Handler, type Request as SseRequest, type RequestParams, type Response as SseResponse } from "graphql-sse";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { StreamingExchange } from "../../platform/http/graphql-http-handler.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { OperationExecutor } from "./gateway-websocket.ts";
import { RunningSet } from "../../platform/lifecycle/running-set.ts";
import { restartingError, tooManyOperations } from "./subscription-errors.ts";
import type { ResolvedSubscriptionOptions } from "./subscription-options.ts";
import type { SubscriptionStarter } from "./subscription-starter.ts";
import { writeChunk } from "./response-write.ts";
import { singleResult, StreamedResults, StreamFlow, subscriptionSource, type ResultSource } from "./streamed-results.ts";

export interface SseTransportSettings {
  starter: SubscriptionStarter;
  /** Runs queries and mutations sent over SSE through Apollo Server, as over HTTP. */
  executeOperation: OperationExecutor;
  options: ResolvedSubscriptionOptions;
  logger: Logger;
}

/** A single-connection-mode reservation (`PUT`): its token, whose key made it, the stream's operations. */
interface Reservation {
  token: string;
  apiKeyId: string;
  flow: StreamFlow;
  /** Operations running on the stream now (subscriptions, queries). */
  operations: number;
  /** The event stream (`GET`) is open. */
  connected: boolean;
  expiry: NodeJS.Timeout | undefined;
  /** Being disposed: lets the gateway's own disposing request through `authenticate`. */
  expiring: boolean;
}

/** What one HTTP request carries through graphql-sse's callbacks. */
interface SseRequestContext {
  caller: RequestContext;
  /** Where the request's results are paced: its reservation's stream, or its own (distinct connections). */
  flow: StreamFlow;
  /** Set for a request naming a reservation (or making one). */
  reservation: Reservation | undefined;
}

/** The media type of GraphQL over SSE, and whether a request's `Accept` lists it. */
const eventStream = "text/event-stream";

/**
 * Whether a request is GraphQL over SSE (graphql-sse's protocol), on its method and headers: it
 * accepts `text/event-stream` (an operation in distinct connections mode, or the event stream of a
 * reservation), or it belongs to single connection mode (a `PUT` reservation, or any request
 * naming a reservation's token: operations, `DELETE` of one).
 */
export function isSseRequest(request: IncomingMessage): boolean {
  if (request.method === "PUT") return true;
  if (acceptsEventStream(request.headers.accept)) return true;
  return tokenOf(request) !== undefined;
}

/**
 * Whether the client prefers an event stream: `text/event-stream` is listed, and no JSON type before
 * it. urql's fetches list `application/graphql-response+json` first and `text/event-stream` after
 * (it can read either): those get plain JSON, as for any client, not a stream of one event.
 */
function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  for (const range of accept.split(",")) {
    const type = range.split(";")[0]?.trim().toLowerCase();
    if (type === eventStream) return true;
    if (type === "application/graphql-response+json" || type === "application/json") return false;
  }
  return false;
}

function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers[TOKEN_HEADER_KEY];
  if (typeof header === "string" && header !== "") return header;
  const query = new URL(request.url ?? "/", "http://localhost").searchParams.get(TOKEN_QUERY_KEY);
  return query === null || query === "" ? undefined : query;
}

/**
 * graphql-sse compares `Accept` as a whole string; browsers and clients send lists
 * (`text/event-stream, application/json`...). The one it should act on, from the list.
 */
function normalizedAccept(accept: string | undefined): string | undefined {
  if (accept === undefined) return undefined;
  const ranges = accept.split(",").map((range) => range.split(";")[0]?.trim().toLowerCase() ?? "");
  for (const candidate of [eventStream, "*/*", "application/json", "application/*", "text/plain"]) {
    if (ranges.includes(candidate)) return candidate;
  }
  return accept;
}

/**
 * GraphQL over Server-Sent Events on the gateway's GraphQL URL, with graphql-sse's own handler
 * (its protocol, both modes):
 *
 * - Distinct connections mode: a `POST` (JSON body) or `GET` (query string) with
 *   `Accept: text/event-stream` is one operation; its results come as `next` events, then `complete`.
 * - Single connection mode: `PUT` reserves a stream and answers its token; `GET` with the token
 *   (`X-GraphQL-Event-Stream-Token` header or `?token=`) and `Accept: text/event-stream` opens it;
 *   each `POST` with the token and `extensions.operationId` starts an operation on it (202);
 *   `DELETE ?operationId=` stops one. A token works only for the API key that reserved it; a
 *   reservation whose stream is not opened within `sseReservationTimeoutMillis` is dropped.
 *
 * Every request is authenticated and rate limited before it gets here (the gateway's admission,
 * `Authorization: Bearer <api key>`): a refusal is a plain 401/429. Operations are checked, planned
 * and started by the `SubscriptionStarter` graphql-ws uses; refusals and failures arrive in the
 * stream as a last `{ errors }` result (the protocol has no error event), with the same codes.
 * One stream carries at most `maxOperationsPerConnection` operations. A client that goes away ends
 * its operations at once (the upstream subscription is cancelled).
 */
export class SseTransport {
  readonly #settings: SseTransportSettings;
  readonly #handler: Handler<IncomingMessage, SseRequestContext>;
  readonly #reservations = new Map<string, Reservation>();
  /** Operations running on some stream. */
  readonly #running = new RunningSet<StreamedResults>();
  /** Event streams being written. */
  readonly #streams = new Set<AsyncGenerator<string, void, undefined>>();
  #stopping = false;

  constructor(settings: SseTransportSettings) {
    this.#settings = settings;
    this.#handler = createHandler<IncomingMessage, SseRequestContext>({
      authenticate: (request) => this.#authenticate(request),
      // graphql-sse types results as graphql-js's; ours are already formatted (the same JSON).
      onSubscribe: async (request, params) => (await this.#onSubscribe(request, params)) as SseResponse | AsyncGenerator<ExecutionResult>,
    });
  }

  /** Operations running over SSE now. */
  get operationCount(): number {
    return this.#running.size;
  }

  /** Single-connection reservations held now (opened or not). */
  get reservationCount(): number {
    return this.#reservations.size;
  }

  /** Serves one admitted SSE request (see `isSseRequest`). */
  async serve({ request, response, admitted, readOperation }: StreamingExchange<RequestContext> & { readOperation: () => Promise<{ body: unknown; search: string } | undefined> }): Promise<void> {
    if (admitted === undefined) throw new Error("an SSE request reached the transport without admission");
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://localhost");
    let body: unknown = null;
    let search = url.search;
    if (method === "GET" || method === "POST") {
      // Read and prepared as any GraphQL request: size limit, persisted documents.
      const operation = await readOperation();
      if (operation === undefined) return;
      body = operation.body ?? null;
      search = operation.search;
    }
    const sseRequest: SseRequest<IncomingMessage, SseRequestContext> = {
      method,
      url: `${url.pathname}${search}`,
      headers: {
        get: (key) => {
          const value = request.headers[key.toLowerCase()];
          const text = Array.isArray(value) ? value.join(", ") : value;
          return key.toLowerCase() === "accept" ? normalizedAccept(text) : text;
        },
      },
      body: body as SseRequest["body"],
      raw: request,
      context: { caller: admitted, flow: new StreamFlow(), reservation: undefined },
    };
    let answer: SseResponse;
    try {
      answer = await this.#handler(sseRequest);
    } catch (error) {
      this.#settings.logger.error("GraphQL over SSE request failed", { error });
      answer = jsonResponse(500, "Internal server error", ErrorCode.InternalServerError);
    }
    // Clients quote it when reporting a problem, as for any request.
    response.setHeader("x-request-id", admitted.requestId);
    await this.#write(response, answer, sseRequest.context, method);
  }

  /** Gateway shutdown, first step: new streams (PUT) get 503 and new operations a last `SERVICE_UNAVAILABLE` result; running ones go on. */
  stopAccepting(): void {
    this.#stopping = true;
  }

  /** Resolves once no operation runs over SSE (streams of a single-connection reservation may still be open, idle). */
  whenIdle(): Promise<void> {
    return this.#running.whenEmpty();
  }

  /**
   * Gateway shutdown, last step (the grace period is over): every operation still running ends with
   * a last `SERVICE_UNAVAILABLE` result (retryable, `extensions.reason: "SERVER_RESTARTING"`), then
   * every stream closes.
   */
  async close(): Promise<void> {
    this.#stopping = true;
    const last: FormattedExecutionResult = { errors: this.#settings.starter.formatErrors([restartingError()]) };
    const running = this.#running.values();
    for (const results of running) results.stop(last);
    await Promise.all(running.map((results) => results.finished));
    // graphql-sse queues each operation's `complete` right after its last result: let it.
    await new Promise((resolve) => setImmediate(resolve));
    for (const stream of [...this.#streams]) void stream.return(undefined);
    await Promise.all([...this.#reservations.keys()].map((token) => this.#dispose(token)));
  }

  async #write(response: ServerResponse, [body, init]: SseResponse, context: SseRequestContext, method: string): Promise<void> {
    if (body === null || typeof body === "string") {
      response.writeHead(init.status, init.headers);
      response.end(body ?? undefined);
      return;
    }
    const { reservation, flow } = context;
    const stream = body;
    this.#streams.add(stream);
    if (reservation !== undefined && method !== "PUT") {
      reservation.connected = true;
      clearTimeout(reservation.expiry);
    }
    // Proxies (nginx) must not buffer events.
    response.writeHead(init.status, { ...init.headers, "x-accel-buffering": "no" });
    const stop = () => void stream.return(undefined);
    response.once("close", stop);
    try {
      for await (const chunk of stream) {
        if (!(await writeChunk(response, chunk))) break;
        if (chunk.startsWith("event: next")) flow.written();
      }
    } catch (error) {
      this.#settings.logger.debug("an SSE stream ended early", { error });
    } finally {
      response.off("close", stop);
      this.#streams.delete(stream);
      // Ends whatever still runs on it (graphql-sse returns every operation of a disposed stream).
      await stream.return(undefined);
      if (reservation !== undefined) {
        clearTimeout(reservation.expiry);
        this.#reservations.delete(reservation.token);
      }
      if (!response.destroyed) response.end();
    }
  }

  #authenticate(request: SseRequest<IncomingMessage, SseRequestContext>): string | undefined | SseResponse {
    const context = request.context;
    if (request.method === "PUT") {
      if (this.#stopping) return jsonResponse(503, "The gateway is stopping.", ErrorCode.ServiceUnavailable);
      const token = randomUUID();
      const reservation: Reservation = { token, apiKeyId: context.caller.apiKeyId, flow: context.flow, operations: 0, connected: false, expiry: undefined, expiring: false };
      reservation.expiry = setTimeout(() => void this.#dispose(token), this.#settings.options.sseReservationTimeoutMillis);
      reservation.expiry.unref();
      this.#reservations.set(token, reservation);
      context.reservation = reservation;
      return token;
    }
    const token = tokenOf(request.raw);
    if (token === undefined) return undefined;
    const reservation = this.#reservations.get(token);
    // Another key's token reads as unknown: a stream is never shared across keys.
    if (reservation === undefined || (reservation.apiKeyId !== context.caller.apiKeyId && !reservation.expiring)) {
      return jsonResponse(404, "Stream not found: reserve one with PUT first.", ErrorCode.BadRequest);
    }
    context.reservation = reservation;
    context.flow = reservation.flow;
    return token;
  }

  async #onSubscribe(request: SseRequest<IncomingMessage, SseRequestContext>, params: RequestParams): Promise<StreamedResults | SseResponse> {
    const { starter, executeOperation, options } = this.#settings;
    const { caller, flow, reservation } = request.context;
    const refusal = (errors: FormattedExecutionResult["errors"]) => this.#track(singleResult(async () => ({ errors: errors ?? [] })), flow, undefined);
    if (this.#stopping) return refusal(starter.formatErrors([new ServiceError(ErrorCode.ServiceUnavailable, "The gateway is stopping; subscribe again.")]));
    if (reservation !== undefined && reservation.operations >= options.maxOperationsPerConnection) {
      return refusal(starter.formatErrors([tooManyOperations(options.maxOperationsPerConnection)]));
    }
    const payload = {
      query: params.query,
      ...(params.operationName === undefined ? {} : { operationName: params.operationName }),
      ...(params.variables === undefined ? {} : { variables: params.variables }),
      ...(params.extensions === undefined ? {} : { extensions: params.extensions }),
    };
    const prepared = await starter.prepare(payload, caller);
    switch (prepared.kind) {
      case "refused":
        return refusal(starter.formatErrors(prepared.errors));
      case "operation": {
        if (request.method === "GET" && getOperationAST(prepared.document, prepared.operationName)?.operation === OperationTypeNode.MUTATION) {
          return jsonResponse(405, "Mutations are not accepted over GET; send a POST.", ErrorCode.BadRequest, { allow: "POST" });
        }
        // Aborted when the operation is stopped (client gone, DELETE): its subgraph fetches end.
        const abort = new AbortController();
        const source = singleResult(
          () => executeOperation(payload, { request: caller, signal: abort.signal }),
          () => abort.abort(new Error("the SSE operation was stopped")),
        );
        return this.#track(source, flow, reservation);
      }
      case "subscription":
        return this.#track(subscriptionSource(starter.start(prepared), starter), flow, reservation);
    }
  }

  #track(source: ResultSource, flow: StreamFlow, reservation: Reservation | undefined): StreamedResults {
    if (reservation !== undefined) reservation.operations += 1;
    const results: StreamedResults = new StreamedResults(source, flow, () => {
      if (reservation !== undefined) reservation.operations -= 1;
      this.#running.delete(results);
    });
    this.#running.add(results);
    return results;
  }

  /** Drops a reservation whose stream was never opened (or is being shut down): graphql-sse disposes its stream and operations. */
  async #dispose(token: string): Promise<void> {
    const reservation = this.#reservations.get(token);
    if (reservation === undefined) return;
    clearTimeout(reservation.expiry);
    if (reservation.connected) return;
    reservation.expiring = true;
    try {
      // graphql-sse keeps its reservations to itself; opening the stream and returning it at once
      // is how its API disposes one.
      const [body] = await this.#handler({
        method: "GET",
        url: `/?${TOKEN_QUERY_KEY}=${encodeURIComponent(token)}`,
        headers: { get: (key) => (key.toLowerCase() === "accept" ? eventStream : null) },
        body: null,
        raw: { headers: {}, url: `/?${TOKEN_QUERY_KEY}=${encodeURIComponent(token)}` } as IncomingMessage,
        context: { caller: { requestId: `sse-expiry-${token}`, tenantId: "gateway", apiKeyId: reservation.apiKeyId, roles: [] }, flow: reservation.flow, reservation: undefined },
      });
      if (body !== null && typeof body !== "string") await body.return(undefined);
    } catch (error) {
      this.#settings.logger.warn("could not drop an SSE reservation", { error });
    } finally {
      this.#reservations.delete(token);
    }
  }
}

function jsonResponse(status: number, message: string, code: ErrorCode, headers: Record<string, string> = {}): SseResponse {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, retryable: status === 503 } }] });
  return [body, { status, statusText: "", headers: { ...headers, "content-type": "application/json; charset=utf-8" } }];
}

import type { ServerResponse } from "node:http";
import type { ExecutionResult, GraphQLFormattedError } from "graphql";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { StreamingExchange } from "../../platform/http/graphql-http-handler.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { serverRestartingReason } from "../../platform/lifecycle/drain-streams.ts";
import { RunningSet } from "../../platform/lifecycle/running-set.ts";
import { writeChunk } from "./response-write.ts";
import { restartingError } from "./subscription-errors.ts";
import type { ResolvedSubscriptionOptions } from "./subscription-options.ts";
import type { OperationPayload, SubscriptionStarter } from "./subscription-starter.ts";

export interface MultipartTransportSettings {
  starter: SubscriptionStarter;
  options: ResolvedSubscriptionOptions;
  logger: Logger;
}

/** The boundary of every response (Apollo Router's; clients read it from `Content-Type`). */
const boundary = "graphql";
export const multipartSubscriptionContentType = `multipart/mixed;boundary="${boundary}";subscriptionSpec="1.0"`;
/** What ends one part and opens the next; the closing delimiter is this plus `--`. */
const delimiter = `\r\n--${boundary}`;
const partHeaders = "\r\ncontent-type: application/json\r\n\r\n";

/**
 * Whether `Accept` offers Apollo's multipart subscriptions: a `multipart/mixed` range with a
 * `subscriptionSpec` parameter (Apollo Client sends `multipart/mixed;boundary=graphql;subscriptionSpec=1.0,
 * application/graphql-response+json,application/json;q=0.9`; the Router's docs quote the version).
 */
export function acceptsMultipartSubscriptions(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(",").some((range) => {
    const [type, ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    return type === "multipart/mixed" && parameters.some((parameter) => /^subscriptionspec\s*=\s*"?1\.0"?$/.test(parameter));
  });
}

/**
 * Subscriptions over multipart HTTP, Apollo's protocol (what Apollo Client's HttpLink, Apollo
 * Kotlin/iOS and Apollo Router speak): a subscription `POST`ed (or sent by `GET`) with an `Accept`
 * offering `multipart/mixed;subscriptionSpec=1.0` is answered `200` with
 * `Content-Type: multipart/mixed;boundary="graphql";subscriptionSpec="1.0"`, one JSON part per
 * event:
 *
 * - an event: `{"payload":{"data":…,"errors":[…]}}`;
 * - a heartbeat every `multipartHeartbeatMillis` while nothing else is written: `{}`;
 * - a refusal before the subscription starts (validation, limits, variables, cost): one part
 *   `{"payload":{"errors":[…]}}`, as a GraphQL error;
 * - a failure that ends a running subscription (subgraph lost, buffer overflow, the gateway
 *   stopping): a transport error `{"payload":null,"errors":[…]}`;
 *
 * then the closing delimiter `--graphql--`. The framing is the Router's: every part is followed
 * by the next delimiter at once, so a client parses each event as soon as it arrives. Results are
 * written one at a time, the next taken only once the previous is written (the subscription's own
 * buffer absorbs a slow reader). The client closing the response cancels the upstream at once.
 * Queries and mutations with this `Accept` are left to Apollo Server.
 */
export class MultipartTransport {
  readonly #settings: MultipartTransportSettings;
  /** What stops each running response (gateway shutdown). */
  readonly #running = new RunningSet<(errors: GraphQLFormattedError[]) => void>();
  #stopping = false;

  constructor(settings: MultipartTransportSettings) {
    this.#settings = settings;
  }

  /** Multipart subscriptions running now. */
  get subscriptionCount(): number {
    return this.#running.size;
  }

  /** Serves the operation if it is a subscription asked for as multipart; resolves false to leave it to Apollo. */
  async serveOperation({ request, response, admitted, operation }: StreamingExchange<RequestContext> & { operation: { body: unknown; search: string } }): Promise<boolean> {
    if (!acceptsMultipartSubscriptions(request.headers.accept)) return false;
    const payload = operationPayload(operation);
    if (payload === undefined || admitted === undefined) return false;
    const { starter } = this.#settings;
    const prepared = await starter.prepare(payload, admitted);
    if (prepared.kind === "operation") return false;
    const writer = new MultipartWriter(response, this.#settings.options.multipartHeartbeatMillis, admitted.requestId);
    if (prepared.kind === "refused" || this.#stopping) {
      const errors = prepared.kind === "refused" ? prepared.errors : [new ServiceError(ErrorCode.ServiceUnavailable, "The gateway is stopping; subscribe again.", { details: { reason: serverRestartingReason } })];
      await writer.part({ payload: { errors: starter.formatErrors(errors) } });
      writer.end();
      return true;
    }
    const subscription = starter.start(prepared);
    let stoppedWith: GraphQLFormattedError[] | undefined;
    const stop = (errors: GraphQLFormattedError[]) => {
      stoppedWith = errors;
      void subscription.return();
    };
    const clientGone = () => void subscription.return();
    this.#running.add(stop);
    response.once("close", clientGone);
    try {
      for (;;) {
        let item: IteratorResult<ExecutionResult, undefined>;
        try {
          item = await subscription.next();
        } catch (error) {
          await writer.part({ payload: null, errors: starter.failureErrors(error) });
          break;
        }
        if (item.done === true) {
          if (stoppedWith !== undefined) await writer.part({ payload: null, errors: stoppedWith });
          break;
        }
        if (!(await writer.part({ payload: starter.formatResult(item.value) }))) break;
      }
    } finally {
      this.#running.delete(stop);
      response.off("close", clientGone);
      await subscription.return();
      writer.end();
    }
    return true;
  }

  /** Gateway shutdown, first step: new subscriptions get `SERVICE_UNAVAILABLE` (retryable); running ones go on. */
  stopAccepting(): void {
    this.#stopping = true;
  }

  /** Resolves once no multipart subscription runs. */
  whenIdle(): Promise<void> {
    return this.#running.whenEmpty();
  }

  /**
   * Gateway shutdown, last step (the grace period is over): every running subscription ends with a
   * transport error `SERVICE_UNAVAILABLE` (retryable, `extensions.reason: "SERVER_RESTARTING"`)
   * and the closing delimiter; resolves once all are written.
   */
  async close(): Promise<void> {
    this.#stopping = true;
    const errors = this.#settings.starter.formatErrors([restartingError()]);
    for (const stop of this.#running.values()) stop(errors);
    await this.#running.whenEmpty();
  }
}

/** The operation of a GraphQL-over-HTTP request (JSON body, or the query string of a GET); undefined when malformed (Apollo answers it). */
function operationPayload({ body, search }: { body: unknown; search: string }): OperationPayload | undefined {
  let fields: Record<string, unknown>;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    fields = body as Record<string, unknown>;
  } else if (body === undefined || body === null || body === "") {
    const parameters = new URLSearchParams(search);
    try {
      fields = {
        query: parameters.get("query") ?? undefined,
        operationName: parameters.get("operationName") ?? undefined,
        variables: parameters.has("variables") ? JSON.parse(parameters.get("variables") ?? "null") : undefined,
        extensions: parameters.has("extensions") ? JSON.parse(parameters.get("extensions") ?? "null") : undefined,
      };
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  const { query, operationName, variables, extensions } = fields;
  if (typeof query !== "string") return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
  if (!isOptionalObject(variables) || !isOptionalObject(extensions)) return undefined;
  return {
    query,
    ...(typeof operationName === "string" ? { operationName } : {}),
    ...(variables === undefined || variables === null ? {} : { variables: variables as Record<string, unknown> }),
    ...(extensions === undefined || extensions === null ? {} : { extensions: extensions as Record<string, unknown> }),
  };
}

function isOptionalObject(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "object" && !Array.isArray(value));
}

/**
 * Writes one multipart response: the opening delimiter at once (headers and the first bytes reach
 * the client before any event), parts each followed by the delimiter, heartbeats while idle, and
 * the closing delimiter.
 */
class MultipartWriter {
  readonly #response: ServerResponse;
  readonly #heartbeat: NodeJS.Timeout;
  #writing = 0;
  #ended = false;

  constructor(response: ServerResponse, heartbeatMillis: number, requestId: string) {
    this.#response = response;
    response.writeHead(200, {
      "content-type": multipartSubscriptionContentType,
      "cache-control": "no-cache",
      // Proxies (nginx) must not buffer parts.
      "x-accel-buffering": "no",
      // Clients quote it when reporting a problem, as for any request.
      "x-request-id": requestId,
    });
    response.write(delimiter);
    this.#heartbeat = setInterval(() => {
      if (this.#writing === 0) void this.part({});
    }, heartbeatMillis);
    this.#heartbeat.unref();
  }

  /** Writes one part; resolves false when the client is gone. */
  async part(value: unknown): Promise<boolean> {
    if (this.#ended || this.#response.destroyed) return false;
    this.#writing += 1;
    try {
      return await writeChunk(this.#response, `${partHeaders}${JSON.stringify(value)}${delimiter}`);
    } finally {
      this.#writing -= 1;
    }
  }

  /** Writes the closing delimiter and ends the response (nothing when the client is gone). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#heartbeat);
    if (!this.#response.destroyed) this.#response.end("--\r\n");
  }
}

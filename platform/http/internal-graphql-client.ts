import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { internalContextHeader, type InternalContextSigner } from "../context/internal-context-token.ts";
import type { RequestContext } from "../context/request-context.ts";
import { activeTraceCarrier } from "../tracing/trace-context.ts";
import { inSpan, SpanKind } from "../tracing/tracer.ts";

export interface InternalGraphqlClientOptions {
  /** Name of the called service, used in error messages (for example `retrieval`). */
  serviceName: string;
  /** GraphQL endpoint of the called service, for example `http://127.0.0.1:4003/graphql`. */
  url: string;
  /** Signs the caller's context so the called subgraph trusts it, as it trusts the gateway. */
  signer: InternalContextSigner;
  /** Longest one call may take, in milliseconds. Default 30,000. */
  timeoutMillis?: number;
}

interface GraphqlResponseBody {
  data?: unknown;
  errors?: { message?: unknown; extensions?: Record<string, unknown> }[];
}

const knownCodes = new Set<string>(Object.values(ErrorCode));
/** Extensions that `ServiceError` sets itself. */
const ownExtensions = new Set(["code", "retryable", "field", "http", "stacktrace"]);

/**
 * Calls another subgraph on behalf of the current request: same tenant, roles, API key and request
 * id, signed like the gateway signs them. A GraphQL error from the callee keeps its code (a
 * `COLLECTION_NOT_FOUND` stays one); an unreachable callee becomes `SERVICE_UNAVAILABLE`.
 */
export class InternalGraphqlClient {
  readonly #options: Required<InternalGraphqlClientOptions>;

  constructor(options: InternalGraphqlClientOptions) {
    this.#options = { timeoutMillis: 30_000, ...options };
  }

  /** One call, in a CLIENT span (`graphql <service>`) whose `traceparent` the callee continues. */
  request<Data>(query: string, variables: Record<string, unknown>, context: RequestContext, signal?: AbortSignal): Promise<Data> {
    return inSpan(`graphql ${this.#options.serviceName}`, { kind: SpanKind.CLIENT, attributes: { "peer.service": this.#options.serviceName } }, () => this.#request<Data>(query, variables, context, signal));
  }

  async #request<Data>(query: string, variables: Record<string, unknown>, context: RequestContext, signal?: AbortSignal): Promise<Data> {
    const { serviceName, url, signer, timeoutMillis } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMillis);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", [internalContextHeader]: signer.sign(context), ...activeTraceCarrier() },
        body: JSON.stringify({ query, variables }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      if (signal?.aborted === true) throw new ServiceError(ErrorCode.RequestCancelled, "The request was cancelled.", { cause: error });
      throw new ServiceError(ErrorCode.ServiceUnavailable, `The ${serviceName} service is unreachable: ${describe(error)}`, { cause: error });
    }
    let body: GraphqlResponseBody;
    try {
      body = (await response.json()) as GraphqlResponseBody;
    } catch (error) {
      throw new ServiceError(ErrorCode.ServiceUnavailable, `The ${serviceName} service answered HTTP ${response.status} without a GraphQL body.`, { cause: error });
    }
    const first = body.errors?.[0];
    if (first !== undefined) throw toServiceError(serviceName, first);
    if (body.data === undefined || body.data === null) {
      throw new ServiceError(ErrorCode.ServiceUnavailable, `The ${serviceName} service answered HTTP ${response.status} with no data.`);
    }
    return body.data as Data;
  }
}

function toServiceError(serviceName: string, error: { message?: unknown; extensions?: Record<string, unknown> }): ServiceError {
  const extensions = error.extensions ?? {};
  const code = typeof extensions.code === "string" && knownCodes.has(extensions.code) ? (extensions.code as ErrorCode) : ErrorCode.ServiceUnavailable;
  const message = typeof error.message === "string" ? error.message : `The ${serviceName} service failed.`;
  const details = Object.fromEntries(Object.entries(extensions).filter(([key]) => !ownExtensions.has(key)));
  return new ServiceError(code, message, {
    ...(typeof extensions.field === "string" ? { field: extensions.field } : {}),
    details,
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}

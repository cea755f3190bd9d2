import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "./generated/schema-enums.js";

/**
 * Codes the GraphQL layer itself (Apollo Server, graphql-js) puts on errors: a document that does
 * not parse or validate, an unknown persisted query. Not in the schema's `ErrorCode` enum.
 */
export const GraphQLLayerErrorCode = {
  GraphqlParseFailed: "GRAPHQL_PARSE_FAILED",
  GraphqlValidationFailed: "GRAPHQL_VALIDATION_FAILED",
  PersistedQueryNotFound: "PERSISTED_QUERY_NOT_FOUND",
  PersistedQueryNotSupported: "PERSISTED_QUERY_NOT_SUPPORTED",
  OperationResolutionFailure: "OPERATION_RESOLUTION_FAILURE",
} as const;
export type GraphQLLayerErrorCode = (typeof GraphQLLayerErrorCode)[keyof typeof GraphQLLayerErrorCode];

/** Codes this client gives failures that are not errors of the graph. */
export const ClientErrorCode = {
  /** No answer: the connection was refused, reset or closed before the operation ended. */
  NetworkError: "NETWORK_ERROR",
  /** The client's `timeoutMillis` passed before the answer came. */
  Timeout: "TIMEOUT",
  /** An HTTP status whose body is not a GraphQL response (a proxy's 502 page, a 404 for a wrong URL); `status` has it. */
  HttpError: "HTTP_ERROR",
  /** A successful HTTP status whose body is not a GraphQL response (not JSON, or neither `data` nor `errors`). */
  InvalidResponse: "INVALID_RESPONSE",
  /** The error carries no code, or one this version of the client does not know (it is in `errors[0].extensions.code`). */
  UnknownError: "UNKNOWN_ERROR",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every `code` a `GraphClientError` can have. */
export type GraphClientErrorCode = ErrorCode | GraphQLLayerErrorCode | ClientErrorCode;

const knownCodes: ReadonlySet<string> = new Set<string>([...Object.values(ErrorCode), ...Object.values(GraphQLLayerErrorCode), ...Object.values(ClientErrorCode)]);

export interface GraphClientErrorOptions {
  /** The code when the errors carry none (failures of the transport). */
  code?: ClientErrorCode;
  /** Overrides what `extensions.retryable` (or the code) says. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * An operation failed: the graph answered with errors, or no GraphQL answer came. `code` is the
 * first error's `extensions.code` (see `ErrorCode`), or a `ClientErrorCode` for transport failures.
 * Aborting an operation through its `signal` rejects with the signal's reason instead, as `fetch` does.
 */
export class GraphClientError extends Error {
  /** What went wrong, for programs: switch on it. */
  readonly code: GraphClientErrorCode;
  /** True when repeating the operation unchanged later may succeed (the graph's `extensions.retryable`, or the transport's view). */
  readonly retryable: boolean;
  /** The HTTP status of the answer; undefined over WebSocket and when no answer came. */
  readonly status: number | undefined;
  /** Path of the first error's field in the result, when it has one. */
  readonly path: readonly (string | number)[] | undefined;
  /** Every GraphQL error of the answer (for transport failures, one made up by the client). */
  readonly errors: readonly GraphQLFormattedError[];
  /** `extensions` of the first error: `field` for BAD_USER_INPUT, `retryAfterMillis`, limits... */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(errors: readonly GraphQLFormattedError[], status?: number, options: GraphClientErrorOptions = {}) {
    const all = errors.length > 0 ? errors : [{ message: "The operation failed." }];
    super(all.map((error) => error.message).join("; "), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GraphClientError";
    this.errors = all;
    this.status = status;
    const first = all[0];
    this.extensions = first?.extensions ?? {};
    this.path = first?.path;
    const raw = this.extensions.code;
    this.code = typeof raw === "string" && knownCodes.has(raw) ? (raw as GraphClientErrorCode) : (options.code ?? ClientErrorCode.UnknownError);
    this.retryable = options.retryable ?? (typeof this.extensions.retryable === "boolean" ? this.extensions.retryable : transportRetryable(this.code, status));
  }

  /** `extensions.retryAfterMillis` (RATE_LIMITED, OVERLOADED, QUOTA_EXCEEDED), when the graph says when to retry. */
  get retryAfterMillis(): number | undefined {
    const value = this.extensions.retryAfterMillis;
    return typeof value === "number" ? value : undefined;
  }

  /** A failure of the transport, with no GraphQL error behind it. */
  static transport(code: ClientErrorCode, message: string, status?: number, cause?: unknown): GraphClientError {
    return new GraphClientError([{ message, extensions: { code } }], status, { code, cause });
  }
}

/** Whether `error` is a `GraphClientError` with `code` (any code when omitted). */
export function isGraphClientError(error: unknown, code?: GraphClientErrorCode): error is GraphClientError {
  return error instanceof GraphClientError && (code === undefined || error.code === code);
}

function transportRetryable(code: GraphClientErrorCode, status: number | undefined): boolean {
  if (code === ClientErrorCode.NetworkError || code === ClientErrorCode.Timeout) return true;
  if (code === ClientErrorCode.HttpError) return status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
  return false;
}

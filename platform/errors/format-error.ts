import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "./error-code.ts";
import type { Logger } from "../logging/logger.ts";

/** Codes Apollo Server and graphql-js put on errors themselves (parse, validation, variables). */
const knownForeignCodes = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
]);
const ownCodes = new Set<string>(Object.values(ErrorCode));

/**
 * Apollo Server `formatError`: errors with a known code pass through; anything else is a bug or a
 * leak risk (a driver message, a stack), so clients get a generic message and the log gets the rest.
 *
 * Apollo Server labels every error that has no code `INTERNAL_SERVER_ERROR` before this runs, so
 * that code passes only when the error carried it itself (a `ServiceError`, or a subgraph's
 * already-masked error relayed by the gateway); a bare `Error` ("fetch failed", a driver's
 * message with a host in it) is masked.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const labelledByApollo = code === ErrorCode.InternalServerError && ownCode(error) !== code;
    if (typeof code === "string" && (ownCodes.has(code) || knownForeignCodes.has(code)) && !labelledByApollo) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, retryable: extensions.retryable ?? false } };
    }
    logger.error("unexpected error in a resolver", { error, path: formatted.path });
    return {
      message: "Internal server error",
      ...(formatted.path === undefined ? {} : { path: formatted.path }),
      ...(formatted.locations === undefined ? {} : { locations: formatted.locations }),
      extensions: { code: ErrorCode.InternalServerError, retryable: false },
    };
  };
}

/** The `extensions.code` the error itself carries (a `GraphQLError`'s, or a formatted error's). */
function ownCode(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  const extensions = (error as { extensions?: unknown }).extensions;
  return typeof extensions === "object" && extensions !== null ? (extensions as { code?: unknown }).code : undefined;
}

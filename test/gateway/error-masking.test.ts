import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { createErrorFormatter } from "../../platform/errors/format-error.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return { errors, debug: ignore, info: ignore, warn: ignore, error: (message) => errors.push(message) };
}

/** What Apollo Server hands `formatError`: every error without a code is labelled INTERNAL_SERVER_ERROR first. */
function asApolloFormats(error: Error): GraphQLFormattedError {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
  return { ...graphqlError.toJSON(), extensions: { ...graphqlError.extensions, code: graphqlError.extensions.code ?? "INTERNAL_SERVER_ERROR" } };
}

describe("the errors clients see (createErrorFormatter)", () => {
  it("masks an error Apollo labelled INTERNAL_SERVER_ERROR itself: no raw 'fetch failed', no host", () => {
    const logger = recordingLogger();
    const format = createErrorFormatter(logger);
    const raw = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 10.0.0.7:4002") });
    assert.deepEqual(format({ ...asApolloFormats(raw), path: ["completion"] }, raw), {
      message: "Internal server error",
      path: ["completion"],
      extensions: { code: "INTERNAL_SERVER_ERROR", retryable: false },
    });
    const located = new GraphQLError("request to http://10.0.0.7:4002/graphql failed", { originalError: new Error("driver") });
    assert.equal(format(asApolloFormats(located), located).message, "Internal server error");
    assert.equal(logger.errors.length, 2);
  });

  it("keeps an INTERNAL_SERVER_ERROR the project raised on purpose, or a subgraph relayed", () => {
    const format = createErrorFormatter(recordingLogger());
    const own = new ServiceError(ErrorCode.InternalServerError, "The completion's metered cost was not sent with the reference.");
    assert.equal(format(asApolloFormats(own), own).message, own.message);
    const relayed = new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR", retryable: false, serviceName: "usage" } });
    assert.deepEqual(format(asApolloFormats(relayed), relayed).extensions, { code: "INTERNAL_SERVER_ERROR", retryable: false, serviceName: "usage" });
  });

  it("passes SERVICE_UNAVAILABLE through as retryable, without a stack trace", () => {
    const format = createErrorFormatter(recordingLogger());
    const error = new ServiceError(ErrorCode.ServiceUnavailable, "The inference service is unavailable (connection refused); try again later.");
    const formatted = format({ ...asApolloFormats(error), extensions: { ...error.extensions, stacktrace: ["at x"] } }, error);
    assert.deepEqual(formatted.extensions, { code: "SERVICE_UNAVAILABLE", retryable: true });
  });
});

import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { createErrorFormatter } from "../../platform/errors/format-error.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { serverRestartingReason } from "../../platform/lifecycle/drain-streams.ts";
import type { ErrorFormatter } from "../../platform/websocket/format-result.ts";
import type { Logger } from "../../platform/logging/logger.ts";

/** `extensions.code`s only subscriptions produce (kept with the others in `ErrorCode`). */
export const SubscriptionErrorCode = {
  BufferOverflow: ErrorCode.SubscriptionBufferOverflow,
  TooManyOperations: ErrorCode.TooManyOperations,
} as const;

const subscriptionCodes = new Set<string>(Object.values(SubscriptionErrorCode));

/**
 * Why a subscription ended early. Thrown from the event iterator; graphql-ws turns it into an
 * `error` message, whose payload `formatSubscriptionErrors` expands to all of `errors`.
 */
export class SubscriptionFailure extends Error {
  readonly errors: readonly GraphQLError[];

  constructor(errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? "The subscription failed.");
    this.name = "SubscriptionFailure";
    this.errors = errors;
  }

  /** graphql-ws builds a `GraphQLError` from a thrown error's message and these extensions. */
  get extensions(): Record<string, unknown> | undefined {
    return this.errors[0]?.extensions;
  }
}

export function bufferOverflow(maxBufferedEvents: number): GraphQLError {
  return new GraphQLError(
    `The subscription ended: more than ${maxBufferedEvents} events were waiting for this client. Read events faster, or subscribe again to resume from new events.`,
    { extensions: { code: SubscriptionErrorCode.BufferOverflow, retryable: false, maxBufferedEvents } },
  );
}

export function tooManyOperations(maxOperations: number): GraphQLError {
  return new GraphQLError(`This connection already has ${maxOperations} operations in flight; complete one or open another connection.`, {
    extensions: { code: SubscriptionErrorCode.TooManyOperations, retryable: false, maxOperations },
  });
}

/** The subgraph serving a subscription could not be reached, or its connection broke. Retryable. */
export function upstreamUnavailable(serviceName: string, reason: string): ServiceError {
  return new ServiceError(ErrorCode.ServiceUnavailable, `The ${serviceName} service is unavailable (${reason}); subscribe again later.`, {
    details: { serviceName },
  });
}

/** Errors a subgraph sent (as an `error` message or in an event), as `GraphQLError`s that keep its code. */
export function fromUpstreamErrors(errors: readonly GraphQLFormattedError[], serviceName: string): GraphQLError[] {
  return errors.map(
    (error) =>
      new GraphQLError(typeof error.message === "string" && error.message !== "" ? error.message : `Error from the ${serviceName} service`, {
        ...(error.path === undefined ? {} : { path: error.path }),
        extensions: { ...error.extensions, serviceName },
      }),
  );
}

/**
 * Errors of a federated execution as `GraphQLError`s. `executeQueryPlan` passes transport
 * failures (node-fetch `FetchError`s) through unwrapped: those become `SERVICE_UNAVAILABLE`.
 */
export function normalizeExecutionErrors(errors: readonly unknown[], logger: Logger): GraphQLError[] {
  return errors.map((error) => {
    if (error instanceof GraphQLError) return error;
    logger.warn("subgraph fetch failed while resolving a subscription event", { error });
    return new ServiceError(ErrorCode.ServiceUnavailable, "A service this subscription's fields need is unavailable; the event is incomplete.", {
      cause: error,
    });
  });
}

/**
 * Formats errors sent on the gateway's sockets: the HTTP formatter's rules (known codes pass,
 * anything else becomes a generic `INTERNAL_SERVER_ERROR` and is logged), plus the subscription codes.
 */
export function createSubscriptionErrorFormatter(logger: Logger): ErrorFormatter {
  const httpFormatter = createErrorFormatter(logger);
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    if (typeof code === "string" && subscriptionCodes.has(code)) return formatted;
    return httpFormatter(formatted, error);
  };
}

/**
 * What ends a subscription (SSE, multipart) still running when the gateway's grace period on stop
 * is over: `SERVICE_UNAVAILABLE`, retryable, with `extensions.reason: "SERVER_RESTARTING"`
 * (graphql-ws sockets get close code 4503 instead). Subscribe again: another replica takes it.
 */
export function restartingError(): ServiceError {
  return new ServiceError(ErrorCode.ServiceUnavailable, "The gateway restarted before the subscription finished; subscribe again.", { details: { reason: serverRestartingReason } });
}

import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { getOperationAST, getVariableValues, GraphQLError, OperationTypeNode, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { startSubscriptionSpan } from "../../platform/tracing/subscription-span.ts";
import { formatExecutionResult, formatGraphQLError, type ErrorFormatter } from "../../platform/websocket/format-result.ts";
import { resolveSubscriptionEvent } from "./event-resolver.ts";
import { FederatedSubscription } from "./federated-subscription.ts";
import { createSubscriptionErrorFormatter, SubscriptionFailure } from "./subscription-errors.ts";
import type { ResolvedSubscriptionOptions } from "./subscription-options.ts";
import type { PreparedSubscription, SubscriptionPlanner } from "./subscription-planner.ts";
import type { UpstreamSubscriptions } from "./upstream-subscriptions.ts";

/** One GraphQL operation as a client sent it, whatever the transport (a graphql-ws `subscribe` payload, an SSE or multipart request body). */
export interface OperationPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * The gateway's protection for subscriptions (queries and mutations get it from Apollo Server's
 * plugins): `checkDocument` before a new document is parsed, `checkOperation` (the cost analysis)
 * before each subscription starts. Each returns the refusal, or undefined.
 */
export interface SubscriptionGuard {
  checkDocument(source: string, apiSchema: GraphQLSchema): GraphQLError | undefined;
  checkOperation(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, caller: RequestContext): Promise<GraphQLError | undefined>;
}

/** What `prepare` made of an operation. */
export type PreparedOperation = RefusedOperation | OtherOperation | SubscriptionOperation;

/** Refused before anything started: the errors to send the client (not formatted yet). */
export interface RefusedOperation {
  kind: "refused";
  errors: readonly GraphQLError[];
  /** True once the document was known to hold a subscription (false for parse errors and shape limits met before parsing). */
  subscription: boolean;
}

/** A query or mutation: it runs through Apollo Server, as over HTTP. */
export interface OtherOperation {
  kind: "operation";
  caller: RequestContext;
  payload: OperationPayload;
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
}

/** A subscription checked, planned and priced, ready to `start`. */
export interface SubscriptionOperation {
  kind: "subscription";
  caller: RequestContext;
  payload: OperationPayload;
  prepared: PreparedSubscription;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

export interface SubscriptionStarterSettings {
  planner: SubscriptionPlanner;
  upstream: UpstreamSubscriptions;
  options: ResolvedSubscriptionOptions;
  guard?: SubscriptionGuard;
  /** Called when a subscription starts and when it ends (for counts). */
  onSubscriptionCountChange?: (delta: 1 | -1) => void;
  /** Called for each event sent to a client (for counts). */
  onEventSent?: () => void;
  logger: Logger;
}

/**
 * The transport-neutral half of the gateway's subscriptions: every transport (graphql-ws, GraphQL
 * over SSE, multipart HTTP) checks, plans and starts its subscriptions here, so limits, the cost
 * analysis, buffers and error codes are the same whichever a client uses. A transport keeps only
 * what is its own: how it authenticates, how it frames results, how it notices the client left.
 */
export class SubscriptionStarter {
  readonly #settings: SubscriptionStarterSettings;
  readonly formatError: ErrorFormatter;

  constructor(settings: SubscriptionStarterSettings) {
    this.#settings = settings;
    this.formatError = createSubscriptionErrorFormatter(settings.logger);
  }

  /**
   * Checks `payload` for `caller` (who is already authenticated; the request id is its own):
   * shape limits (`checkDocument`) before a new document is parsed, validation and planning over
   * the current supergraph, variables, the cost analysis. A query or mutation comes back as
   * `operation`, for the transport to run through Apollo Server.
   */
  async prepare(payload: OperationPayload, caller: RequestContext): Promise<PreparedOperation> {
    const { planner, guard } = this.#settings;
    const snapshot = planner.snapshot;
    if (snapshot === undefined) return refused([new ServiceError(ErrorCode.ServiceUnavailable, "The gateway has not loaded its supergraph yet; try again shortly.")], false);
    const operationName = payload.operationName ?? undefined;
    // Most subscriptions repeat a document already planned: reuse its parsed form (10,000
    // idle subscriptions would otherwise keep 10,000 copies of one AST).
    let prepared = planner.cached(payload.query, operationName);
    if (prepared === undefined) {
      const refusal = guard?.checkDocument(payload.query, snapshot.apiSchema);
      if (refusal !== undefined) return refused([refusal], false);
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (error) {
        return refused([new GraphQLError((error as Error).message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })], false);
      }
      const operation = getOperationAST(document, operationName);
      if (operation === null || operation === undefined) {
        return refused(
          [
            new GraphQLError(operationName === undefined ? "Send exactly one operation, or name the one to run in operationName." : `Unknown operation named "${operationName}".`, {
              extensions: { code: "OPERATION_RESOLUTION_FAILURE" },
            }),
          ],
          false,
        );
      }
      if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
        return { kind: "operation", caller, payload, schema: snapshot.apiSchema, document, operationName };
      }
      const planned = planner.prepare(payload.query, document, operationName);
      if (Array.isArray(planned)) return refused(planned, true);
      prepared = planned;
    }
    const coerced = getVariableValues(prepared.snapshot.apiSchema, prepared.operationContext.operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors !== undefined) {
      return refused(
        coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BadUserInput } })),
        true,
      );
    }
    const refusedOperation = await guard?.checkOperation(prepared.document, prepared.operationContext.operation, payload.variables ?? {}, caller);
    if (refusedOperation !== undefined) return refused([refusedOperation], true);
    return { kind: "subscription", caller, payload, prepared, variables: payload.variables ?? {}, operationName };
  }

  /**
   * Starts a prepared subscription: opens it on the subgraph that owns its root field and resolves
   * each event through the federated executor. The iterator's `return()` cancels the upstream at
   * once; it throws `SubscriptionFailure` when the subscription ends early (see `failureErrors`).
   */
  start(subscription: SubscriptionOperation): FederatedSubscription {
    const { upstream, options, logger } = this.#settings;
    const { prepared, caller, payload, variables } = subscription;
    const { primary } = prepared;
    const url = prepared.snapshot.subgraphUrls.get(primary.serviceName);
    logger.debug("subscription started", { requestId: caller.requestId, serviceName: primary.serviceName });
    this.#settings.onSubscriptionCountChange?.(1);
    // One span for the subscription's life, continuing the client's trace (platform/tracing/); carried upstream in `extensions`.
    const trace = startSubscriptionSpan(subscription.operationName, payload.extensions);
    return new FederatedSubscription({
      maxBufferedEvents: options.maxBufferedEvents,
      logger,
      onEnded: () => {
        trace.end();
        this.#settings.onSubscriptionCountChange?.(-1);
      },
      openUpstream: (handlers) => {
        if (url === undefined) {
          handlers.error([new ServiceError(ErrorCode.ServiceUnavailable, `The ${primary.serviceName} service has no URL.`)]);
          return () => undefined;
        }
        const primaryVariables: Record<string, unknown> = {};
        for (const name of primary.variableUsages ?? []) {
          if (Object.hasOwn(variables, name)) primaryVariables[name] = variables[name];
        }
        return upstream.open(
          {
            serviceName: primary.serviceName,
            url,
            caller,
            payload: { query: primary.operation, variables: primaryVariables, ...(primary.operationName === undefined ? {} : { operationName: primary.operationName }), extensions: trace.carrier },
          },
          handlers,
        );
      },
      resolveEvent: (event) => trace.run(() => resolveSubscriptionEvent({ prepared, event, variables, source: payload.query, caller, logger })),
    });
  }

  /** One event as sent to the client: errors through the gateway's formatter (unknown errors masked and logged). */
  formatResult(result: ExecutionResult): FormattedExecutionResult {
    this.#settings.onEventSent?.();
    return formatExecutionResult(result, this.formatError);
  }

  /** Errors as sent to the client; a `SubscriptionFailure` stands for all of its errors. */
  formatErrors(errors: readonly unknown[]): GraphQLFormattedError[] {
    return errors.flatMap((error): unknown[] => (error instanceof SubscriptionFailure ? [...error.errors] : [error])).map((error) => formatGraphQLError(error, this.formatError));
  }

  /** What a subscription's iterator threw, as the errors to end the client's stream with. */
  failureErrors(error: unknown): GraphQLFormattedError[] {
    if (error instanceof SubscriptionFailure) return this.formatErrors(error.errors);
    this.#settings.logger.error("a subscription failed unexpectedly", { error });
    return this.formatErrors([new ServiceError(ErrorCode.InternalServerError, "Internal server error")]);
  }
}

function refused(errors: readonly GraphQLError[], subscription: boolean): RefusedOperation {
  return { kind: "refused", errors, subscription };
}

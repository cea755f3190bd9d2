import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from "@apollo/gateway";
import type { ExecutionResult, FormattedExecutionResult, GraphQLError } from "graphql";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { fromUpstreamErrors, normalizeExecutionErrors } from "./subscription-errors.ts";
import { subscriptionEventServiceName, type PreparedSubscription } from "./subscription-planner.ts";

/** What `executeQueryPlan` takes as its request context (typed through it: the type lives in a transitive package). */
type ExecutorRequestContext = Parameters<typeof executeQueryPlan>[2];

export interface SubscriptionEvent {
  prepared: PreparedSubscription;
  /** One `next` payload from the subgraph, the answer to the primary fetch. */
  event: FormattedExecutionResult;
  /** The client's variables. */
  variables: Record<string, unknown>;
  /** The client's query text. */
  source: string;
  caller: RequestContext;
  logger: Logger;
}

/**
 * Resolves one upstream event into the client's result, through the gateway's own executor: the
 * plan `Sequence[primary, rest]` runs with the primary fetch answered by the event, so fields other
 * subgraphs own (entities reached from the event) are fetched and merged as for a query, and the
 * result is shaped to the client's selection (aliases, `__typename`, skipped fields). An event
 * the subgraph answered entirely (`prepared.passThrough`) is the result as it is.
 */
export async function resolveSubscriptionEvent({ prepared, event, variables, source, caller, logger }: SubscriptionEvent): Promise<ExecutionResult> {
  const serviceName = prepared.primary.serviceName;
  const upstreamErrors = event.errors === undefined ? [] : fromUpstreamErrors(event.errors, serviceName);
  if (event.data === undefined || event.data === null) {
    return { data: null, errors: upstreamErrors };
  }
  if (prepared.passThrough) return upstreamErrors.length === 0 ? { data: event.data } : { data: event.data, errors: upstreamErrors };
  const eventSource: GraphQLDataSource<GatewayContext> = { process: async () => ({ data: event.data }) };
  const serviceMap: ServiceMap = Object.create(prepared.snapshot.serviceMap) as ServiceMap;
  serviceMap[subscriptionEventServiceName] = eventSource;
  const requestContext = {
    request: { query: source, variables, ...(prepared.operationName === undefined ? {} : { operationName: prepared.operationName }) },
    context: { request: caller } satisfies GatewayContext,
    // The executor records per-fetch error paths here.
    metrics: {},
    logger: executorLogger(logger),
    document: prepared.document,
    operationName: prepared.operationName ?? null,
  } as unknown as ExecutorRequestContext;
  const result = await executeQueryPlan(
    prepared.eventPlan,
    serviceMap,
    requestContext,
    prepared.operationContext,
    prepared.snapshot.supergraphSchema,
    prepared.snapshot.plannerApiSchema,
  );
  const errors: GraphQLError[] = [...upstreamErrors, ...normalizeExecutionErrors(result.errors ?? [], logger)];
  return errors.length === 0 ? { data: result.data ?? null } : { data: result.data ?? null, errors };
}

function executorLogger(logger: Logger) {
  return {
    debug: (message: unknown) => logger.debug(String(message)),
    info: (message: unknown) => logger.info(String(message)),
    warn: (message: unknown) => logger.warn(String(message)),
    error: (message: unknown) => logger.error(String(message)),
  };
}

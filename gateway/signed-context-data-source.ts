import { AsyncLocalStorage } from "node:async_hooks";
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import type { Fetcher, FetcherResponse } from "@apollo/utils.fetcher";
import { internalContextHeader, type InternalContextSigner } from "../platform/context/internal-context-token.ts";
import type { Logger } from "../platform/logging/logger.ts";
import type { ServiceMetrics } from "../platform/metrics/service-metrics.ts";
import { defineSubgraphFetchMetrics, type SubgraphFetchMetrics } from "../platform/metrics/subgraph-fetch-metrics.ts";
import { activeTraceCarrier } from "../platform/tracing/trace-context.ts";
import { addMeteredUsage, meteredUsageExtension, readMeteredUsage } from "../platform/metering/metered-usage.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { fetchBudget } from "./operation-deadline.ts";
import { balancedFetch } from "./upstreams/balanced-fetch.ts";
import type { UpstreamPool } from "./upstreams/upstream-pool.ts";
import { classifyFetchError, failureResponse, isAbortedByTimer, isGraphQLResponse, SubgraphFetchFailed, type SubgraphFailure } from "./subgraph-failures.ts";

/** The client request a subgraph fetch serves. RemoteGraphQLDataSource gives its fetcher no context, so it travels with the async call chain instead. */
interface FetchScope {
  /** Aborts when the client goes away. */
  signal: AbortSignal | undefined;
  /** The per-subgraph timeout, or the time left before the operation's deadline when that is shorter; undefined: none. */
  timeoutMillis: number | undefined;
}

const fetchScope = new AsyncLocalStorage<FetchScope>();

/** Node's fetch, aborted when the client whose operation it serves goes away or the fetch takes too long. */
const scopedFetch = ((url: string, init?: RequestInit) => {
  const scope = fetchScope.getStore();
  const signals = [scope?.signal, scope?.timeoutMillis === undefined ? undefined : AbortSignal.timeout(scope.timeoutMillis)].filter((signal) => signal !== undefined);
  if (signals.length === 0) return fetch(url, init);
  return fetch(url, { ...init, signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) });
}) as unknown as Fetcher;

export interface SignedContextDataSourceOptions {
  /** The subgraph's name in the supergraph (`inference`); named in the errors clients get when it is unavailable. */
  serviceName: string;
  /** Logs why a subgraph could not be reached (with its URL, which clients never see). */
  logger: Logger;
  /**
   * Longest one subgraph fetch may take, in milliseconds; then it fails as unavailable (timed out).
   * Default: no limit of ours. An operation's deadline (`GatewayContext.deadline`) can shorten it.
   */
  timeoutMillis?: number;
  /** Where fetch durations and failures are counted (`gateway_subgraph_fetch_*`); nowhere when absent. */
  metrics?: ServiceMetrics;
  /** The subgraph's replicas: each fetch goes to one of them (gateway/upstreams/); absent: to `url` itself. */
  pool?: UpstreamPool;
}

/**
 * Sends each subgraph request with the caller's context, signed, so subgraphs know the tenant and
 * roles without trusting anything a client could forge; and cancels it when the client leaves,
 * so the subgraph stops work nobody will read (an engine generation, for one).
 *
 * A subgraph that cannot be reached (connection refused or reset, DNS failure, timeout, a proxy's
 * 502/503/504, a reply that is not GraphQL) answers for it: `SERVICE_UNAVAILABLE`, retryable,
 * naming the subgraph, one error per field the fetch was to resolve (so each has its path), and
 * the rest of the operation keeps the data other subgraphs gave.
 *
 * With an operation deadline in the context, each fetch waits at most the time left before it
 * (or the per-subgraph timeout, if shorter); a fetch due after the deadline is not sent. Either way
 * its fields get SERVICE_UNAVAILABLE (retryable) with `extensions.deadlineMillis`.
 */
export class SignedContextDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #signer: InternalContextSigner;
  readonly #serviceName: string;
  readonly #logger: Logger;
  readonly #timeoutMillis: number | undefined;
  readonly #metrics: SubgraphFetchMetrics | undefined;

  constructor(url: string, signer: InternalContextSigner, options: SignedContextDataSourceOptions) {
    super({ url, fetcher: options.pool === undefined ? scopedFetch : balancedFetch(options.pool, scopedFetch) });
    this.#signer = signer;
    this.#serviceName = options.serviceName;
    this.#logger = options.logger;
    this.#timeoutMillis = options.timeoutMillis;
    this.#metrics = options.metrics?.concern(defineSubgraphFetchMetrics);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const metrics = this.#metrics;
    if (metrics === undefined) return this.#process(options);
    const startedAt = performance.now();
    let failureReason: string | undefined;
    const response = await this.#process(options, (reason) => (failureReason = reason));
    const seconds = (performance.now() - startedAt) / 1000;
    metrics.durationSeconds.observe({ subgraph: this.#serviceName, outcome: failureReason === undefined ? "ok" : "failed" }, seconds);
    if (failureReason !== undefined) metrics.errors.inc({ subgraph: this.#serviceName, reason: failureReason });
    return response;
  }

  /** `process` itself; `onFailure` hears why a fetch got no GraphQL reply (`unavailable`, `deadline`). */
  async #process(options: GraphQLDataSourceProcessOptions<GatewayContext>, onFailure?: (reason: string) => void): Promise<GatewayGraphQLResponse> {
    const signal = "signal" in options.context ? options.context.signal : undefined;
    const deadline = "deadline" in options.context ? options.context.deadline : undefined;
    const budget = fetchBudget(this.#timeoutMillis, deadline);
    let failure: Exclude<SubgraphFailure, { kind: "graphql-response" }>;
    if (deadline !== undefined && budget.timeoutMillis === 0) {
      failure = { kind: "deadline", deadlineMillis: deadline.millis };
    } else {
      try {
        return await fetchScope.run({ signal, timeoutMillis: budget.timeoutMillis }, () => super.process(options));
      } catch (error) {
        if (!(error instanceof SubgraphFetchFailed)) throw error;
        if (error.failure.kind === "graphql-response") return error.failure.response;
        // Our timer cut the fetch, and the deadline's was the shorter: the deadline passed, not the subgraph's timeout.
        const cutByDeadline = deadline !== undefined && budget.boundByDeadline && error.failure.kind === "unavailable" && isAbortedByTimer(error.cause);
        failure = cutByDeadline ? { kind: "deadline", deadlineMillis: deadline.millis } : error.failure;
        if (failure.kind === "unavailable") {
          this.#logger.warn("subgraph unavailable", { subgraph: this.#serviceName, url: this.url, reason: failure.reason, error: error.cause });
        }
      }
    }
    if (failure.kind === "deadline") this.#logger.warn("operation deadline passed", { subgraph: this.#serviceName, deadlineMillis: failure.deadlineMillis });
    onFailure?.(failure.kind);
    const document = options.kind === "incoming operation" ? options.document : undefined;
    return failureResponse(this.#serviceName, failure, options.request, document);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Requests the gateway makes on its own behalf (health checks) carry no caller context.
    if (!("request" in context) || context.request === undefined) return;
    request.http?.headers.set(internalContextHeader, this.#signer.sign(context.request));
    request.http?.headers.set("x-request-id", context.request.requestId);
    // The trace continues in the subgraph under this fetch's span (@apollo/gateway's `gateway.fetch`).
    for (const [name, value] of Object.entries(activeTraceCarrier())) request.http?.headers.set(name, value);
  }

  /** Every failure of the fetch, the status or the body lands here; `process` turns it into a GraphQL answer. */
  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse?: FetcherResponse, context?: GatewayContext, _request?: GatewayGraphQLRequest): void {
    const clientAborted = context !== undefined && "signal" in context && context.signal?.aborted === true;
    throw new SubgraphFetchFailed(classifyFetchError(error, fetchResponse, clientAborted), error);
  }

  /** A 2xx JSON object without `data` or `errors` is not a GraphQL reply (a proxy's, say): the subgraph did not answer. */
  override async didReceiveResponse({ response, context }: { response: GatewayGraphQLResponse; context: GatewayContext }): Promise<GatewayGraphQLResponse> {
    if (!isGraphQLResponse(response)) throw new SubgraphFetchFailed({ kind: "unavailable", reason: "its reply was not GraphQL" });
    // What the subgraph's model calls used, for the operation's `extensions.cost.actual`.
    const metered = readMeteredUsage(response.extensions?.[meteredUsageExtension]);
    if (metered !== undefined && context.metered !== undefined) addMeteredUsage(context.metered, metered);
    return response;
  }
}

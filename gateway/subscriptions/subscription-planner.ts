import { buildOperationContext, type GraphQLDataSource, type ServiceMap } from "@apollo/gateway";
import { operationFromDocument, Supergraph, type Schema } from "@apollo/federation-internals";
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from "@apollo/query-planner";
import { getOperationAST, GraphQLError, isAbstractType, isEnumType, Kind, parse, print, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { LruCache } from "../../platform/cache/lru-cache.ts";

/**
 * Name of the pretend subgraph that "serves" the primary fetch when an event is resolved: the
 * event itself is its answer (see `event-resolver.ts`). Subgraph names never start with `__`.
 */
export const subscriptionEventServiceName = "__subscription_event__";

/** One supergraph, with what planning and executing against it needs. Replaced, never changed, on reload. */
export interface SupergraphSnapshot {
  /** Increments with each supergraph the gateway loads. */
  readonly generation: number;
  /** The schema clients see (what the gateway validates against). */
  readonly apiSchema: GraphQLSchema;
  /** The same schema as the query planner models it. */
  readonly plannerApiSchema: Schema;
  /** The full supergraph, which the executor uses to type entities. */
  readonly supergraphSchema: GraphQLSchema;
  readonly planner: QueryPlanner;
  /** Where each subgraph is (after the gateway's URL overrides). */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  /** Each subgraph's data source, for the entity fetches of an event. */
  readonly serviceMap: ServiceMap;
  /**
   * False when some union or interface has a member, or some enum a value, that clients cannot
   * see (`@inaccessible`): the executor hides those, so events then always go through it.
   */
  readonly clientsSeeEveryMember: boolean;
}

/** A subscription operation checked and planned; shared by every subscription with the same document. */
export interface PreparedSubscription {
  readonly snapshot: SupergraphSnapshot;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly operationContext: ReturnType<typeof buildOperationContext>;
  /** The fetch that opens the subscription on the subgraph owning its root field. */
  readonly primary: FetchNode;
  /** What resolves one event: the primary fetch answered by the event, then the rest of the plan. */
  readonly eventPlan: QueryPlan;
  /**
   * True when an event is already the client's result: the plan has no fetch beyond the primary
   * one, which asks the subgraph for exactly the client's selection (see `answersSelectionAlone`).
   * Such events skip the executor (about 0.3 ms an event).
   */
  readonly passThrough: boolean;
}

export interface SubscriptionPlannerOptions {
  /** The URL to use for a subgraph, given its name and the URL recorded in the supergraph. */
  subgraphUrl: (name: string, recordedUrl: string) => string;
  /** Makes the data source the gateway uses for a subgraph (signs the caller's context). */
  buildDataSource: (subgraph: { name: string; url: string }) => GraphQLDataSource<GatewayContext>;
  /** Most cached plans, in entries. */
  planCacheSize: number;
  logger: Logger;
}

/**
 * Plans subscriptions over the gateway's current supergraph. `@apollo/gateway` plans but does not
 * execute subscriptions, so this keeps its own `QueryPlanner`, rebuilt whenever the gateway loads a
 * supergraph (`update`, wired to `onSchemaLoadOrUpdate`). Plans are cached per (document,
 * operation name) and dropped when the supergraph changes; subscriptions already running keep the
 * snapshot they were planned against.
 */
export class SubscriptionPlanner {
  readonly #options: SubscriptionPlannerOptions;
  readonly #cache: LruCache<string, PreparedSubscription>;
  readonly #dataSources = new Map<string, { url: string; dataSource: GraphQLDataSource<GatewayContext> }>();
  #snapshot: SupergraphSnapshot | undefined;

  constructor(options: SubscriptionPlannerOptions) {
    this.#options = options;
    this.#cache = new LruCache(options.planCacheSize);
  }

  /** The current supergraph, or undefined before the gateway has loaded one. */
  get snapshot(): SupergraphSnapshot | undefined {
    return this.#snapshot;
  }

  /** Plans in the cache (for tests and metrics). */
  get cachedPlans(): number {
    return this.#cache.size;
  }

  /** Takes a supergraph the gateway has just loaded. A supergraph this cannot use is logged and the previous one kept. */
  update({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }): void {
    try {
      // The gateway has validated this supergraph already.
      const supergraph = Supergraph.build(coreSupergraphSdl, { validateSupergraph: false });
      const subgraphUrls = new Map<string, string>();
      const serviceMap: ServiceMap = Object.create(null) as ServiceMap;
      for (const { name, url } of supergraph.subgraphsMetadata()) {
        const resolvedUrl = this.#options.subgraphUrl(name, url);
        subgraphUrls.set(name, resolvedUrl);
        let entry = this.#dataSources.get(name);
        if (entry === undefined || entry.url !== resolvedUrl) {
          entry = { url: resolvedUrl, dataSource: this.#options.buildDataSource({ name, url: resolvedUrl }) };
          this.#dataSources.set(name, entry);
        }
        serviceMap[name] = entry.dataSource;
      }
      const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
      this.#snapshot = {
        generation: (this.#snapshot?.generation ?? 0) + 1,
        apiSchema,
        plannerApiSchema: supergraph.apiSchema(),
        supergraphSchema,
        clientsSeeEveryMember: clientsSeeEveryMember(apiSchema, supergraphSchema),
        planner: new QueryPlanner(supergraph),
        subgraphUrls,
        serviceMap,
      };
      this.#cache.clear();
    } catch (error) {
      this.#options.logger.error("subscriptions cannot use the new supergraph; they keep planning against the previous one", { error });
    }
  }

  /** The prepared subscription for `source` if it is cached: no need to parse it again. */
  cached(source: string, operationName: string | undefined): PreparedSubscription | undefined {
    return this.#snapshot === undefined ? undefined : this.#cache.get(cacheKey(source, operationName));
  }

  /**
   * `document` (the parsed `source`) validated against the current supergraph and planned, or the
   * errors to send the client. Only for subscription operations.
   */
  prepare(source: string, document: DocumentNode, operationName: string | undefined): PreparedSubscription | GraphQLError[] {
    const snapshot = this.#snapshot;
    if (snapshot === undefined) {
      return [new ServiceError(ErrorCode.ServiceUnavailable, "The gateway has not loaded its supergraph yet; try again shortly.")];
    }
    const key = cacheKey(source, operationName);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;

    const validationErrors = validate(snapshot.apiSchema, document);
    if (validationErrors.length > 0) {
      return validationErrors.map(
        (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: "GRAPHQL_VALIDATION_FAILED" } }),
      );
    }
    let plan: QueryPlan;
    try {
      const operation = operationFromDocument(snapshot.plannerApiSchema, document, { operationName });
      plan = snapshot.planner.buildQueryPlan(operation);
    } catch (error) {
      if (error instanceof GraphQLError) {
        return [new GraphQLError(error.message, { extensions: { ...error.extensions, code: error.extensions.code ?? "GRAPHQL_VALIDATION_FAILED" } })];
      }
      this.#options.logger.error("planning a subscription failed", { error });
      return [new ServiceError(ErrorCode.InternalServerError, "The gateway could not plan this subscription.")];
    }
    const root = plan.node;
    if (root?.kind !== "Subscription") {
      this.#options.logger.error("the query planner returned no Subscription node for a subscription", { kind: root?.kind });
      return [new ServiceError(ErrorCode.InternalServerError, "The gateway could not plan this subscription.")];
    }
    const eventFetch: FetchNode = { ...root.primary, serviceName: subscriptionEventServiceName };
    const eventRoot: PlanNode = root.rest === undefined ? eventFetch : { kind: "Sequence", nodes: [eventFetch, root.rest] };
    const prepared: PreparedSubscription = {
      snapshot,
      document,
      operationName,
      operationContext: buildOperationContext({ schema: snapshot.apiSchema, operationDocument: document, ...(operationName === undefined ? {} : { operationName }) }),
      primary: root.primary,
      eventPlan: { kind: "QueryPlan", node: eventRoot },
      passThrough: root.rest === undefined && snapshot.clientsSeeEveryMember && answersSelectionAlone(root.primary, document, operationName),
    };
    this.#cache.set(key, prepared);
    return prepared;
  }
}

/**
 * Whether the subgraph's answer to `primary` is the client's result as is: the fetch selects
 * exactly what the client's operation selects (same fields, aliases, arguments, fragments and
 * directives, compared as printed) and renames or sets nothing. The planner adds `__typename`
 * or key fields, or rewrites fragments, when it needs them; then the two differ and the executor
 * shapes the result.
 */
export function answersSelectionAlone(primary: FetchNode, document: DocumentNode, operationName: string | undefined): boolean {
  if ((primary.inputRewrites?.length ?? 0) > 0 || (primary.outputRewrites?.length ?? 0) > 0 || (primary.contextRewrites?.length ?? 0) > 0) return false;
  if (document.definitions.some((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)) return false;
  const clientOperation = getOperationAST(document, operationName);
  let fetchOperation: OperationDefinitionNode | null | undefined;
  try {
    fetchOperation = getOperationAST(primary.operationDocumentNode ?? parse(primary.operation), primary.operationName);
  } catch {
    return false;
  }
  if (clientOperation === null || clientOperation === undefined || fetchOperation === null || fetchOperation === undefined) return false;
  return print(clientOperation.selectionSet) === print(fetchOperation.selectionSet);
}

/** Whether every union and interface member and every enum value of the supergraph is in the API schema. */
export function clientsSeeEveryMember(apiSchema: GraphQLSchema, supergraphSchema: GraphQLSchema): boolean {
  for (const type of Object.values(apiSchema.getTypeMap())) {
    const inSupergraph = supergraphSchema.getType(type.name);
    if (isAbstractType(type)) {
      if (!isAbstractType(inSupergraph) || supergraphSchema.getPossibleTypes(inSupergraph).length !== apiSchema.getPossibleTypes(type).length) return false;
    } else if (isEnumType(type)) {
      if (!isEnumType(inSupergraph) || inSupergraph.getValues().length !== type.getValues().length) return false;
    }
  }
  return true;
}

function cacheKey(source: string, operationName: string | undefined): string {
  return `${operationName ?? ""}\u0000${source}`;
}

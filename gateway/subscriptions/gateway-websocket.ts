import { randomUUID } from "node:crypto";
import type { ExecutionArgs, FormattedExecutionResult } from "graphql";
import { getOperationAST, getVariableValues, GraphQLError, OperationTypeNode, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { SubscribePayload } from "graphql-ws";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { closeReason, WebSocketCloseCode } from "../../platform/websocket/close-codes.ts";
import { formatExecutionResult, formatGraphQLError } from "../../platform/websocket/format-result.ts";
import { createWebSocketEndpoint, type WebSocketEndpoint } from "../../platform/websocket/websocket-endpoint.ts";
import type { ApiKeyStore } from "../../platform/api-keys/api-key-store.ts";
import { authenticate } from "../authentication.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { resolveSubscriptionEvent } from "./event-resolver.ts";
import { FederatedSubscription } from "./federated-subscription.ts";
import { createSubscriptionErrorFormatter, SubscriptionFailure, tooManyOperations } from "./subscription-errors.ts";
import type { ResolvedSubscriptionOptions } from "./subscription-options.ts";
import type { PreparedSubscription, SubscriptionPlanner } from "./subscription-planner.ts";
import type { UpstreamSubscriptions } from "./upstream-subscriptions.ts";

/** Runs a query or mutation through the gateway's normal HTTP path (Apollo Server's pipeline and plugins). */
export type OperationExecutor = (request: SubscribePayload, context: GatewayContext) => Promise<FormattedExecutionResult>;

export interface GatewayWebSocketOptions {
  apiKeys: ApiKeyStore;
  planner: SubscriptionPlanner;
  upstream: UpstreamSubscriptions;
  executeOperation: OperationExecutor;
  options: ResolvedSubscriptionOptions;
  /** Largest message a client may send, in bytes. */
  maxPayloadBytes: number;
  /** How long stopping waits for clients to answer the close frame, in milliseconds. */
  closeTimeoutMillis: number;
  /** Called when a subscription starts and when it ends (for counts). */
  onSubscriptionCountChange?: (delta: 1 | -1) => void;
  /**
   * The gateway's protection for subscriptions (queries and mutations get it from Apollo Server's
   * plugins): `checkDocument` before a new document is parsed, `checkOperation` (the cost analysis)
   * before each subscription starts. Each returns the refusal, or undefined.
   */
  guard?: SubscriptionGuard;
  logger: Logger;
}

export interface SubscriptionGuard {
  checkDocument(source: string, apiSchema: GraphQLSchema): GraphQLError | undefined;
  checkOperation(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, caller: RequestContext): Promise<GraphQLError | undefined>;
}

/** What a client socket carries between graphql-ws callbacks. */
interface GatewaySocketState extends Record<PropertyKey, unknown> {
  /** Who opened the socket; each operation gets its own request id. */
  caller: RequestContext;
  /** The credentials the socket opened with, checked again for every operation. */
  authorization: string;
}

/** The graphql-ws context value of one operation, made in `onSubscribe`. */
type OperationContext =
  | { kind: "subscription"; caller: RequestContext; prepared: PreparedSubscription; payload: SubscribePayload; variables: Record<string, unknown> }
  | { kind: "operation"; caller: RequestContext; payload: SubscribePayload };

/**
 * The gateway's graphql-ws server, at the same URL as HTTP GraphQL.
 *
 * - Authentication: `connection_init` carries `{ authorization: "Bearer <api key>" }` (or the
 *   upgrade request's `Authorization` header); the same rules and store as HTTP. Missing or
 *   invalid: the socket is closed with 4401 and the reason. Store unreachable: 1013 (try again later).
 * - Subscriptions: planned over the supergraph, the primary fetch forwarded to its subgraph over
 *   graphql-ws, each event resolved through the federated executor.
 * - Queries and mutations: executed through Apollo Server (`executeOperation`) with the socket's
 *   caller, so they behave exactly as over HTTP (same plugins, errors, limits).
 */
export function createGatewayWebSocketEndpoint(settings: GatewayWebSocketOptions): WebSocketEndpoint {
  const { apiKeys, planner, upstream, options, logger } = settings;
  const formatError = createSubscriptionErrorFormatter(logger);

  return createWebSocketEndpoint<Record<string, unknown>, GatewaySocketState>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMillis,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const fromParams = params.authorization ?? params.Authorization;
        const authorization = typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization;
        const requestIdParam = params["x-request-id"];
        const requestIdHeader = ctx.extra.request.headers["x-request-id"];
        const requestId = typeof requestIdParam === "string" ? requestIdParam : typeof requestIdHeader === "string" ? requestIdHeader : undefined;
        try {
          if (authorization === undefined) {
            throw new ServiceError(ErrorCode.Unauthenticated, 'Missing credentials: send connection params { "authorization": "Bearer <api key>" }.');
          }
          ctx.extra.caller = await authenticate(authorization, requestId, apiKeys, "the connection parameter `authorization`");
          ctx.extra.authorization = authorization;
          return true;
        } catch (error) {
          if (error instanceof ServiceError && error.code === ErrorCode.Unauthenticated) {
            ctx.extra.socket.close(WebSocketCloseCode.Unauthorized, closeReason(`Unauthorized: ${error.message}`));
          } else {
            logger.error("websocket authentication failed", { error });
            ctx.extra.socket.close(WebSocketCloseCode.TryAgainLater, "Authentication is unavailable; try again later.");
          }
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const connectionCaller = ctx.extra.caller;
        if (connectionCaller === undefined || ctx.extra.authorization === undefined) throw new Error("graphql-ws ran onSubscribe on an unauthenticated socket");
        // The key is checked again for every operation, so a revoked key starts nothing new on a
        // socket opened before the revocation (subscriptions already running run to their end).
        try {
          await authenticate(ctx.extra.authorization, undefined, apiKeys, "the connection parameter `authorization`");
        } catch (error) {
          if (error instanceof ServiceError) return [error];
          throw error;
        }
        if (Object.keys(ctx.subscriptions).length > options.maxOperationsPerConnection) return [tooManyOperations(options.maxOperationsPerConnection)];
        const snapshot = planner.snapshot;
        if (snapshot === undefined) return [new ServiceError(ErrorCode.ServiceUnavailable, "The gateway has not loaded its supergraph yet; try again shortly.")];
        const operationName = payload.operationName ?? undefined;
        const caller: RequestContext = { ...connectionCaller, requestId: randomUUID() };
        // Most subscriptions repeat a document already planned: reuse its parsed form (10,000
        // idle subscriptions would otherwise keep 10,000 copies of one AST).
        let prepared = planner.cached(payload.query, operationName);
        if (prepared === undefined) {
          const refused = settings.guard?.checkDocument(payload.query, snapshot.apiSchema);
          if (refused !== undefined) return [refused];
          let document: DocumentNode;
          try {
            document = parse(payload.query);
          } catch (error) {
            return [new GraphQLError((error as Error).message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
          }
          const operation = getOperationAST(document, operationName);
          if (operation === null || operation === undefined) {
            return [
              new GraphQLError(operationName === undefined ? "Send exactly one operation, or name the one to run in operationName." : `Unknown operation named "${operationName}".`, {
                extensions: { code: "OPERATION_RESOLUTION_FAILURE" },
              }),
            ];
          }
          if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
            const contextValue: OperationContext = { kind: "operation", caller, payload };
            return { schema: snapshot.apiSchema, document, ...(operationName === undefined ? {} : { operationName }), contextValue };
          }
          const planned = planner.prepare(payload.query, document, operationName);
          if (Array.isArray(planned)) return planned;
          prepared = planned;
        }
        const coerced = getVariableValues(prepared.snapshot.apiSchema, prepared.operationContext.operation.variableDefinitions ?? [], payload.variables ?? {});
        if (coerced.errors !== undefined) {
          return coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BadUserInput } }));
        }
        const refusedOperation = await settings.guard?.checkOperation(prepared.document, prepared.operationContext.operation, payload.variables ?? {}, caller);
        if (refusedOperation !== undefined) return [refusedOperation];
        logger.debug("subscription started", { id, requestId: caller.requestId, serviceName: prepared.primary.serviceName });
        const contextValue: OperationContext = { kind: "subscription", caller, prepared, payload, variables: payload.variables ?? {} };
        return { schema: prepared.snapshot.apiSchema, document: prepared.document, ...(operationName === undefined ? {} : { operationName }), contextValue };
      },
      execute: async (args) => {
        const context = args.contextValue as OperationContext;
        if (context.kind !== "operation") throw new Error("execute called for a subscription");
        // Already formatted by Apollo Server; `onNext` sends it as is.
        return (await settings.executeOperation(context.payload, { request: context.caller })) as never;
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        if (context.kind !== "subscription") throw new Error("subscribe called for a query or mutation");
        const { prepared, caller, payload, variables } = context;
        const { primary } = prepared;
        const url = prepared.snapshot.subgraphUrls.get(primary.serviceName);
        settings.onSubscriptionCountChange?.(1);
        return new FederatedSubscription({
          maxBufferedEvents: options.maxBufferedEvents,
          logger,
          onEnded: () => settings.onSubscriptionCountChange?.(-1),
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
                payload: { query: primary.operation, variables: primaryVariables, ...(primary.operationName === undefined ? {} : { operationName: primary.operationName }) },
              },
              handlers,
            );
          },
          resolveEvent: (event) => resolveSubscriptionEvent({ prepared, event, variables, source: payload.query, caller, logger }),
        });
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as OperationContext;
        return context.kind === "operation" ? (result as FormattedExecutionResult) : formatExecutionResult(result, formatError);
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.flatMap((error) => (error.originalError instanceof SubscriptionFailure ? error.originalError.errors : [error])).map((error) => formatGraphQLError(error, formatError)),
    },
    { maxPayloadBytes: settings.maxPayloadBytes, closeTimeoutMillis: settings.closeTimeoutMillis, logger },
  );
}

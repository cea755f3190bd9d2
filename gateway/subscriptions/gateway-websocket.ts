import { randomUUID } from "node:crypto";
import type { ExecutionArgs, FormattedExecutionResult, GraphQLError } from "graphql";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { closeReason, WebSocketCloseCode } from "../../platform/websocket/close-codes.ts";
import { createWebSocketEndpoint, type WebSocketEndpoint } from "../../platform/websocket/websocket-endpoint.ts";
import type { ApiKeyStore } from "../../platform/api-keys/api-key-store.ts";
import { authenticate } from "../authentication.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { SubscriptionFailure, tooManyOperations } from "./subscription-errors.ts";
import type { ResolvedSubscriptionOptions } from "./subscription-options.ts";
import type { OperationPayload, SubscriptionOperation, SubscriptionStarter } from "./subscription-starter.ts";

export type { SubscriptionGuard } from "./subscription-starter.ts";

/** Runs a query or mutation through the gateway's normal HTTP path (Apollo Server's pipeline and plugins). */
export type OperationExecutor = (request: OperationPayload, context: GatewayContext) => Promise<FormattedExecutionResult>;

export interface GatewayWebSocketOptions {
  apiKeys: ApiKeyStore;
  /** Checks, plans and starts operations (shared with the HTTP transports: same limits, same errors). */
  starter: SubscriptionStarter;
  executeOperation: OperationExecutor;
  options: ResolvedSubscriptionOptions;
  /** Largest message a client may send, in bytes. */
  maxPayloadBytes: number;
  /** How long stopping waits for clients to answer the close frame, in milliseconds. */
  closeTimeoutMillis: number;
  /**
   * Applies the persisted documents rules to each `subscribe` payload, as HTTP does to each request
   * (gateway/persisted-documents/): a `documentId` (or APQ hash) becomes the manifest's document, and
   * in `only` mode other documents are refused. Default: payloads run as sent.
   */
  resolvePersistedDocument?: (payload: OperationPayload) => Promise<OperationPayload>;
  logger: Logger;
}

/** What a client socket carries between graphql-ws callbacks. */
interface GatewaySocketState extends Record<PropertyKey, unknown> {
  /** Who opened the socket; each operation gets its own request id. */
  caller: RequestContext;
  /** The credentials the socket opened with, checked again for every operation. */
  authorization: string;
}

/** The graphql-ws context value of one operation, made in `onSubscribe`. */
type OperationContext = { kind: "subscription"; subscription: SubscriptionOperation } | { kind: "operation"; caller: RequestContext; payload: OperationPayload };

/**
 * The gateway's graphql-ws server, at the same URL as HTTP GraphQL.
 *
 * - Authentication: `connection_init` carries `{ authorization: "Bearer <api key>" }` (or the
 *   upgrade request's `Authorization` header); the same rules and store as HTTP. Missing or
 *   invalid: the socket is closed with 4401 and the reason. Store unreachable: 1013 (try again later).
 * - Persisted documents: the same modes as HTTP (`resolvePersistedDocument`): send
 *   `{ query: "", documentId: "sha256:<hex>" }` (or an APQ `extensions.persistedQuery.sha256Hash`).
 * - Subscriptions: checked, planned and started by the `SubscriptionStarter` the HTTP transports
 *   (SSE, multipart) share; the socket adds its own limit, `maxOperationsPerConnection`.
 * - Queries and mutations: executed through Apollo Server (`executeOperation`) with the socket's
 *   caller, so they behave exactly as over HTTP (same plugins, errors, limits).
 */
export function createGatewayWebSocketEndpoint(settings: GatewayWebSocketOptions): WebSocketEndpoint {
  const { apiKeys, starter, options, logger } = settings;

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
            throw new ServiceError(ErrorCode.Unauthenticated, 'Missing credentials: send connection params { "authorization": "Bearer <api key or JWT>" }.');
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
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
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
        let operation: OperationPayload;
        try {
          operation = (await settings.resolvePersistedDocument?.(payload)) ?? payload;
        } catch (error) {
          if (error instanceof ServiceError) return [error];
          throw error;
        }
        if (operation.query === "") return [new ServiceError(ErrorCode.PersistedDocumentNotFound, "The operation has no document: send its text as `query`, or a `documentId` of the persisted documents manifest.")];
        const prepared = await starter.prepare(operation, { ...connectionCaller, requestId: randomUUID() });
        switch (prepared.kind) {
          case "refused":
            return prepared.errors;
          case "operation": {
            const contextValue: OperationContext = { kind: "operation", caller: prepared.caller, payload: operation };
            return { schema: prepared.schema, document: prepared.document, ...(prepared.operationName === undefined ? {} : { operationName: prepared.operationName }), contextValue };
          }
          case "subscription": {
            const contextValue: OperationContext = { kind: "subscription", subscription: prepared };
            const { snapshot, document } = prepared.prepared;
            return { schema: snapshot.apiSchema, document, ...(prepared.operationName === undefined ? {} : { operationName: prepared.operationName }), contextValue };
          }
        }
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
        return starter.start(context.subscription);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as OperationContext;
        return context.kind === "operation" ? (result as FormattedExecutionResult) : starter.formatResult(result);
      },
      onError: (_ctx, _id, _payload, errors) => starter.formatErrors(errors.map((error) => (error.originalError instanceof SubscriptionFailure ? error.originalError : error))),
    },
    { maxPayloadBytes: settings.maxPayloadBytes, closeTimeoutMillis: settings.closeTimeoutMillis, logger },
  );
}

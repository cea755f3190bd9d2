import type { DocumentNode, ExecutionArgs, GraphQLError, GraphQLSchema } from "graphql";
import { internalContextHeader, type InternalContextSigner } from "../context/internal-context-token.ts";
import type { RequestContext } from "../context/request-context.ts";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";
import { ValidatedDocuments } from "../graphql/validated-documents.ts";
import type { Logger } from "../logging/logger.ts";
import { startOperationSpan, traceSubscription } from "../tracing/server-span.ts";
import type { Span } from "@opentelemetry/api";
import { closeReason, WebSocketCloseCode } from "./close-codes.ts";
import { formatExecutionResult, formatGraphQLError, type ErrorFormatter } from "./format-result.ts";
import { createWebSocketEndpoint, type WebSocketEndpoint, type WebSocketEndpointSettings } from "./websocket-endpoint.ts";
import { subscribeYieldingPerEvent } from "./yielding-subscribe.ts";

export interface SubgraphWebSocketOptions<Context> extends Omit<WebSocketEndpointSettings, "logger"> {
  /** The subgraph's executable schema (the one its Apollo Server serves). */
  schema: GraphQLSchema;
  /** Verifies the signed request context the gateway sends in the connection parameters. */
  signer: InternalContextSigner;
  /** Builds the context of one operation from the verified caller, as the HTTP endpoint does. */
  context: (request: RequestContext) => Context | Promise<Context>;
  /** Formats each outgoing error; pass the service's Apollo `formatError` so both transports mask alike. Default: as graphql-js formats them. */
  formatError?: ErrorFormatter;
  /** Most operation documents kept parsed and validated, by their text. Documents. Default 500. */
  documentCacheSize?: number;
  /** How long a new socket may take to send `connection_init`, in milliseconds. Default 3,000. */
  connectionInitTimeoutMillis?: number;
  logger: Logger;
}

/** What a subgraph socket carries between graphql-ws callbacks. */
interface SubgraphSocketState extends Record<PropertyKey, unknown> {
  /** The caller the connection was opened with: that of operations without their own signed context. */
  requestContext: RequestContext;
}

/**
 * graphql-ws for a subgraph, on the same port and path as its HTTP endpoint (pass it as
 * `webSocket` to `startServiceServer`). Like HTTP requests, connections must come from the
 * gateway: `connection_init` must carry `{ "x-internal-context": <signed context> }`, else the
 * socket is closed with 4401 (Unauthorized). The gateway shares one connection among many
 * callers' subscriptions, each carrying its caller's signed context in
 * `extensions["x-internal-context"]`; an operation without one runs as the connection's caller,
 * one with an invalid one is refused (UNAUTHENTICATED) and the socket stays open.
 *
 * ```ts
 * startServiceServer<InferenceContext>({
 *   ...serverSettings(config),
 *   createApolloServer: (plugins) => new ApolloServer({ schema, plugins, ...apolloServerDefaults(config, logger) }),
 *   context: async (request) => createInferenceContext(readRequestContext(request, signer)),
 *   webSocket: createSubgraphWebSocketEndpoint({
 *     schema, signer, logger, formatError: createErrorFormatter(logger),
 *     maxPayloadBytes: config.maximumRequestBodyBytes,
 *     context: (request) => createInferenceContext(request),
 *   }),
 * });
 * ```
 *
 * Subscription resolvers should return iterators whose `return()` stops the work at once (not an
 * `async function*` suspended in an `await`): the gateway calls it as soon as the client leaves.
 */
export function createSubgraphWebSocketEndpoint<Context>(options: SubgraphWebSocketOptions<Context>): WebSocketEndpoint {
  const { schema, signer, logger, formatError } = options;
  const documents = new ValidatedDocuments(schema, options.documentCacheSize ?? 500);
  // The span of each operation, from `onSubscribe` (which reads its `traceparent`) to `subscribe` (which runs under it).
  const operationSpans = new WeakMap<ExecutionArgs, Span>();
  return createWebSocketEndpoint<Record<string, unknown>, SubgraphSocketState>(
    {
      schema,
      connectionInitWaitTimeout: options.connectionInitTimeoutMillis ?? 3_000,
      // Each event is executed and sent after the work it queued: a token's delivery no longer
      // delays the engine's next decode (see yielding-subscribe.ts).
      subscribe: (args) => traceSubscription(operationSpans.get(args), () => subscribeYieldingPerEvent(args)),
      onConnect: (ctx) => {
        const token = ctx.connectionParams?.[internalContextHeader];
        const requestContext = typeof token === "string" ? signer.verify(token) : undefined;
        if (requestContext === undefined) {
          logger.warn("websocket refused: missing or invalid signed context");
          ctx.extra.socket.close(
            WebSocketCloseCode.Unauthorized,
            closeReason(`Unauthorized: this service only accepts connections from the gateway (missing or invalid ${internalContextHeader}).`),
          );
          return false;
        }
        ctx.extra.requestContext = requestContext;
        return true;
      },
      // Everything that can fail for one operation is checked here and answered as that
      // operation's errors: graphql-ws closes the whole socket (4500) on a throw in its own parse
      // or its `context` callback, and the gateway multiplexes many callers on it.
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const token = payload.extensions?.[internalContextHeader];
        const caller = token === undefined ? ctx.extra.requestContext : typeof token === "string" ? signer.verify(token) : undefined;
        if (caller === undefined) {
          logger.warn("operation refused: invalid signed context in its extensions", { id });
          return [new ServiceError(ErrorCode.Unauthenticated, `Unauthorized: the operation's ${internalContextHeader} is missing, forged or expired.`)];
        }
        const document = documents.get(payload.query);
        if (Array.isArray(document)) return document;
        // graphql-ws has checked the message's shape: variables are an object or absent.
        const variables = payload.variables ?? undefined;
        let contextValue: object;
        try {
          contextValue = (await options.context(caller)) as object;
        } catch (error) {
          if (error instanceof ServiceError) return [error];
          logger.error("building an operation's context failed", { id, error });
          return [new ServiceError(ErrorCode.InternalServerError, "Internal server error")];
        }
        const executionArgs: ExecutionArgs = {
          schema,
          document: document as DocumentNode,
          contextValue,
          ...(payload.operationName === undefined || payload.operationName === null ? {} : { operationName: payload.operationName }),
          ...(variables === undefined ? {} : { variableValues: variables }),
        };
        // The gateway puts the caller's trace context in `extensions` (one shared connection carries many callers).
        const span = startOperationSpan(payload.operationName, payload.extensions);
        if (span !== undefined) operationSpans.set(executionArgs, span);
        return executionArgs;
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result, formatError),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatGraphQLError(error, formatError)),
    },
    { ...options, logger },
  );
}

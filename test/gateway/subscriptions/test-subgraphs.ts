/**
 * TEST DOUBLES: two small subgraphs that exist only for the subscription tests and benchmark.
 *
 * - `ticker` (HTTP + graphql-ws): `Subscription.ticks` streams numbered `Tick`s; each references
 *   an `Item` it cannot resolve itself. It records every stream it starts and when its iterator's
 *   `return()` is called, so tests can assert upstream cancellation.
 * - `items` (HTTP + graphql-ws): owns `Item`, resolves it as an entity for the ticks, and has a
 *   small subscription of its own (`itemFeed`), a second healthy path.
 *
 * Both run the real platform code (`startServiceServer`, `createSubgraphWebSocketEndpoint`,
 * signed-context checks) on free ports.
 */
import { performance } from "node:perf_hooks";
import type { Socket } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse, type DocumentNode } from "graphql";
import { InternalContextSigner } from "../../../platform/context/internal-context-token.ts";
import { readRequestContext } from "../../../platform/context/read-request-context.ts";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { createErrorFormatter } from "../../../platform/errors/format-error.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { startServiceServer, type RunningService } from "../../../platform/http/service-server.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { createSubgraphWebSocketEndpoint } from "../../../platform/websocket/subgraph-websocket.ts";

/** The ticker's SDL; `squared` is left out of the "v1" supergraph to test hot reload. */
export function tickerTypeDefs(options: { withSquared: boolean } = { withSquared: true }): DocumentNode {
  return parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Item @key(fields: "id", resolvable: false) { id: ID! }
    type Tick {
      n: Int!
      item: Item!
      "Tenant of the signed context the ticker received."
      tenant: String!
      "Request id of the signed context the ticker received."
      requestId: String!
      "payloadBytes characters of filler."
      payload: String!
      ${options.withSquared ? "squared: Int!" : ""}
    }
    type Query { tickerStatus: String! }
    type Subscription {
      "count ticks, the first at once, then one every intervalMillis (0: as fast as possible). count < 0 is refused with BAD_USER_INPUT."
      ticks(count: Int!, intervalMillis: Int!, payloadBytes: Int = 0): Tick!
    }
  `);
}

export const itemsTypeDefs: DocumentNode = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Item @key(fields: "id") {
    id: ID!
    name: String!
    "Tenant of the signed context on the entity fetch."
    tenant: String!
  }
  type Query { item(id: ID!): Item }
  type Mutation { renameItem(id: ID!, name: String!): Item! }
  type Subscription { itemFeed(count: Int!): Item! }
`);

/** One stream the ticker started. */
export interface TickStreamRecord {
  args: { count: number; intervalMillis: number; payloadBytes: number };
  tenantId: string;
  requestId: string;
  startedAt: number;
  /** Ticks handed to graphql-ws. */
  emitted: number;
  /** `performance.now()` when the iterator's `return()` was called (the stream was cancelled). */
  returnedAt: number | undefined;
  /** Whether it ran to its count. */
  completed: boolean;
}

export interface TestSubgraph {
  name: string;
  service: RunningService;
  /** WebSocket upgrade requests received so far (connections opened to it). */
  webSocketUpgrades(): number;
  /** Ends the process's part abruptly: every TCP connection destroyed (no close frames), the port closed. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface TickerSubgraph extends TestSubgraph {
  streams: TickStreamRecord[];
  /** Streams started and not yet ended. */
  activeStreams(): number;
}

type TickerContext = { request: RequestContext };

interface TickArgs {
  count: number;
  intervalMillis: number;
  payloadBytes: number;
}

/**
 * A hand-written iterator (not an `async function*`) so `return()` is seen at once, as the
 * inference subgraph must do to stop a generation when the client leaves.
 */
function tickStream(args: TickArgs, context: TickerContext, record: TickStreamRecord): AsyncIterableIterator<{ ticks: Record<string, unknown> }> {
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let pending: ((result: IteratorResult<{ ticks: Record<string, unknown> }>) => void) | undefined;
  let ended = false;
  const end = (result: IteratorResult<{ ticks: Record<string, unknown> }>) => {
    ended = true;
    if (timer !== undefined) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    const resolve = pending;
    pending = undefined;
    resolve?.(result);
  };
  const filler = "x".repeat(args.payloadBytes);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (ended) return Promise.resolve({ done: true, value: undefined });
      if (record.emitted >= args.count) {
        record.completed = true;
        end({ done: true, value: undefined });
        return Promise.resolve({ done: true, value: undefined });
      }
      return new Promise((resolve) => {
        pending = resolve;
        const emit = () => {
          timer = undefined;
          pending = undefined;
          record.emitted += 1;
          const n = record.emitted;
          resolve({
            done: false,
            value: {
              ticks: { n, item: { id: String(((n - 1) % 3) + 1) }, tenant: context.request.tenantId, requestId: context.request.requestId, payload: filler, squared: n * n },
            },
          });
        };
        if (record.emitted === 0) timer = setImmediate(emit);
        else if (args.intervalMillis === 0) timer = setImmediate(emit);
        else timer = setTimeout(emit, args.intervalMillis);
      });
    },
    return() {
      record.returnedAt ??= performance.now();
      end({ done: true, value: undefined });
      return Promise.resolve({ done: true, value: undefined });
    },
  };
}

const itemNames: Record<string, string> = { "1": "alpha", "2": "beta", "3": "gamma" };

async function startTestSubgraph<Context extends { request: RequestContext }>(
  name: string,
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<Context>,
  signer: InternalContextSigner,
): Promise<TestSubgraph> {
  const logger = createLogger(name, "error");
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
  const sockets = new Set<Socket>();
  let upgrades = 0;
  const service = await startServiceServer<Context>({
    name,
    host: "127.0.0.1",
    port: 0,
    maximumBodyBytes: 1_048_576,
    stopGracePeriodMillis: 1_000,
    logger,
    createApolloServer: (plugins) => new ApolloServer<Context>({ schema, plugins: [...plugins, ApolloServerPluginInlineTraceDisabled()], formatError: createErrorFormatter(logger) }),
    context: async (request) => ({ request: readRequestContext(request, signer) }) as Context,
    webSocket: createSubgraphWebSocketEndpoint<Context>({
      schema,
      signer,
      logger,
      formatError: createErrorFormatter(logger),
      context: (request) => ({ request }) as Context,
      closeTimeoutMillis: 500,
    }),
    configureHttpServer: (httpServer) =>
      httpServer
        .on("connection", (socket: Socket) => {
          sockets.add(socket);
          socket.once("close", () => sockets.delete(socket));
        })
        .on("upgrade", () => (upgrades += 1)),
  });
  let killed = false;
  return {
    name,
    service,
    webSocketUpgrades: () => upgrades,
    kill: async () => {
      killed = true;
      const closed = new Promise<void>((resolve) => service.httpServer.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    stop: async () => {
      if (!killed) await service.stop();
    },
  };
}

export async function startTickerSubgraph(signer: InternalContextSigner): Promise<TickerSubgraph> {
  const streams: TickStreamRecord[] = [];
  const resolvers = {
    Query: { tickerStatus: () => "ok" },
    Subscription: {
      ticks: {
        subscribe: (_source: unknown, args: { count: number; intervalMillis: number; payloadBytes?: number }, context: TickerContext) => {
          if (args.count < 0) throw new ServiceError(ErrorCode.BadUserInput, "count must be 0 or more.", { field: "count" });
          const record: TickStreamRecord = {
            args: { count: args.count, intervalMillis: args.intervalMillis, payloadBytes: args.payloadBytes ?? 0 },
            tenantId: context.request.tenantId,
            requestId: context.request.requestId,
            startedAt: performance.now(),
            emitted: 0,
            returnedAt: undefined,
            completed: false,
          };
          streams.push(record);
          return tickStream(record.args, context, record);
        },
        resolve: (payload: { ticks: unknown }) => payload.ticks,
      },
    },
  };
  const subgraph = await startTestSubgraph<TickerContext>("ticker", tickerTypeDefs(), resolvers as unknown as GraphQLResolverMap<TickerContext>, signer);
  return {
    ...subgraph,
    streams,
    activeStreams: () => streams.filter((stream) => stream.returnedAt === undefined && !stream.completed).length,
  };
}

export async function startItemsSubgraph(signer: InternalContextSigner): Promise<TestSubgraph> {
  const names = { ...itemNames };
  const item = (id: string, context: TickerContext) => (names[id] === undefined ? null : { id, name: names[id], tenant: context.request.tenantId });
  const resolvers = {
    Item: { __resolveReference: (reference: { id: string }, context: TickerContext) => item(reference.id, context) },
    Query: { item: (_source: unknown, { id }: { id: string }, context: TickerContext) => item(id, context) },
    Mutation: {
      renameItem: (_source: unknown, { id, name }: { id: string; name: string }, context: TickerContext) => {
        if (names[id] === undefined) throw new ServiceError(ErrorCode.BadUserInput, `No item ${id}.`, { field: "id" });
        names[id] = name;
        return item(id, context);
      },
    },
    Subscription: {
      itemFeed: {
        subscribe: async function* (_source: unknown, { count }: { count: number }, context: TickerContext) {
          for (let index = 0; index < count; index += 1) yield { itemFeed: item(String((index % 3) + 1), context) };
        },
      },
    },
  };
  return startTestSubgraph<TickerContext>("items", itemsTypeDefs, resolvers as unknown as GraphQLResolverMap<TickerContext>, signer);
}

/** The signing secret every test service shares. */
export const testSigningSecret = "subscription-tests-signing-secret-0123456789";

export function testSigner(): InternalContextSigner {
  return new InternalContextSigner(testSigningSecret);
}

import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import type { DocumentNode, FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { IssuedApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import { issueApiKey } from "../../../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "../../../gateway/config.ts";
import { startGateway, type RunningGateway } from "../../../gateway/service.ts";
import { createApiKeyStore } from "../../../platform/api-keys/create-api-key-store.ts";
import type { SubscriptionOptions } from "../../../gateway/subscriptions/subscription-options.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../../platform/storage/shared-infrastructure.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { testRateLimits } from "../../harness/test-rate-limits.ts";
import { itemsTypeDefs, startItemsSubgraph, startTickerSubgraph, testSigner, testSigningSecret, tickerTypeDefs, type TestSubgraph, type TickerSubgraph } from "./test-subgraphs.ts";

export interface SubscriptionTestStack {
  gateway: RunningGateway;
  ticker: TickerSubgraph;
  items: TestSubgraph;
  /** A member key of tenant `tenant-a`. */
  key: IssuedApiKey;
  /** `ws://…/graphql` of the gateway. */
  webSocketUrl: string;
  supergraphPath: string;
  /** Composes the test subgraphs again and writes the supergraph file (hot reload); `tickerUrl` moves the ticker. */
  writeSupergraph(options: { tickerWithSquared: boolean; tickerUrl?: string }): Promise<void>;
  stop(): Promise<void>;
}

export function composeTestSupergraph(subgraphs: { name: string; url: string; typeDefs: DocumentNode }[]): string {
  const result = composeServices(subgraphs);
  if (result.errors !== undefined) throw new Error(`test composition failed: ${result.errors.map((error) => error.message).join("; ")}`);
  return result.supergraphSdl;
}

/**
 * The real gateway (`startGateway`) over the two test subgraphs, all in this process on free
 * ports, with a member API key. The first supergraph leaves out `Tick.squared`.
 */
export async function startSubscriptionTestStack(
  options: { subscriptions?: SubscriptionOptions; watchSupergraph?: boolean; /** More gateway variables (CORS, JWT...). */ environment?: NodeJS.ProcessEnv } = {},
): Promise<SubscriptionTestStack> {
  const directory = await temporaryDirectory("subscription-tests");
  const signer = testSigner();
  const ticker = await startTickerSubgraph(signer);
  const items = await startItemsSubgraph(signer);
  const supergraphPath = join(directory, "supergraph.graphql");
  const writeSupergraph = async ({ tickerWithSquared, tickerUrl }: { tickerWithSquared: boolean; tickerUrl?: string }) => {
    const sdl = composeTestSupergraph([
      { name: "ticker", url: tickerUrl ?? ticker.service.graphqlUrl, typeDefs: tickerTypeDefs({ withSquared: tickerWithSquared }) },
      { name: "items", url: items.service.graphqlUrl, typeDefs: itemsTypeDefs },
    ]);
    // Written whole then renamed, as a deployment would, so the watcher never reads half a file.
    await writeFile(`${supergraphPath}.tmp`, sdl);
    await rename(`${supergraphPath}.tmp`, supergraphPath);
  };
  await writeSupergraph({ tickerWithSquared: false });
  const config = loadGatewayConfig({
    DATA_DIR: directory,
    SUPERGRAPH_PATH: supergraphPath,
    SUPERGRAPH_WATCH: String(options.watchSupergraph ?? false),
    GATEWAY_PORT: "0",
    LOG_LEVEL: "error",
    SHUTDOWN_GRACE_PERIOD_MILLIS: "1000",
    INTERNAL_SIGNING_SECRET: testSigningSecret,
    ...testRateLimits,
    ...options.environment,
  });
  const gateway = await startGateway(config, createLogger("gateway", "error"), options.subscriptions === undefined ? {} : { subscriptions: options.subscriptions });
  const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
  const key = await issueApiKey(createApiKeyStore(config, infrastructure), "tenant-a", ["member"], "subscription tests");
  await infrastructure.close();
  let stopped = false;
  return {
    gateway,
    ticker,
    items,
    key,
    webSocketUrl: gateway.graphqlUrl.replace(/^http/, "ws"),
    supergraphPath,
    writeSupergraph,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await gateway.stop();
      await ticker.stop();
      await items.stop();
    },
  };
}

/** A graphql-ws client of the gateway that never retries (tests want to see every failure). */
export function gatewayClient(url: string, apiKey: string | undefined): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
  });
}

/** How a subscription ended, with everything it delivered. */
export interface CollectedStream {
  events: FormattedExecutionResult[];
  /** `error` message payload, or the close event that ended the socket. */
  error: readonly GraphQLFormattedError[] | { code: number; reason: string } | undefined;
  completed: boolean;
}

export interface RunningStream {
  events: FormattedExecutionResult[];
  /** Resolves once the stream has ended, however. */
  ended: Promise<CollectedStream>;
  /** Completes the subscription from the client side (graphql-ws `complete`). */
  cancel(): void;
}

/** Subscribes and records events; `onEvent` may cancel after some. */
export function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}, onEvent?: (event: FormattedExecutionResult, stream: RunningStream) => void): RunningStream {
  const events: FormattedExecutionResult[] = [];
  let resolveEnded: (value: CollectedStream) => void = () => undefined;
  const ended = new Promise<CollectedStream>((resolve) => {
    resolveEnded = resolve;
  });
  let cancel: () => void = () => undefined;
  const stream: RunningStream = { events, ended, cancel: () => cancel() };
  cancel = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        events.push(value as FormattedExecutionResult);
        onEvent?.(value as FormattedExecutionResult, stream);
      },
      error: (error) => {
        const normalized = Array.isArray(error)
          ? (error as GraphQLFormattedError[])
          : typeof error === "object" && error !== null && "code" in error
            ? { code: (error as { code: number }).code, reason: String((error as { reason?: unknown }).reason ?? "") }
            : [{ message: String(error) }];
        resolveEnded({ events, error: normalized, completed: false });
      },
      complete: () => resolveEnded({ events, error: undefined, completed: true }),
    },
  );
  return stream;
}

/** Runs a query or mutation over the socket and returns its one result. */
export async function executeOverSocket(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<FormattedExecutionResult> {
  const { events, error } = await subscribe(client, query, variables).ended;
  if (error !== undefined) throw new Error(`operation failed: ${JSON.stringify(error)}`);
  const [result] = events;
  if (result === undefined) throw new Error("no result");
  return withoutExtensions(result);
}

/**
 * `result` without `extensions`: the gateway puts `extensions.cost` on every response (tested in
 * test/gateway/operation-cost.test.ts); these tests compare data and errors.
 */
function withoutExtensions(result: FormattedExecutionResult): FormattedExecutionResult {
  const { extensions: _extensions, ...rest } = result;
  return rest;
}

/** Waits until `condition` holds, polling every 5 ms, or fails after `timeoutMillis`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMillis: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** POSTs a GraphQL request to the gateway over HTTP. */
export async function postGraphQL(url: string, apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: FormattedExecutionResult }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: withoutExtensions((await response.json()) as FormattedExecutionResult) };
}

/** `extensions.code` of the first error of an `error` message, if the stream ended with one. */
export function firstErrorCode(error: CollectedStream["error"]): unknown {
  return Array.isArray(error) ? (error as readonly GraphQLFormattedError[])[0]?.extensions?.code : undefined;
}

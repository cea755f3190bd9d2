import { join } from "node:path";
import { z } from "zod";
import { defaultPersistedDocumentsMode, persistedDocumentsEnvironment, type PersistedDocumentsSettings } from "./persisted-documents/persisted-documents-settings.ts";
import type { CorsSettings } from "../platform/http/cors.ts";
import { corsEnvironment, toCorsSettings } from "./cors/cors-settings.ts";
import { jwtEnvironment, toJwtSettings, type JwtSettings } from "./jwt/jwt-settings.ts";
import { commonEnvironment, toCommonConfig, type CommonConfig } from "../platform/config/common-config.ts";
import { booleanVariable, httpUrlVariable, integerVariable, parseEnvironment, portVariable } from "../platform/config/parse-environment.ts";
import { defaultCostLimits, type CostLimits } from "./cost/cost-limits.ts";
import { defaultOperationLimits, type OperationLimits } from "./limits/operation-limits.ts";
import { defaultRateLimitSettings, type RateLimitSettings } from "./rate-limits/rate-limit-policy.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { defaultSubgraphUrl, environmentStem, gatewayDefaultPort, subgraphCatalog } from "../platform/service-catalog.ts";

export interface GatewayConfig extends CommonConfig {
  /** Port of the gateway's HTTP server. Default 4000. */
  port: number;
  /** Composed supergraph to serve. Default `schema/supergraph.graphql`. */
  supergraphPath: string;
  /** Reload the supergraph when its file changes. Default true. */
  watchSupergraph: boolean;
  /** URL of each subgraph's GraphQL endpoint, by subgraph name: `<NAME>_URL`, else `http://127.0.0.1:<NAME>_PORT/graphql`. */
  subgraphUrls: Record<string, string>;
  /**
   * Replicas of a subgraph, by subgraph name: `<NAME>_URLS` (comma list of GraphQL URLs). Without
   * one, the replicas are the addresses `<NAME>_URL`'s host name resolves to (a headless Service).
   */
  subgraphEndpoints: Record<string, string[]>;
  /** How the gateway finds, checks and balances subgraph replicas (gateway/upstreams/). */
  upstreams: {
    /** How often subgraph host names are resolved again, in milliseconds (UPSTREAM_DNS_REFRESH_MILLIS); 0: once. Default 5,000. */
    discoveryRefreshMillis: number;
    /** How often each replica's `/readyz` is polled, in milliseconds (UPSTREAM_HEALTH_CHECK_MILLIS); 0: never. Default 2,000. */
    healthCheckIntervalMillis: number;
    /** Longest an HTTP connection to one replica is reused, in milliseconds (UPSTREAM_CONNECTION_MAX_AGE_MILLIS); 0: no maximum. Default 10,000. */
    connectionMaxAgeMillis: number;
  };
  /**
   * How long the gateway waits for one subgraph request (queries and mutations, not subscriptions),
   * in milliseconds, before answering SERVICE_UNAVAILABLE (retryable) for the fields it owed.
   * Default 300000 (5 minutes: a non-streamed generation of thousands of tokens on a CPU).
   */
  subgraphTimeoutMillis: number;
  /**
   * How long one query or mutation may take across all its subgraph requests, in milliseconds,
   * from its arrival: a plan that calls subgraphs one after another could otherwise take that many
   * times `subgraphTimeoutMillis`. Fields still owed then get SERVICE_UNAVAILABLE (retryable) with
   * `extensions.deadlineMillis`. Subscriptions are not bound by it. 0: no deadline.
   * Default 600000 (10 minutes, twice the default `subgraphTimeoutMillis`).
   */
  operationDeadlineMillis: number;
  /**
   * How long one read of the live prices and the tenant's budget (the operation cost check's inputs)
   * serves the tenant's later operations, in milliseconds. COST_INPUTS_MAX_AGE_MILLIS. Default 0:
   * every operation reads them, so an operation over the remaining budget is refused whole, before
   * any subgraph runs. Above 0 an operation may be checked against a budget that old; its calls are
   * still refused one by one by the inference service, exactly, once the quota is used up.
   */
  costInputsMaxAgeMillis: number;
  /** Bounds on the shape of one document (MAX_DEPTH, MAX_ALIASES...); see `OperationLimits` for each default. */
  operationLimits: OperationLimits;
  /**
   * Most operations one batched HTTP request (a JSON array, as Apollo Client's BatchHttpLink sends)
   * may carry; each is limited and priced on its own. Default 1 (MAX_BATCH_OPERATIONS): batching off.
   */
  maximumBatchOperations: number;
  /** Ceilings on one operation's estimated cost (MAX_OPERATION_COST, MAX_FAN_OUT, MAX_OPERATION_MODEL_TOKENS...); see `CostLimits` for each default. */
  costLimits: CostLimits;
  /** Requests per minute and in flight per API key, tenant and client address (RATE_LIMIT_*, TRUSTED_PROXY_HOPS); see `RateLimitSettings` for each default. */
  rateLimits: RateLimitSettings;
  /** Serve the playground page on `/` (PLAYGROUND_ENABLED). Default true on embedded stores, false with Redis (production). */
  playgroundEnabled: boolean;
  /** Pages that may call the gateway from a browser (CORS_ORIGINS, CORS_MAX_AGE_SECONDS); default: the gateway's own loopback origins on embedded stores, none with Redis. */
  cors: CorsSettings;
  /** Bearer JWTs accepted beside API keys (JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE...); undefined: API keys only (the default). */
  jwt: JwtSettings | undefined;
  /** PERSISTED_DOCUMENTS_MODE (default `allow`; `only` with CORS_ORIGINS set on Redis stores) and PERSISTED_DOCUMENTS_FILE. */
  persistedDocuments: PersistedDocumentsSettings;
}

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphVariables: Record<string, z.ZodType<string | number | string[] | undefined>> = {};
  for (const subgraph of subgraphCatalog) {
    const stem = environmentStem(subgraph.name);
    subgraphVariables[`${stem}_URL`] = httpUrlVariable().optional();
    subgraphVariables[`${stem}_URLS`] = httpUrlListVariable();
    subgraphVariables[`${stem}_PORT`] = portVariable(subgraph.defaultPort);
  }
  const values = parseEnvironment(
    {
      ...commonEnvironment,
      ...subgraphVariables,
      GATEWAY_PORT: portVariable(gatewayDefaultPort),
      SUPERGRAPH_PATH: z.string().default(join(projectRoot, "schema", "supergraph.graphql")),
      SUPERGRAPH_WATCH: booleanVariable(true),
      SUBGRAPH_TIMEOUT_MILLIS: integerVariable(300_000, 100, 3_600_000),
      OPERATION_DEADLINE_MILLIS: integerVariable(600_000, 0, 86_400_000),
      COST_INPUTS_MAX_AGE_MILLIS: integerVariable(0, 0, 60_000),
      UPSTREAM_DNS_REFRESH_MILLIS: integerVariable(5_000, 0, 3_600_000),
      UPSTREAM_HEALTH_CHECK_MILLIS: integerVariable(2_000, 0, 3_600_000),
      UPSTREAM_CONNECTION_MAX_AGE_MILLIS: integerVariable(10_000, 0, 86_400_000),
      MAX_DOCUMENT_TOKENS: integerVariable(defaultOperationLimits.maximumDocumentTokens, 100, 1_000_000),
      MAX_DEPTH: integerVariable(defaultOperationLimits.maximumDepth, 2, 1_000),
      MAX_ALIASES: integerVariable(defaultOperationLimits.maximumAliases, 0, 100_000),
      MAX_ROOT_FIELDS: integerVariable(defaultOperationLimits.maximumRootFields, 1, 100_000),
      MAX_DIRECTIVES: integerVariable(defaultOperationLimits.maximumDirectives, 0, 100_000),
      MAX_FRAGMENT_DEPTH: integerVariable(defaultOperationLimits.maximumFragmentDepth, 1, 1_000),
      MAX_BATCH_OPERATIONS: integerVariable(1, 1, 1_000),
      MAX_OPERATION_COST: integerVariable(defaultCostLimits.maximumCostScore, 0, Number.MAX_SAFE_INTEGER),
      MAX_FAN_OUT: integerVariable(defaultCostLimits.maximumFanOut, 0, Number.MAX_SAFE_INTEGER),
      MAX_OPERATION_MODEL_TOKENS: integerVariable(defaultCostLimits.maximumModelTokens, 0, Number.MAX_SAFE_INTEGER),
      MAX_OPERATION_COST_MICROS: integerVariable(defaultCostLimits.maximumCostMicros, 0, Number.MAX_SAFE_INTEGER),
      COST_DEFAULT_LIST_SIZE: integerVariable(defaultCostLimits.defaultListSize, 1, 1_000_000),
      DEFAULT_MAX_TOKENS: integerVariable(defaultCostLimits.defaultMaxTokens, 1, 1_000_000),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: integerVariable(defaultRateLimitSettings.requestsPerMinutePerKey, 0, 100_000_000),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT: integerVariable(defaultRateLimitSettings.requestsPerMinutePerTenant, 0, 100_000_000),
      RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: integerVariable(defaultRateLimitSettings.requestsPerMinutePerAddress, 0, 100_000_000),
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: integerVariable(defaultRateLimitSettings.concurrentRequestsPerKey, 0, 1_000_000),
      RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT: integerVariable(defaultRateLimitSettings.concurrentRequestsPerTenant, 0, 1_000_000),
      RATE_LIMIT_LEASE_MILLIS: integerVariable(defaultRateLimitSettings.leaseMillis, 1_000, 3_600_000),
      TRUSTED_PROXY_HOPS: integerVariable(defaultRateLimitSettings.trustedProxyHops, 0, 10),
      ...persistedDocumentsEnvironment,
      ...corsEnvironment,
      ...jwtEnvironment,
      PLAYGROUND_ENABLED: z.enum(["true", "false"]).optional(),
    },
    environment,
  );
  const subgraphUrls: Record<string, string> = {};
  const subgraphEndpoints: Record<string, string[]> = {};
  for (const subgraph of subgraphCatalog) {
    const stem = environmentStem(subgraph.name);
    const endpoints = (values as Record<string, unknown>)[`${stem}_URLS`];
    if (Array.isArray(endpoints) && endpoints.length > 0) subgraphEndpoints[subgraph.name] = endpoints as string[];
    // With only a list, its first URL stands for the subgraph (in logs, and until the list is read).
    const configured = (values as Record<string, unknown>)[`${stem}_URL`] ?? subgraphEndpoints[subgraph.name]?.[0];
    const port = (values as Record<string, unknown>)[`${stem}_PORT`];
    // Without a URL, the subgraph runs beside the gateway on its configured port (`npm start`).
    subgraphUrls[subgraph.name] = typeof configured === "string" ? configured : defaultSubgraphUrl({ ...subgraph, defaultPort: Number(port) });
  }
  const common = toCommonConfig(values);
  // Browser-facing production: origins allowed for browsers, and stores shared by replicas.
  const browserFacingProduction = common.storeBackend === "redis" && (environment.CORS_ORIGINS ?? "").trim() !== "";
  return {
    ...common,
    cors: toCorsSettings(values, { storeBackend: common.storeBackend, port: values.GATEWAY_PORT }),
    jwt: toJwtSettings(values),
    // The playground page on `/`: on by default only on embedded stores (a developer's machine).
    playgroundEnabled: values.PLAYGROUND_ENABLED === undefined ? common.storeBackend === "embedded" : values.PLAYGROUND_ENABLED === "true",
    persistedDocuments: {
      mode: values.PERSISTED_DOCUMENTS_MODE ?? defaultPersistedDocumentsMode(browserFacingProduction),
      manifestPath: values.PERSISTED_DOCUMENTS_FILE,
    },
    port: values.GATEWAY_PORT,
    supergraphPath: values.SUPERGRAPH_PATH,
    watchSupergraph: values.SUPERGRAPH_WATCH,
    subgraphUrls,
    subgraphEndpoints,
    upstreams: {
      discoveryRefreshMillis: values.UPSTREAM_DNS_REFRESH_MILLIS,
      healthCheckIntervalMillis: values.UPSTREAM_HEALTH_CHECK_MILLIS,
      connectionMaxAgeMillis: values.UPSTREAM_CONNECTION_MAX_AGE_MILLIS,
    },
    subgraphTimeoutMillis: values.SUBGRAPH_TIMEOUT_MILLIS,
    operationDeadlineMillis: values.OPERATION_DEADLINE_MILLIS,
    costInputsMaxAgeMillis: values.COST_INPUTS_MAX_AGE_MILLIS,
    operationLimits: {
      maximumDocumentTokens: values.MAX_DOCUMENT_TOKENS,
      maximumDepth: values.MAX_DEPTH,
      maximumAliases: values.MAX_ALIASES,
      maximumRootFields: values.MAX_ROOT_FIELDS,
      maximumDirectives: values.MAX_DIRECTIVES,
      maximumFragmentDepth: values.MAX_FRAGMENT_DEPTH,
    },
    maximumBatchOperations: values.MAX_BATCH_OPERATIONS,
    costLimits: {
      maximumCostScore: values.MAX_OPERATION_COST,
      maximumFanOut: values.MAX_FAN_OUT,
      maximumModelTokens: values.MAX_OPERATION_MODEL_TOKENS,
      maximumCostMicros: values.MAX_OPERATION_COST_MICROS,
      defaultListSize: values.COST_DEFAULT_LIST_SIZE,
      defaultMaxTokens: values.DEFAULT_MAX_TOKENS,
    },
    rateLimits: {
      requestsPerMinutePerKey: values.RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY,
      requestsPerMinutePerTenant: values.RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT,
      requestsPerMinutePerAddress: values.RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP,
      concurrentRequestsPerKey: values.RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY,
      concurrentRequestsPerTenant: values.RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT,
      leaseMillis: values.RATE_LIMIT_LEASE_MILLIS,
      trustedProxyHops: values.TRUSTED_PROXY_HOPS,
    },
  };
}

/** `<NAME>_URLS`: a comma list of http(s) URLs (the subgraph's replicas); unset: none. */
function httpUrlListVariable() {
  return z
    .string()
    .transform((value) => value.split(",").map((item) => item.trim()).filter((item) => item !== ""))
    .pipe(z.array(httpUrlVariable()).min(1))
    .optional();
}

import { join } from "node:path";
import { z } from "zod";
import { booleanVariable, ConfigurationError, integerVariable, parseEnvironment } from "./parse-environment.ts";
import type { LogLevel } from "../logging/logger.ts";
import { loggingEnvironment, toLoggingSettings, type LoggingSettings } from "../logging/logging-settings.ts";
import { defaultHttpTimeouts, type HttpTimeouts } from "../http/http-timeouts.ts";
import { metricsEnvironment, toMetricsSettings, type MetricsSettings } from "../metrics/metrics-settings.ts";

/** Where stores keep their data. */
export type StoreBackend = "embedded" | "redis";

/** Settings every service shares, validated once at start-up. */
export interface CommonConfig {
  /** `embedded` (default): in-process stores persisted under `dataDirectory`. `redis`: shared state in Redis. */
  storeBackend: StoreBackend;
  /** Redis connection URL; set when `storeBackend` is `redis`. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key this project writes, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /** Directory of the embedded stores and generated secrets. Default `.data` under the working directory. */
  dataDirectory: string;
  /** Directory of GGUF model files; relative `modelPath`s in the registry resolve against it. Default `<dataDirectory>/models`. */
  modelsDirectory: string;
  /** Interface the HTTP servers listen on. Default `127.0.0.1`; set `0.0.0.0` in containers. */
  host: string;
  /**
   * Secret that signs the request context the gateway forwards to subgraphs. Required with Redis
   * (services may not share a disk); on embedded defaults it is generated into the data directory.
   */
  internalSigningSecret: string | undefined;
  logLevel: LogLevel;
  /**
   * Access-line sampling and prompt redaction (LOG_REQUEST_SAMPLE_RATE, LOG_SLOW_REQUEST_MILLIS,
   * LOG_PROMPTS); each field documents its default. `createLogger` reads the same variables when
   * not given these settings.
   */
  logging: LoggingSettings;
  /** Prometheus metrics at `/metrics` (METRICS_ENABLED, METRICS_TENANT_LABEL, METRICS_MAX_OPERATION_NAMES, METRICS_EVENT_LOOP_RESOLUTION_MILLIS); each field documents its default. */
  metrics: MetricsSettings;
  /** How long shutdown waits for in-flight requests before closing connections, in milliseconds. */
  shutdownGracePeriodMillis: number;
  /** Largest request body a service accepts, in bytes. */
  maximumRequestBodyBytes: number;
  /** How long clients may take to send requests and keep idle connections (HTTP_*_TIMEOUT_MILLIS); each field documents its default. */
  httpTimeouts: HttpTimeouts;
  /** Whether clients may introspect the schema. Default false (a production default): set INTROSPECTION=true for development tools. */
  introspection: boolean;
  /**
   * Whether validation errors may suggest field, argument and type names ("Did you mean ...?"), which
   * reveal the schema to clients that cannot introspect it. Default false (SCHEMA_SUGGESTIONS).
   */
  schemaSuggestions: boolean;
}

export const commonEnvironment = {
  STORE_BACKEND: z.enum(["embedded", "redis"]).default("embedded"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL")
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, "expected 1 to 64 letters, digits or : _ . -")
    .default("aigraph:"),
  DATA_DIR: z.string().default(".data"),
  MODELS_DIR: z.string().optional(),
  HOST: z.string().default("127.0.0.1"),
  INTERNAL_SIGNING_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  ...loggingEnvironment,
  ...metricsEnvironment,
  SHUTDOWN_GRACE_PERIOD_MILLIS: integerVariable(10_000, 0, 600_000),
  MAX_REQUEST_BODY_BYTES: integerVariable(8_388_608, 1_024, 1_073_741_824),
  HTTP_HEADERS_TIMEOUT_MILLIS: integerVariable(defaultHttpTimeouts.headersTimeoutMillis, 100, 3_600_000),
  HTTP_REQUEST_TIMEOUT_MILLIS: integerVariable(defaultHttpTimeouts.requestTimeoutMillis, 100, 3_600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MILLIS: integerVariable(defaultHttpTimeouts.keepAliveTimeoutMillis, 100, 3_600_000),
  HTTP_SOCKET_IDLE_TIMEOUT_MILLIS: integerVariable(defaultHttpTimeouts.socketIdleTimeoutMillis, 100, 3_600_000),
  HTTP_TIMEOUT_CHECK_INTERVAL_MILLIS: integerVariable(defaultHttpTimeouts.timeoutCheckIntervalMillis, 10, 60_000),
  INTROSPECTION: booleanVariable(false),
  SCHEMA_SUGGESTIONS: booleanVariable(false),
};

export function loadCommonConfig(environment: NodeJS.ProcessEnv = process.env): CommonConfig {
  const values = parseEnvironment(commonEnvironment, environment);
  return toCommonConfig(values);
}

export function toCommonConfig(values: z.infer<z.ZodObject<typeof commonEnvironment>>): CommonConfig {
  if (values.HTTP_HEADERS_TIMEOUT_MILLIS > values.HTTP_REQUEST_TIMEOUT_MILLIS) {
    throw new ConfigurationError([
      {
        variable: "HTTP_HEADERS_TIMEOUT_MILLIS",
        message: `must not exceed HTTP_REQUEST_TIMEOUT_MILLIS (${values.HTTP_REQUEST_TIMEOUT_MILLIS}), the time for the whole request (got ${values.HTTP_HEADERS_TIMEOUT_MILLIS})`,
      },
    ]);
  }
  if (values.STORE_BACKEND === "redis") {
    const problems = [];
    if (values.REDIS_URL === undefined) {
      problems.push({ variable: "REDIS_URL", message: "required when STORE_BACKEND=redis (not set)" });
    }
    if (values.INTERNAL_SIGNING_SECRET === undefined) {
      problems.push({
        variable: "INTERNAL_SIGNING_SECRET",
        message: "required when STORE_BACKEND=redis, the same value in every service (not set)",
      });
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
  }
  return {
    storeBackend: values.STORE_BACKEND,
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    dataDirectory: values.DATA_DIR,
    modelsDirectory: values.MODELS_DIR ?? join(values.DATA_DIR, "models"),
    host: values.HOST,
    internalSigningSecret: values.INTERNAL_SIGNING_SECRET,
    logLevel: values.LOG_LEVEL,
    logging: toLoggingSettings(values),
    metrics: toMetricsSettings(values),
    shutdownGracePeriodMillis: values.SHUTDOWN_GRACE_PERIOD_MILLIS,
    maximumRequestBodyBytes: values.MAX_REQUEST_BODY_BYTES,
    httpTimeouts: {
      headersTimeoutMillis: values.HTTP_HEADERS_TIMEOUT_MILLIS,
      requestTimeoutMillis: values.HTTP_REQUEST_TIMEOUT_MILLIS,
      keepAliveTimeoutMillis: values.HTTP_KEEP_ALIVE_TIMEOUT_MILLIS,
      socketIdleTimeoutMillis: values.HTTP_SOCKET_IDLE_TIMEOUT_MILLIS,
      timeoutCheckIntervalMillis: values.HTTP_TIMEOUT_CHECK_INTERVAL_MILLIS,
    },
    introspection: values.INTROSPECTION,
    schemaSuggestions: values.SCHEMA_SUGGESTIONS,
  };
}

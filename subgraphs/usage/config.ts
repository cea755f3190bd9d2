import { hostname } from "node:os";
import { z } from "zod";
import { commonEnvironment, toCommonConfig, type CommonConfig } from "../../platform/config/common-config.ts";
import { integerVariable, parseEnvironment, portVariable } from "../../platform/config/parse-environment.ts";

export interface UsageConfig extends CommonConfig {
  /** Port of the subgraph's HTTP server. Default 4004. */
  port: number;
  /**
   * Name of this process in the Redis Streams consumer group. Default `<hostname>-<pid>`; set it to
   * something stable (the pod name) so a restarted consumer takes back its own unacknowledged events
   * at once rather than after `USAGE_CLAIM_IDLE_MILLIS`.
   */
  consumerName: string;
  /** How long an event may sit unacknowledged with a consumer before another claims it, in milliseconds. Default 30,000. */
  claimIdleMillis: number;
  /**
   * How long an aggregated event's id is kept (the `usage-event:<id>` marker) so a redelivery is
   * recognised, counted from when it was applied, in seconds. USAGE_EVENT_RETENTION_SECONDS.
   * Default 86,400 (one day): longer than any outage of every usage replica at once (after which
   * entries left pending by a crashed aggregator are delivered again).
   */
  usageEventRetentionSeconds: number;
  /** The inference subgraph's COMPLETION_RETENTION_MILLIS, read here for the Redis memory budget. Default 86,400,000 (24 hours). */
  completionRetentionMillis: number;
  /** EXPECTED_CALLS_PER_SECOND: the sustained rate the Redis memory budget is checked against at start-up. Default 0: only report what maxmemory sustains. */
  expectedCallsPerSecond: number;
}

/** Every variable the usage subgraph reads. */
export const usageEnvironment = {
  ...commonEnvironment,
  USAGE_PORT: portVariable(4004),
  USAGE_CONSUMER_NAME: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1 to 128 letters, digits or _ . : -").optional(),
  USAGE_CLAIM_IDLE_MILLIS: integerVariable(30_000, 1_000, 86_400_000),
  USAGE_EVENT_RETENTION_SECONDS: integerVariable(86_400, 60, 400 * 86_400),
  // The inference subgraph's variable (same bounds), for the memory budget only.
  COMPLETION_RETENTION_MILLIS: integerVariable(86_400_000, 1_000, 30 * 86_400_000),
  // A decimal (0.5 is a call every two seconds).
  EXPECTED_CALLS_PER_SECOND: z.coerce.number().min(0).max(1_000_000).default(0),
};

export function loadUsageConfig(environment: NodeJS.ProcessEnv = process.env): UsageConfig {
  const values = parseEnvironment(usageEnvironment, environment);
  return {
    ...toCommonConfig(values),
    port: values.USAGE_PORT,
    consumerName: values.USAGE_CONSUMER_NAME ?? `${hostname()}-${process.pid}`,
    claimIdleMillis: values.USAGE_CLAIM_IDLE_MILLIS,
    usageEventRetentionSeconds: values.USAGE_EVENT_RETENTION_SECONDS,
    completionRetentionMillis: values.COMPLETION_RETENTION_MILLIS,
    expectedCallsPerSecond: values.EXPECTED_CALLS_PER_SECOND,
  };
}

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
}

/** Every variable the usage subgraph reads. */
export const usageEnvironment = {
  ...commonEnvironment,
  USAGE_PORT: portVariable(4004),
  USAGE_CONSUMER_NAME: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1 to 128 letters, digits or _ . : -").optional(),
  USAGE_CLAIM_IDLE_MILLIS: integerVariable(30_000, 1_000, 86_400_000),
};

export function loadUsageConfig(environment: NodeJS.ProcessEnv = process.env): UsageConfig {
  const values = parseEnvironment(usageEnvironment, environment);
  return {
    ...toCommonConfig(values),
    port: values.USAGE_PORT,
    consumerName: values.USAGE_CONSUMER_NAME ?? `${hostname()}-${process.pid}`,
    claimIdleMillis: values.USAGE_CLAIM_IDLE_MILLIS,
  };
}

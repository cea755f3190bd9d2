import { commonEnvironment, toCommonConfig, type CommonConfig } from "../../platform/config/common-config.ts";
import { parseEnvironment, portVariable } from "../../platform/config/parse-environment.ts";
import { egressEnvironment, toEgressPolicy } from "../../platform/network/egress-environment.ts";
import type { EgressPolicy } from "../../platform/network/egress-policy.ts";

export interface ModelRegistryConfig extends CommonConfig {
  /** Port of the subgraph's HTTP server. Default 4001. */
  port: number;
  /**
   * Which OPENAI_COMPATIBLE `baseUrl`s registration accepts (ENGINE_ALLOWED_HOSTS,
   * ENGINE_ALLOW_PUBLIC_NETWORKS; the inference subgraph enforces the same at connect time).
   * Default: public hosts only.
   */
  engineNetwork: EgressPolicy;
}

export function loadModelRegistryConfig(environment: NodeJS.ProcessEnv = process.env): ModelRegistryConfig {
  const values = parseEnvironment({ ...commonEnvironment, ...egressEnvironment, MODEL_REGISTRY_PORT: portVariable(4001) }, environment);
  return { ...toCommonConfig(values), port: values.MODEL_REGISTRY_PORT, engineNetwork: toEgressPolicy(values) };
}

/**
 * The variables of the engine network policy, read by every service that reaches engines
 * (inference) or accepts their URLs (model registry), so both apply the same rules.
 */
import { z } from "zod";
import { booleanVariable } from "../config/parse-environment.ts";
import type { EgressPolicy } from "./egress-policy.ts";
import { HostAllowList } from "./host-allow-list.ts";

/** A comma-separated allow-list, validated rule by rule at start-up. */
function hostListVariable() {
  return z
    .string()
    .default("")
    .transform((text, context) => {
      try {
        return new HostAllowList(text).rules;
      } catch (error) {
        context.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });
}

export const egressEnvironment = {
  /**
   * Hosts that OpenAI-compatible engines may reach although they are not public: comma-separated host
   * names (`vllm.internal`), `*.example.com` patterns, IP addresses and CIDRs (`10.0.0.0/8`,
   * `127.0.0.1`, `::1`). Default: none (private, loopback, link-local and metadata addresses refused).
   */
  ENGINE_ALLOWED_HOSTS: hostListVariable(),
  /** Whether engines may reach public addresses not listed in ENGINE_ALLOWED_HOSTS. Default true. */
  ENGINE_ALLOW_PUBLIC_NETWORKS: booleanVariable(true),
};

export function toEgressPolicy(values: z.infer<z.ZodObject<typeof egressEnvironment>>): EgressPolicy {
  return { allowedHosts: values.ENGINE_ALLOWED_HOSTS, allowPublicNetworks: values.ENGINE_ALLOW_PUBLIC_NETWORKS };
}

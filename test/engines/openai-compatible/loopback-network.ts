/**
 * The engine network policy of tests: their OpenAI-compatible servers listen on loopback, which
 * engines refuse unless it is allowed (as an operator would with ENGINE_ALLOWED_HOSTS).
 */
import type { EgressPolicy } from "../../../platform/network/egress-policy.ts";

export const loopbackEngineNetwork: EgressPolicy = { allowedHosts: ["127.0.0.0/8", "::1"], allowPublicNetworks: false };

import type { RateLimitRule } from "./rate-limit-store.ts";

/**
 * The gateway's rate limits (RATE_LIMIT_* variables). Every limit is a whole number; 0 means
 * unlimited (no rule, nothing counted).
 */
export interface RateLimitSettings {
  /** Requests per minute per API key. Default 600 (10 per second sustained, bursts of 600). */
  requestsPerMinutePerKey: number;
  /** Requests per minute per tenant, shared by all its keys. Default 3,000. */
  requestsPerMinutePerTenant: number;
  /**
   * Requests per minute per client address without a valid API key (missing, malformed or unknown),
   * checked before the body is read; WebSocket upgrades count here too, whatever their key. Default 60.
   */
  requestsPerMinutePerAddress: number;
  /** HTTP GraphQL requests of one API key in flight at once. Default 64. */
  concurrentRequestsPerKey: number;
  /** HTTP GraphQL requests of one tenant in flight at once, all its keys together. Default 128. */
  concurrentRequestsPerTenant: number;
  /**
   * How long a concurrency slot stays held without renewal, in milliseconds: a replica that dies
   * mid-request frees its slots after this long. Live requests renew theirs every third of it.
   * Default 60,000.
   */
  leaseMillis: number;
  /**
   * Proxies in front of the gateway that append to `X-Forwarded-For` (load balancer, ingress).
   * 0 (default): the client address is the socket's peer and the header is ignored, since anyone
   * can send it. N: the address N hops back in the header.
   */
  trustedProxyHops: number;
}

export const defaultRateLimitSettings: RateLimitSettings = {
  requestsPerMinutePerKey: 600,
  requestsPerMinutePerTenant: 3_000,
  requestsPerMinutePerAddress: 60,
  concurrentRequestsPerKey: 64,
  concurrentRequestsPerTenant: 128,
  leaseMillis: 60_000,
  trustedProxyHops: 0,
};

const minuteMillis = 60_000;

/** A rule with the name it goes by in the `RateLimit-Policy` and `RateLimit` headers and in `extensions.policy`. */
export interface NamedRule {
  /** `key`, `tenant`, `key-concurrency`, `tenant-concurrency` or `address`. */
  policy: string;
  rule: RateLimitRule;
}

/** The rules an authenticated request counts against: its key's and its tenant's, rates and concurrency. */
export function callerRules(settings: RateLimitSettings, caller: { apiKeyId: string; tenantId: string }): NamedRule[] {
  const rules: NamedRule[] = [];
  if (settings.requestsPerMinutePerKey > 0) {
    rules.push({ policy: "key", rule: { kind: "rate", partition: `key:${caller.apiKeyId}`, limit: settings.requestsPerMinutePerKey, windowMillis: minuteMillis } });
  }
  if (settings.requestsPerMinutePerTenant > 0) {
    rules.push({ policy: "tenant", rule: { kind: "rate", partition: `tenant:${caller.tenantId}`, limit: settings.requestsPerMinutePerTenant, windowMillis: minuteMillis } });
  }
  if (settings.concurrentRequestsPerKey > 0) {
    rules.push({ policy: "key-concurrency", rule: { kind: "concurrency", partition: `key:${caller.apiKeyId}`, limit: settings.concurrentRequestsPerKey } });
  }
  if (settings.concurrentRequestsPerTenant > 0) {
    rules.push({ policy: "tenant-concurrency", rule: { kind: "concurrency", partition: `tenant:${caller.tenantId}`, limit: settings.concurrentRequestsPerTenant } });
  }
  return rules;
}

/** The rule an unauthenticated request (or any WebSocket upgrade) counts against: its client address's. */
export function addressRules(settings: RateLimitSettings, address: string): NamedRule[] {
  if (settings.requestsPerMinutePerAddress === 0) return [];
  return [{ policy: "address", rule: { kind: "rate", partition: `address:${address}`, limit: settings.requestsPerMinutePerAddress, windowMillis: minuteMillis } }];
}

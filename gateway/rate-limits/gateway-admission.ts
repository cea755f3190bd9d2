import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { AdmitRequest, AdmitUpgrade, RefusedRequest } from "../../platform/http/request-admission.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { ApiKeyStore } from "../../platform/api-keys/api-key-store.ts";
import { authenticateRequest } from "../authentication.ts";
import { clientAddress } from "./client-address.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";
import { addressRules, callerRules, type NamedRule, type RateLimitSettings } from "./rate-limit-policy.ts";
import type { AcquireOutcome, RateLimitStore } from "./rate-limit-store.ts";

export interface GatewayAdmissionOptions {
  /** Where API keys are looked up (once per request: the context reuses the caller). */
  apiKeys: ApiKeyStore;
  /** Where rate-limit state lives: in memory on embedded defaults, Redis across replicas. */
  store: RateLimitStore;
  /** The limits (RATE_LIMIT_*, TRUSTED_PROXY_HOPS); every field documents its default. */
  settings: RateLimitSettings;
  /** Warnings when the limit store fails (requests are then admitted unlimited). */
  logger: Logger;
}

/** The gateway's checks on a request's headers, run before its body is read (see `platform/http/request-admission.ts`). */
export interface GatewayAdmission {
  /** HTTP GraphQL: authenticates the key once (the context reuses the caller), then applies the key's and tenant's limits. */
  admitRequest: AdmitRequest<RequestContext>;
  /** WebSocket upgrades: the client address's limit (the key is checked later, in `connection_init`). */
  admitUpgrade: AdmitUpgrade;
}

/**
 * Authentication and rate limits at the door of the gateway:
 *
 * 1. No valid API key (none, malformed, unknown, or two Authorization headers): the request counts
 *    against its client address's limit and is answered 401, or 429 once that limit is spent.
 * 2. A valid key: the request counts against its key's and its tenant's rates and holds a slot of
 *    each one's concurrency until it ends (a lease renewed while it runs); 429 when any is spent.
 *
 * Either way the body has not been read yet. When the limit store fails (Redis away), requests
 * are admitted unlimited and a warning is logged: rate limits protect the service, and must not be
 * what takes it down.
 */
export function createGatewayAdmission(options: GatewayAdmissionOptions): GatewayAdmission {
  const { apiKeys, store, settings, logger } = options;

  const acquire = async (rules: readonly NamedRule[], leaseId: string): Promise<AcquireOutcome | undefined> => {
    if (rules.length === 0) return { admitted: true, rules: [] };
    try {
      return await store.acquire({ rules: rules.map(({ rule }) => rule), leaseId, leaseMillis: settings.leaseMillis });
    } catch (error) {
      logger.warn("rate limits unavailable; admitting without them", { error: (error as Error).message });
      return undefined;
    }
  };

  /** Counts an unauthenticated request (or an upgrade) against its address; the refusal when over. */
  const checkAddress = async (request: IncomingMessage): Promise<{ refusal: RefusedRequest | undefined; headers: Record<string, string> }> => {
    const rules = addressRules(settings, clientAddress(request, settings.trustedProxyHops));
    const outcome = await acquire(rules, randomUUID());
    if (outcome === undefined) return { refusal: undefined, headers: {} };
    const headers = rateLimitHeaders(rules, outcome.rules, outcome.admitted);
    return { refusal: outcome.admitted ? undefined : rateLimited(rules, outcome, headers), headers };
  };

  return {
    async admitRequest(request) {
      let caller: RequestContext;
      try {
        if ((request.headersDistinct.authorization?.length ?? 0) > 1) {
          throw new ServiceError(ErrorCode.Unauthenticated, "Send one Authorization header, not several.", { httpStatus: 401 });
        }
        caller = await authenticateRequest(request, apiKeys);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        if (error.code !== ErrorCode.Unauthenticated) return { admitted: false, status: statusOf(error), error, headers: {} };
        const { refusal, headers } = await checkAddress(request);
        return refusal ?? { admitted: false, status: 401, error, headers };
      }
      const rules = callerRules(settings, caller);
      const leaseId = randomUUID();
      const outcome = await acquire(rules, leaseId);
      if (outcome === undefined) return { admitted: true, value: caller, headers: {}, release: () => {} };
      const headers = rateLimitHeaders(rules, outcome.rules, outcome.admitted);
      if (!outcome.admitted) return rateLimited(rules, outcome, headers);
      const partitions = rules.filter(({ rule }) => rule.kind === "concurrency").map(({ rule }) => rule.partition);
      return { admitted: true, value: caller, headers, release: holdLease(store, partitions, leaseId, settings.leaseMillis, logger) };
    },
    async admitUpgrade(request) {
      return (await checkAddress(request)).refusal;
    },
  };
}

/**
 * Keeps the lease of a running request alive (renewing it every third of `leaseMillis`) and
 * returns the function that releases it. Renewal failures are logged and retried at the next tick;
 * if Redis stays away the lease simply expires.
 */
function holdLease(store: RateLimitStore, partitions: readonly string[], leaseId: string, leaseMillis: number, logger: Logger): () => void {
  if (partitions.length === 0) return () => {};
  const renewal = setInterval(() => {
    store.renew(partitions, leaseId, leaseMillis).catch((error: unknown) => logger.warn("could not renew a concurrency lease", { error: (error as Error).message }));
  }, Math.max(1, Math.floor(leaseMillis / 3)));
  renewal.unref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(renewal);
    store.release(partitions, leaseId).catch((error: unknown) => logger.warn("could not release a concurrency lease (it will expire)", { error: (error as Error).message }));
  };
}

/** The 429 for a request over `rules`: the first refused policy is named, with the longest wait of the refused ones. */
function rateLimited(rules: readonly NamedRule[], outcome: AcquireOutcome, headers: Record<string, string>): RefusedRequest {
  const refused = rules.filter((_, index) => outcome.rules[index]?.allowed === false);
  const retryAfterMillis = Math.max(0, ...outcome.rules.filter((rule) => !rule.allowed).map((rule) => rule.retryAfterMillis));
  const first = refused[0];
  const what = first === undefined ? "rate limit" : describe(first);
  const error = new ServiceError(ErrorCode.RateLimited, `Too many requests: ${what}. Retry in ${Math.max(1, Math.ceil(retryAfterMillis / 1_000))} s.`, {
    details: { policy: first?.policy ?? null, limit: first?.rule.limit ?? null, retryAfterMillis },
  });
  return { admitted: false, status: 429, error, headers };
}

function describe({ policy, rule }: NamedRule): string {
  const subject = policy.startsWith("tenant") ? "this tenant" : policy.startsWith("key") ? "this API key" : "this client address without a valid API key";
  return rule.kind === "rate" ? `${rule.limit} per minute for ${subject}` : `${rule.limit} in flight at once for ${subject}`;
}

/** A store failure during authentication (Redis away) is a retryable 503; other codes keep the status they carry. */
function statusOf(error: ServiceError): number {
  const http = error.extensions.http as { status?: unknown } | undefined;
  if (typeof http?.status === "number") return http.status;
  return error.code === ErrorCode.ServiceUnavailable ? 503 : 500;
}

/**
 * The HTTP transport of one engine: the network-policy-guarded fetch (platform/network), or the
 * fetch a test injected (unguarded).
 */
import { createGuardedFetch } from "../../platform/network/guarded-fetch.ts";
import type { ResolvedOpenAICompatibleEngineOptions } from "./openai-compatible-options.ts";

export interface UpstreamTransport {
  readonly fetch: typeof fetch;
  /** Drops every connection (the engine has aborted its requests by then). Idempotent. */
  close(): void;
}

export function createUpstreamTransport(options: ResolvedOpenAICompatibleEngineOptions): UpstreamTransport {
  if (options.fetch !== undefined) return { fetch: options.fetch, close: () => undefined };
  return createGuardedFetch({ guard: options.egressGuard, ...(options.resolveHost === undefined ? {} : { resolveHost: options.resolveHost }) });
}

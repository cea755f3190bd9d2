import type { Fetcher } from "@apollo/utils.fetcher";
import type { UpstreamPool } from "./upstream-pool.ts";

/**
 * `fetch` with the endpoint chosen per request by `pool` (fewest requests in flight among healthy
 * replicas) instead of the URL it is given (the subgraph's configured URL), `connection: close`
 * when the endpoint's connections reached their maximum age, and a network failure (refused,
 * reset) reported to the pool so the next requests go elsewhere. Aborts (the client left, a
 * timeout) say nothing about the replica and are not reported.
 */
export function balancedFetch(pool: UpstreamPool, fetcher: Fetcher): Fetcher {
  return (async (_url: string, init?: RequestInit) => {
    const lease = pool.acquireRequest();
    const headers = { ...(init?.headers as Record<string, string> | undefined), ...(lease.closeConnection ? { connection: "close" } : {}) };
    try {
      return await fetcher(lease.url, { ...init, headers } as Parameters<Fetcher>[1]);
    } catch (error) {
      if (!isAbort(error, init?.signal)) pool.reportFailure(lease.url);
      throw error;
    } finally {
      lease.release();
    }
  }) as unknown as Fetcher;
}

function isAbort(error: unknown, signal: AbortSignal | null | undefined): boolean {
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  return signal?.aborted === true || name === "AbortError" || name === "TimeoutError";
}

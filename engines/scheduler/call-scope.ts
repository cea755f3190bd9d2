/**
 * Who a scheduler call is for and when to drop it: the second argument of `ModelScheduler.embed`,
 * `generate` and `streamGeneration`.
 */
export interface CallScope {
  /**
   * The tenant the work is done for. Queues are shared fairly by tenant (weights, per-tenant queue
   * bound, per-tenant cap on running streams: see `SchedulerOptions`). Calls without one all count as
   * one tenant, `anonymousTenantId`.
   */
  tenantId?: string;
  /**
   * Aborting it drops the call: removed from its queue (never run), or its engine work stopped. A
   * signal made by `createOperationSignal` is also aborted by the scheduler when it refuses any call
   * made with it as `overloaded`, so the rest of that operation's queued work is dropped too.
   */
  signal?: AbortSignal;
}

/** The tenant of calls that name none (tests, benchmarks, in-process tools). */
export const anonymousTenantId = "";

export function tenantOf(scope: CallScope): string {
  return scope.tenantId ?? anonymousTenantId;
}

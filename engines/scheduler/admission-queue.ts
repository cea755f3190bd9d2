import { FairQueue } from "./fair-queue.ts";
import { PendingRequest } from "./pending-request.ts";
import type { RequestMetrics } from "./request-metrics.ts";
import { estimateRetryAfterMillis } from "./retry-estimate.ts";
import { abortError, overloadedError, schedulerClosedError, tenantOverloadedError } from "./scheduler-errors.ts";
import type { TenantShares } from "./tenant-shares.ts";

/** Gives the slot back; calling it again does nothing, so every exit path may call it. */
export type ReleaseSlot = () => void;

export interface AdmissionQueueSettings {
  /** Slots: work admitted at once. */
  capacity: number;
  /** Most slots one tenant holds at once; at or above `capacity` there is no cap. */
  maxRunningPerTenant: number;
  /** Most waiters in all; past it `acquire` fails at once with `overloaded`. */
  maxQueueDepth: number;
  /** Most waiters of one tenant; past it that tenant's `acquire` fails at once with `overloaded`. */
  maxQueueDepthPerTenant: number;
  /** Who goes next when a slot frees: weighted fair queuing over tenants. */
  shares: TenantShares;
  metrics: RequestMetrics;
}

/**
 * A counting semaphore for streamed generations, shared fairly by tenant: the engine decodes the
 * admitted streams together, and more than its capacity would only queue inside it, unbounded. A freed
 * slot goes to the waiting tenant that has had the least service for its weight (see `TenantShares`),
 * among those under their running cap; each tenant's waiters are admitted in arrival order.
 */
export class AdmissionQueue {
  private active = 0;
  private readonly runningByTenant = new Map<string, number>();
  private readonly waiting: FairQueue<PendingRequest<undefined, ReleaseSlot>>;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly settings: AdmissionQueueSettings) {
    this.waiting = new FairQueue(settings.shares);
  }

  /** Slots `tenantId` holds now. */
  runningOf(tenantId: string): number {
    return this.runningByTenant.get(tenantId) ?? 0;
  }

  /** Resolves with a release function once a slot is free and it is `tenantId`'s turn. */
  acquire(tenantId: string, signal?: AbortSignal): Promise<ReleaseSlot> {
    const { metrics } = this.settings;
    if (this.closed) return Promise.reject(schedulerClosedError());
    if (signal?.aborted === true) {
      metrics.recordCancelled("queued");
      return Promise.reject(abortError(signal));
    }
    // Every eligible waiter is admitted whenever a slot frees, so a free slot means nobody who may
    // take it is waiting: an eligible newcomer takes it at once.
    if (this.active < this.settings.capacity && this.mayRun(tenantId)) {
      this.waiting.chargeUnqueued(tenantId);
      metrics.recordQueueWait(0);
      return Promise.resolve(this.takeSlot(tenantId));
    }
    if (this.waiting.size >= this.settings.maxQueueDepth) {
      metrics.recordOverloaded();
      return Promise.reject(overloadedError("stream", this.settings.maxQueueDepth, this.retryAfterMillis(this.waiting.size, this.settings.capacity)));
    }
    if (this.waiting.sizeOf(tenantId) >= this.settings.maxQueueDepthPerTenant) {
      metrics.recordOverloaded();
      // The tenant's own waiters go at most its cap at a time.
      const perRound = Math.min(this.settings.capacity, this.settings.maxRunningPerTenant);
      return Promise.reject(tenantOverloadedError("stream", this.settings.maxQueueDepthPerTenant, this.retryAfterMillis(this.waiting.sizeOf(tenantId), perRound)));
    }
    const waiter = new PendingRequest<undefined, ReleaseSlot>(undefined, signal);
    waiter.onCancelled = () => {
      this.waiting.remove(tenantId, waiter);
      metrics.queueDepth = this.waiting.size;
      metrics.recordCancelled("queued");
    };
    this.waiting.push(tenantId, waiter);
    metrics.queueDepth = this.waiting.size;
    return waiter.promise;
  }

  /** Refuses new and waiting requests; admitted work keeps its slot until it releases it. */
  close(): void {
    this.closed = true;
    const error = schedulerClosedError();
    for (const waiter of this.waiting.drain()) waiter.reject(error);
    this.settings.metrics.queueDepth = 0;
  }

  /** Resolves once every slot has been released. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private mayRun(tenantId: string): boolean {
    return this.runningOf(tenantId) < this.settings.maxRunningPerTenant;
  }

  private retryAfterMillis(queueDepth: number, requestsPerRound: number): number {
    return estimateRetryAfterMillis({
      queueDepth,
      requestsPerRound,
      recentCallMillis: this.settings.metrics.recentCallMillis(),
      extraMillis: 0,
    });
  }

  private takeSlot(tenantId: string): ReleaseSlot {
    this.active += 1;
    this.runningByTenant.set(tenantId, this.runningOf(tenantId) + 1);
    this.settings.metrics.running = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      const running = this.runningOf(tenantId) - 1;
      if (running === 0) this.runningByTenant.delete(tenantId);
      else this.runningByTenant.set(tenantId, running);
      this.settings.metrics.running = this.active;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    const { metrics } = this.settings;
    while (this.active < this.settings.capacity) {
      const next = this.waiting.take((tenantId) => this.mayRun(tenantId));
      if (next === undefined) break;
      metrics.queueDepth = this.waiting.size;
      if (next.item.settled) continue;
      metrics.recordQueueWait(performance.now() - next.item.enqueuedAtMillis);
      next.item.resolve(this.takeSlot(next.tenantId));
    }
    if (this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

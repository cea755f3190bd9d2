import { EngineError } from "../engine-error.ts";
import type { BatchSizeMetrics } from "./batch-size-metrics.ts";
import { FairQueue, servedBefore, type FairCandidate } from "./fair-queue.ts";
import { refuseOperation } from "./operation-signal.ts";
import { PendingRequest } from "./pending-request.ts";
import type { RequestMetrics } from "./request-metrics.ts";
import { estimateRetryAfterMillis } from "./retry-estimate.ts";
import type { RequestKind } from "./request-kind.ts";
import { abortError, overloadedError, schedulerClosedError, tenantOverloadedError } from "./scheduler-errors.ts";
import type { TenantShares } from "./tenant-shares.ts";

/** One engine batch call: outputs in input order; `signal` aborts once no member of the batch still wants it. */
export type BatchCall<Input, Output> = (inputs: readonly Input[], signal: AbortSignal) => Promise<readonly Output[]>;

export interface BatchQueueSettings {
  kind: RequestKind;
  batchWindowMillis: number;
  maxBatchSize: number;
  /** Most requests waiting in all (every tenant, every group). */
  maxQueueDepth: number;
  /** Most requests of one tenant waiting. */
  maxQueueDepthPerTenant: number;
  maxConcurrentBatches: number;
  /** Whose requests fill the next batch: weighted fair queuing over tenants. */
  shares: TenantShares;
  metrics: RequestMetrics;
  batchSizes: BatchSizeMetrics;
}

type Request<Input, Output> = PendingRequest<Input, Output>;

/** Requests that may share an engine call (same group key), waiting for their batch. */
interface Group<Input, Output> {
  readonly key: string;
  readonly waiting: FairQueue<Request<Input, Output>>;
  /** The batch window of the group's oldest request has passed: dispatch as soon as an engine slot is free. */
  windowElapsed: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface RunningBatch<Input, Output> {
  readonly members: readonly Request<Input, Output>[];
  readonly controller: AbortController;
  /** Members not cancelled yet; at 0 the engine call is aborted, nobody wants its result. */
  live: number;
}

/**
 * Coalesces requests of one kind into engine batch calls. A group's batch window opens with its first
 * waiting request; once it has passed (or a full batch waits) AND an engine slot is free, a batch is
 * taken. So while the engine is busy the next batch keeps growing instead of many small batches
 * queueing up behind it.
 *
 * Members are chosen when the batch is taken, not when they arrive: up to `maxBatchSize` requests in
 * weighted fair order across tenants (`FairQueue`), and among ready groups, the group holding the
 * request fair order serves first. One tenant's 600 queued texts therefore delay another tenant's one
 * text by about one batch, not by the whole backlog; with a single tenant the order is arrival order.
 */
export class BatchQueue<Input, Output> {
  /** Groups with waiting requests, in the order their windows opened. */
  private readonly groups = new Map<string, Group<Input, Output>>();
  private readonly queuedByTenant = new Map<string, number>();
  private queued = 0;
  private readonly running = new Set<RunningBatch<Input, Output>>();
  /** Settle (never reject) when each running engine call is over. */
  private readonly finishing = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly settings: BatchQueueSettings,
    private readonly call: BatchCall<Input, Output>,
  ) {}

  get queueDepth(): number {
    return this.queued;
  }

  /**
   * Queues `input` of `tenantId` to be sent with others of the same `groupKey`. Fails at once with
   * `overloaded` when `maxQueueDepth` requests, or `maxQueueDepthPerTenant` of this tenant, already
   * wait (and then aborts the operation of an operation `signal`, dropping its other queued work); with
   * `cancelled` when `signal` is or becomes aborted, leaving the queue at once.
   */
  enqueue(groupKey: string, input: Input, tenantId: string, signal?: AbortSignal): Promise<Output> {
    const { metrics, maxQueueDepth, maxQueueDepthPerTenant, kind } = this.settings;
    if (this.closed) return Promise.reject(schedulerClosedError());
    if (signal?.aborted === true) {
      metrics.recordCancelled("queued");
      return Promise.reject(abortError(signal));
    }
    if (this.queued >= maxQueueDepth) {
      return this.refuse(overloadedError(kind, maxQueueDepth, this.retryAfterMillis(this.queued)), signal);
    }
    const queuedOfTenant = this.queuedByTenant.get(tenantId) ?? 0;
    if (queuedOfTenant >= maxQueueDepthPerTenant) {
      return this.refuse(tenantOverloadedError(kind, maxQueueDepthPerTenant, this.retryAfterMillis(queuedOfTenant)), signal);
    }

    const request = new PendingRequest<Input, Output>(input, signal);
    const group = this.groupFor(groupKey);
    group.waiting.push(tenantId, request);
    this.countQueued(tenantId, 1);
    request.onCancelled = () => {
      if (group.waiting.remove(tenantId, request)) {
        this.countQueued(tenantId, -1);
        if (group.waiting.size === 0) this.forget(group);
      }
      metrics.recordCancelled("queued");
    };
    if (group.waiting.size >= this.settings.maxBatchSize) this.pump();
    return request.promise;
  }

  /**
   * Refuses new requests, rejects waiting and running ones with a retryable `unavailable`, aborts the
   * running engine calls, and resolves once those calls are over (so the engine can be closed after).
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const error = schedulerClosedError();
      for (const group of [...this.groups.values()]) {
        this.forget(group);
        for (const request of group.waiting.drain()) request.reject(error);
      }
      this.queuedByTenant.clear();
      this.queued = 0;
      this.settings.metrics.queueDepth = 0;
      for (const batch of this.running) {
        for (const member of batch.members) member.reject(error);
        batch.controller.abort();
      }
    }
    await Promise.all([...this.finishing]);
  }

  private refuse(error: EngineError, signal: AbortSignal | undefined): Promise<never> {
    this.settings.metrics.recordOverloaded();
    refuseOperation(signal, error);
    return Promise.reject(error);
  }

  private countQueued(tenantId: string, change: 1 | -1): void {
    const count = (this.queuedByTenant.get(tenantId) ?? 0) + change;
    if (count === 0) this.queuedByTenant.delete(tenantId);
    else this.queuedByTenant.set(tenantId, count);
    this.queued += change;
    this.settings.metrics.queueDepth = this.queued;
  }

  private retryAfterMillis(queueDepth: number): number {
    const { maxBatchSize, maxConcurrentBatches, batchWindowMillis, metrics } = this.settings;
    return estimateRetryAfterMillis({
      queueDepth,
      requestsPerRound: maxBatchSize * maxConcurrentBatches,
      recentCallMillis: metrics.recentCallMillis(),
      extraMillis: batchWindowMillis,
    });
  }

  /** The group of `key`, opened (with its batch window) when nothing of it waits. */
  private groupFor(key: string): Group<Input, Output> {
    const existing = this.groups.get(key);
    if (existing !== undefined) return existing;
    const group: Group<Input, Output> = { key, waiting: new FairQueue(this.settings.shares), windowElapsed: false, timer: undefined };
    this.groups.set(key, group);
    if (this.settings.batchWindowMillis === 0) {
      // After the promise jobs of this turn (DataLoader's default moment), so every request made
      // synchronously or in chained promises of the same turn joins.
      void Promise.resolve().then(() => process.nextTick(() => this.windowElapsed(group)));
    } else {
      group.timer = setTimeout(() => this.windowElapsed(group), this.settings.batchWindowMillis);
    }
    return group;
  }

  private windowElapsed(group: Group<Input, Output>): void {
    group.timer = undefined;
    // A group emptied (dispatched or cancelled) meanwhile is forgotten; its successor has its own window.
    if (this.groups.get(group.key) !== group) return;
    group.windowElapsed = true;
    this.pump();
  }

  /** Drops an empty group: generation groups are keyed by parameters (seeds included), so they would pile up. */
  private forget(group: Group<Input, Output>): void {
    if (group.timer !== undefined) clearTimeout(group.timer);
    group.timer = undefined;
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  /** Takes batches while engine slots are free. */
  private pump(): void {
    while (this.running.size < this.settings.maxConcurrentBatches) {
      const group = this.nextReadyGroup();
      if (group === undefined) return;
      this.runBatch(this.takeBatch(group));
    }
  }

  /** Among groups whose window passed or that hold a full batch, the one holding the request fair order serves first. */
  private nextReadyGroup(): Group<Input, Output> | undefined {
    let chosen: { group: Group<Input, Output>; candidate: FairCandidate } | undefined;
    for (const group of this.groups.values()) {
      if (!group.windowElapsed && group.waiting.size < this.settings.maxBatchSize) continue;
      const candidate = group.waiting.peek();
      if (candidate !== undefined && (chosen === undefined || servedBefore(candidate, chosen.candidate))) chosen = { group, candidate };
    }
    return chosen?.group;
  }

  /** Up to `maxBatchSize` requests of `group`, in fair order across tenants. What is left stays ready. */
  private takeBatch(group: Group<Input, Output>): Request<Input, Output>[] {
    const members: Request<Input, Output>[] = [];
    while (members.length < this.settings.maxBatchSize) {
      const next = group.waiting.take();
      if (next === undefined) break;
      this.countQueued(next.tenantId, -1);
      members.push(next.item);
    }
    if (group.waiting.size === 0) this.forget(group);
    return members;
  }

  /** Claims the engine slot synchronously, before `pump` looks again. */
  private runBatch(members: readonly Request<Input, Output>[]): void {
    const { metrics } = this.settings;
    const now = performance.now();
    const batch: RunningBatch<Input, Output> = { members, controller: new AbortController(), live: members.length };
    for (const member of members) {
      member.phase = "running";
      metrics.recordQueueWait(now - member.enqueuedAtMillis);
      member.onCancelled = () => {
        // The caller was answered already; the batch goes on for the others.
        metrics.recordCancelled("running");
        batch.live -= 1;
        if (batch.live === 0) batch.controller.abort();
      };
    }
    this.running.add(batch);
    metrics.running = this.running.size;
    this.settings.batchSizes.record(members.length);
    const finished = this.callEngine(batch);
    this.finishing.add(finished);
    void finished.then(() => this.finishing.delete(finished));
  }

  /** Settles every member with the engine's answer; never rejects. */
  private async callEngine(batch: RunningBatch<Input, Output>): Promise<void> {
    const { metrics } = this.settings;
    const startedAt = performance.now();
    try {
      const outputs = await this.call(
        batch.members.map((member) => member.input),
        batch.controller.signal,
      );
      if (outputs.length !== batch.members.length) {
        throw new EngineError("invalid-response", `The engine returned ${outputs.length} results for a batch of ${batch.members.length}`);
      }
      outputs.forEach((output, index) => {
        if (output === undefined) throw new EngineError("invalid-response", `The engine returned no result at position ${index}`);
      });
      metrics.recordCallDuration(performance.now() - startedAt);
      metrics.recordCompleted(batch.members.filter((member) => member.phase === "running").length);
      batch.members.forEach((member, index) => member.resolve(outputs[index] as Output));
    } catch (error) {
      // Only this batch is affected: each member still waiting for it receives the engine's error.
      metrics.recordFailed(batch.members.filter((member) => member.phase === "running").length);
      for (const member of batch.members) member.reject(error);
    } finally {
      this.running.delete(batch);
      metrics.running = this.running.size;
      this.pump();
    }
  }
}

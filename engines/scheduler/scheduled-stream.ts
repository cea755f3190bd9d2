import type { GenerationEvent, GenerationRequest } from "../engine.ts";
import { EngineError } from "../engine-error.ts";
import { inSpan } from "../../platform/tracing/tracer.ts";
import { subscribeToAbort } from "./abort-subscriptions.ts";
import type { AdmissionQueue, ReleaseSlot } from "./admission-queue.ts";
import { ReadAhead } from "./read-ahead.ts";
import type { RequestMetrics } from "./request-metrics.ts";
import { refuseOperation } from "./operation-signal.ts";
import { abortError } from "./scheduler-errors.ts";

export type OpenEngineStream = (request: GenerationRequest, signal: AbortSignal) => AsyncIterable<GenerationEvent>;

export interface StreamContext {
  admission: AdmissionQueue;
  open: OpenEngineStream;
  metrics: RequestMetrics;
  /** Streams holding an engine slot, so that closing the scheduler can stop them. */
  active: Set<ScheduledStream>;
  /** Most engine events read ahead of the reader (see `streamReadAheadEvents`). */
  readAheadEvents: number;
}

type Phase = "idle" | "admitting" | "streaming" | "finished";

interface PendingNext {
  resolve(result: IteratorResult<GenerationEvent>): void;
  reject(reason: unknown): void;
}

const doneResult: IteratorResult<GenerationEvent> = { done: true, value: undefined };

/**
 * A streamed generation that waits for an engine slot on its first `next()` and holds it until the
 * engine's stream is over. A hand-written iterator, not an `async function*`: a generator's `return()`
 * waits for its pending `next()`, and a caller that goes away must stop the engine at once.
 *
 * Aborting the caller's signal (or calling `return()`) aborts the engine's signal so the engine stops
 * decoding; a pending `next()` rejects with `cancelled` right away. The slot is given back only when the
 * engine's stream has ended, so the engine never holds more streams than its capacity.
 */
export class ScheduledStream implements AsyncIterableIterator<GenerationEvent> {
  private phase: Phase = "idle";
  /** Aborted when the caller aborts or stops reading; the engine and the admission queue see this signal. */
  private readonly controller = new AbortController();
  private upstream: AsyncIterator<GenerationEvent> | undefined;
  private release: ReleaseSlot | undefined;
  private pending: PendingNext | undefined;
  /** An error to give the next `next()` when none was pending at the time it happened. */
  private deferredError: unknown;
  private sawEnd = false;
  private startedAtMillis = 0;
  private unsubscribeFromAbort: (() => void) | undefined;

  constructor(
    private readonly request: GenerationRequest,
    private readonly tenantId: string,
    private readonly signal: AbortSignal | undefined,
    private readonly context: StreamContext,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<GenerationEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<GenerationEvent>> {
    if (this.deferredError !== undefined) {
      const error = this.deferredError;
      this.deferredError = undefined;
      throw error;
    }
    if (this.phase === "idle") await this.start();
    if (this.phase !== "streaming") return doneResult;
    return this.pull();
  }

  async return(): Promise<IteratorResult<GenerationEvent>> {
    if (this.phase === "streaming") {
      // Stopping after the last event is a normal end; stopping earlier cancels the engine's work.
      this.stop(undefined, !this.sawEnd);
    } else if (this.phase === "admitting") {
      // The waiting `next()` rejects with `cancelled` from the admission queue.
      this.controller.abort();
    } else {
      this.phase = "finished";
    }
    return doneResult;
  }

  /** Stops the stream with `error` (closing the scheduler): the pending `next()` rejects with it. */
  shutdown(error: unknown): void {
    if (this.phase === "admitting") this.controller.abort();
    else if (this.phase === "streaming") this.stop(error, false);
  }

  private async start(): Promise<void> {
    this.phase = "admitting";
    const signal = this.signal;
    if (signal?.aborted === true) this.controller.abort(signal.reason);
    else if (signal !== undefined) this.unsubscribeFromAbort = subscribeToAbort(signal, () => this.stop(abortError(signal), true));

    let release: ReleaseSlot;
    try {
      // The wait for an engine slot is a span of its own (platform/tracing/); the engine call follows it.
      release = await inSpan("scheduler wait", { attributes: { "scheduler.request.kind": "stream" } }, () => this.context.admission.acquire(this.tenantId, this.controller.signal));
    } catch (error) {
      this.phase = "finished";
      this.detachFromSignal();
      // Refused: the rest of the caller's operation is dropped too (see `createOperationSignal`).
      if (error instanceof EngineError && error.code === "overloaded") refuseOperation(signal, error);
      throw error;
    }
    if (this.controller.signal.aborted) {
      // Aborted between admission and this continuation: hand the slot on at once.
      release();
      this.phase = "finished";
      this.detachFromSignal();
      this.context.metrics.recordCancelled("queued");
      throw abortError(this.controller.signal);
    }

    this.release = release;
    this.phase = "streaming";
    this.startedAtMillis = performance.now();
    this.context.active.add(this);
    try {
      this.upstream = new ReadAhead(this.context.open(this.request, this.controller.signal)[Symbol.asyncIterator](), this.context.readAheadEvents);
    } catch (error) {
      this.finish("failed");
      throw error;
    }
  }

  private pull(): Promise<IteratorResult<GenerationEvent>> {
    const upstream = this.upstream;
    if (upstream === undefined) return Promise.resolve(doneResult);
    return new Promise<IteratorResult<GenerationEvent>>((resolve, reject) => {
      const pending: PendingNext = { resolve, reject };
      this.pending = pending;
      let step: Promise<IteratorResult<GenerationEvent>>;
      try {
        step = upstream.next();
      } catch (error) {
        // A hand-written engine iterator may throw instead of rejecting; treat it the same way.
        step = Promise.reject(error);
      }
      step.then(
        (result) => {
          // Stale when the stream was stopped meanwhile: that caller was answered already.
          if (this.pending !== pending) return;
          this.pending = undefined;
          if (result.done === true) this.finish("completed");
          else if (result.value.type === "text-end") this.sawEnd = true;
          resolve(result);
        },
        (error: unknown) => {
          if (this.pending !== pending) return;
          this.pending = undefined;
          this.finish("failed");
          reject(error);
        },
      );
    });
  }

  private detachFromSignal(): void {
    this.unsubscribeFromAbort?.();
    this.unsubscribeFromAbort = undefined;
  }

  /** The engine's stream ended by itself: it holds nothing more, the slot goes back now. */
  private finish(outcome: "completed" | "failed"): void {
    if (this.phase !== "streaming") return;
    this.phase = "finished";
    this.detachFromSignal();
    this.context.active.delete(this);
    const { metrics } = this.context;
    metrics.recordCallDuration(performance.now() - this.startedAtMillis);
    if (outcome === "completed") metrics.recordCompleted();
    else metrics.recordFailed();
    this.upstream = undefined;
    this.release?.();
    this.release = undefined;
  }

  /**
   * Stops a running stream early. `error` goes to the pending or the next `next()`; undefined ends the
   * stream quietly (the reader asked to stop). `cancelled` says whether this counts as a cancellation.
   */
  private stop(error: unknown, cancelled: boolean): void {
    if (this.phase === "admitting") {
      // The waiting `next()` rejects with this error (`cancelled`, or the operation's refusal).
      this.controller.abort(error);
      return;
    }
    if (this.phase !== "streaming") return;
    this.phase = "finished";
    this.detachFromSignal();
    this.context.active.delete(this);
    const { metrics } = this.context;
    if (cancelled) metrics.recordCancelled("running");
    else if (error === undefined) metrics.recordCompleted();
    else metrics.recordFailed();

    this.controller.abort();
    const upstream = this.upstream;
    const release = this.release;
    this.upstream = undefined;
    this.release = undefined;
    void closeUpstream(upstream).finally(() => release?.());

    const pending = this.pending;
    this.pending = undefined;
    if (error === undefined) pending?.resolve(doneResult);
    else if (pending !== undefined) pending.reject(error);
    else this.deferredError = error;
  }
}

/**
 * Ends the engine's stream and resolves when it has. The engine saw its signal abort, so a pending
 * `next()` there ends soon, and `return()` then runs its cleanup (freeing its sequence).
 */
async function closeUpstream(upstream: AsyncIterator<GenerationEvent> | undefined): Promise<void> {
  try {
    await upstream?.return?.();
  } catch {
    // The engine's own failure while stopping: the caller was answered already, nothing to report to.
  }
}

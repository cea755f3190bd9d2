import type { RequestObserver } from "./request-observer.ts";
import { SampleWindow } from "./sample-window.ts";

/** How many recent engine-call durations feed the retry-after estimate: enough to smooth one odd call. */
const recentDurationCount = 32;

export interface QueueWaitSnapshot {
  /** Samples the percentiles come from (at most the configured `waitSampleSize`, the most recent ones). */
  samples: number;
  /** Milliseconds from arrival to dispatch on the engine; null before the first sample. */
  p50Millis: number | null;
  p99Millis: number | null;
}

export interface RequestMetricsSnapshot {
  /** Requests waiting now (not yet on the engine). */
  queueDepth: number;
  /** Engine work running now: batch calls for embeddings and generations, streams for streamed generations. */
  running: number;
  completed: number;
  /** Requests whose engine call failed (they received the engine's error). */
  failed: number;
  cancelledWhileQueued: number;
  cancelledWhileRunning: number;
  /** Requests refused at once because the queue was full. */
  rejectedOverloaded: number;
  queueWait: QueueWaitSnapshot;
  /** Mean duration of recent engine calls (batches, or whole streams), ms; null before the first. */
  recentCallMillis: number | null;
}

/** Counters and recent samples for one operation kind. In-process only: read through `snapshot()`. */
export class RequestMetrics {
  queueDepth = 0;
  running = 0;
  private completed = 0;
  private failed = 0;
  private cancelledWhileQueued = 0;
  private cancelledWhileRunning = 0;
  private rejectedOverloaded = 0;
  private readonly waits: SampleWindow;
  private readonly callDurations = new SampleWindow(recentDurationCount);

  /** @param observer Also told of every event (Prometheus series); none by default. */
  constructor(
    waitSampleSize: number,
    private readonly observer?: RequestObserver,
  ) {
    this.waits = new SampleWindow(waitSampleSize);
  }

  recordQueueWait(millis: number): void {
    this.waits.add(millis);
    this.observer?.queueWait(millis);
  }

  recordCallDuration(millis: number): void {
    this.callDurations.add(millis);
    this.observer?.callDuration(millis);
  }

  recordCompleted(count = 1): void {
    this.completed += count;
    this.observer?.outcome("completed", count);
  }

  recordFailed(count = 1): void {
    this.failed += count;
    this.observer?.outcome("failed", count);
  }

  recordCancelled(phase: "queued" | "running"): void {
    if (phase === "queued") this.cancelledWhileQueued += 1;
    else this.cancelledWhileRunning += 1;
    this.observer?.outcome(phase === "queued" ? "cancelled_queued" : "cancelled_running", 1);
  }

  recordOverloaded(): void {
    this.rejectedOverloaded += 1;
    this.observer?.outcome("overloaded", 1);
  }

  /** Mean of recent engine-call durations in ms, undefined before the first call finished. */
  recentCallMillis(): number | undefined {
    return this.callDurations.mean();
  }

  snapshot(): RequestMetricsSnapshot {
    return {
      queueDepth: this.queueDepth,
      running: this.running,
      completed: this.completed,
      failed: this.failed,
      cancelledWhileQueued: this.cancelledWhileQueued,
      cancelledWhileRunning: this.cancelledWhileRunning,
      rejectedOverloaded: this.rejectedOverloaded,
      queueWait: {
        samples: this.waits.size,
        p50Millis: this.waits.percentile(0.5) ?? null,
        p99Millis: this.waits.percentile(0.99) ?? null,
      },
      recentCallMillis: this.callDurations.mean() ?? null,
    };
  }
}

import { subscribeToAbort } from "./abort-subscriptions.ts";
import { abortError } from "./scheduler-errors.ts";

/** Where a request is: waiting in a batch window, inside a running engine call, or answered. */
export type RequestPhase = "queued" | "running" | "settled";

/**
 * One caller's request while the scheduler holds it: the caller's promise, settled exactly once, and
 * the abort wiring. It settles on its own when the caller aborts, so a cancelled caller is answered at
 * once whether its batch is still waiting or already on the engine.
 */
export class PendingRequest<Input, Output> {
  readonly promise: Promise<Output>;
  readonly enqueuedAtMillis = performance.now();
  phase: RequestPhase = "queued";
  /** Told, after the promise rejected because the caller aborted, in which phase that happened. */
  onCancelled: ((phase: "queued" | "running") => void) | undefined;

  private resolvePromise!: (value: Output) => void;
  private rejectPromise!: (reason: unknown) => void;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    readonly input: Input,
    signal: AbortSignal | undefined,
  ) {
    this.promise = new Promise<Output>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    // The caller checks `signal.aborted` before building a request; an already-aborted signal never fires.
    this.unsubscribe = signal === undefined ? undefined : subscribeToAbort(signal, () => this.cancel(abortError(signal)));
  }

  get settled(): boolean {
    return this.phase === "settled";
  }

  resolve(value: Output): void {
    if (this.settle()) this.resolvePromise(value);
  }

  reject(reason: unknown): void {
    if (this.settle()) this.rejectPromise(reason);
  }

  /** `error` is `cancelled`, or the refusal of the caller's operation (see `abortError`). */
  private cancel(error: unknown): void {
    const phase = this.phase;
    if (phase === "settled") return;
    this.reject(error);
    this.onCancelled?.(phase);
  }

  /** Marks the request answered and drops the abort listener, so long-lived signals do not collect listeners. */
  private settle(): boolean {
    if (this.phase === "settled") return false;
    this.phase = "settled";
    this.unsubscribe?.();
    return true;
  }
}

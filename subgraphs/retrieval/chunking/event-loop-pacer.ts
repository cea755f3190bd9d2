import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Default longest synchronous stretch between two turns of the event loop, in milliseconds. 10 ms
 * leaves room under the 50 ms budget for a step that starts just before the slice ends (every step
 * between two checks is bounded: one window of a segmenter, one line, one counter batch).
 */
export const defaultSliceMillis = 10;

/**
 * Keeps long synchronous work (chunking a 4 MiB document) from blocking the event loop: callers
 * ask `due()` between bounded steps (cheap: one clock read, no await) and, when it is, `await pause()`, which gives the event loop a
 * full turn (timers, I/O, health checks) through `setImmediate`, then checks the abort signal.
 * A resolved promise alone would not do: microtasks run before any I/O.
 */
export class EventLoopPacer {
  readonly #sliceMillis: number;
  readonly #signal: AbortSignal | undefined;
  #sliceStart = performance.now();

  constructor(options: { sliceMillis?: number; signal?: AbortSignal } = {}) {
    this.#sliceMillis = options.sliceMillis ?? defaultSliceMillis;
    this.#signal = options.signal;
  }

  /** Whether the current slice has run its time (or the work was cancelled): the caller should `pause()`. */
  due(): boolean {
    return this.#signal?.aborted === true || performance.now() - this.#sliceStart >= this.#sliceMillis;
  }

  /** Yields one event-loop turn and starts a new slice; throws the signal's reason once aborted. */
  async pause(): Promise<void> {
    this.#signal?.throwIfAborted();
    await nextTurn();
    this.#signal?.throwIfAborted();
    this.#sliceStart = performance.now();
  }
}

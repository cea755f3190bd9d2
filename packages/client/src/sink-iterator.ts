/** Where a transport delivers an operation's results. */
export interface ResultSink<T> {
  next(value: T): void;
  /** Ends the operation with `error` (after the values already delivered). */
  error(error: unknown): void;
  complete(): void;
}

/**
 * An async iterator over what `start` delivers to its sink. `start` runs on the first `next()`
 * and returns the function that stops the upstream operation; `return()` (a `break` out of
 * `for await`) and an abort of `signal` call it at once, not at the next event, so nothing keeps
 * running (and generating) after the consumer left. An abort rejects the pending `next()` with the
 * signal's reason, as `fetch` does.
 */
export function sinkIterator<T>(start: (sink: ResultSink<T>) => () => void, signal?: AbortSignal): AsyncIterableIterator<T> {
  const buffered: T[] = [];
  let failure: { error: unknown } | undefined;
  let started = false;
  /** Upstream finished (completed or failed): what is buffered is all there is. */
  let finished = false;
  /** The consumer left, or the signal aborted: nothing more is delivered. */
  let closed = false;
  const waiters: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  let stopUpstream: (() => void) | undefined;

  const settle = () => {
    while (waiters.length > 0) {
      const waiter = waiters.shift() as (typeof waiters)[number];
      if (buffered.length > 0) {
        waiter.resolve({ value: buffered.shift() as T, done: false });
      } else if (failure !== undefined) {
        const { error } = failure;
        failure = undefined;
        closed = true;
        waiter.reject(error);
      } else if (finished || closed) {
        waiter.resolve({ value: undefined, done: true });
      } else {
        waiters.unshift(waiter);
        return;
      }
    }
  };

  const release = () => {
    signal?.removeEventListener("abort", onAbort);
    const stop = stopUpstream;
    stopUpstream = undefined;
    if (stop !== undefined && !finished) stop();
  };

  function onAbort() {
    if (closed) return;
    buffered.length = 0;
    failure = { error: signal?.reason };
    release();
    finished = true;
    settle();
  }

  const sink: ResultSink<T> = {
    next: (value) => {
      if (closed || finished) return;
      buffered.push(value);
      settle();
    },
    error: (error) => {
      if (closed || finished) return;
      failure = { error };
      finished = true;
      release();
      settle();
    },
    complete: () => {
      if (closed || finished) return;
      finished = true;
      release();
      settle();
    },
  };

  const begin = () => {
    started = true;
    if (signal?.aborted) {
      failure = { error: signal.reason };
      finished = true;
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    let stop: () => void;
    try {
      stop = start(sink);
    } catch (error) {
      // A transport that cannot start (no WebSocket implementation) fails the first next().
      sink.error(error);
      return;
    }
    // A transport that finished synchronously, before returning its stop function, has nothing to stop.
    if (!finished) stopUpstream = stop;
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (!started) begin();
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiters.push({ resolve, reject });
        settle();
      });
    },
    return() {
      started = true;
      if (!closed) {
        closed = true;
        buffered.length = 0;
        failure = undefined;
        release();
        finished = true;
      }
      settle();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

import type { EngineError } from "../engine-error.ts";

/** The controller behind each operation signal, so the scheduler can abort one it only holds the signal of. */
const operations = new WeakMap<AbortSignal, AbortController>();

/**
 * The signal for every scheduler call of one operation (one GraphQL request). It aborts when `parent`
 * does (the client went away), and also when the scheduler refuses any call made with it as
 * `overloaded`: the operation has failed, so the work it queued on other fields is dropped from the
 * queues instead of running for nobody (issue 14: one request of 600 aliased embeddings filled the
 * queue, was refused, and its queued work kept the engine busy). Calls of the operation waiting then
 * reject with that `overloaded` error; calls made after it reject at once.
 */
export function createOperationSignal(parent?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (parent?.aborted === true) controller.abort(parent.reason);
  else parent?.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
  operations.set(controller.signal, controller);
  return controller.signal;
}

/**
 * Aborts the operation of `signal` with `refusal` when `signal` is an operation signal; any other
 * signal (a caller's own) is left alone, and only the refused call fails.
 */
export function refuseOperation(signal: AbortSignal | undefined, refusal: EngineError): void {
  if (signal === undefined) return;
  operations.get(signal)?.abort(refusal);
}

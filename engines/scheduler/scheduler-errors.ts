import { EngineError } from "../engine-error.ts";
import type { RequestKind } from "./request-kind.ts";

export function cancelledError(): EngineError {
  return new EngineError("cancelled", "The request was cancelled by the caller");
}

/**
 * What a call whose signal aborted receives: the refusal when its operation was refused as
 * overloaded (see `createOperationSignal`), so every field of that operation reports why; otherwise `cancelled`.
 */
export function abortError(signal: AbortSignal): EngineError {
  const reason: unknown = signal.reason;
  return reason instanceof EngineError && reason.code === "overloaded" ? reason : cancelledError();
}

export function schedulerClosedError(): EngineError {
  // Retryable on purpose: the scheduler closes on shutdown or model unload, and another replica
  // (or this one, once the model is loaded again) can serve the retry.
  return new EngineError("unavailable", "The model's scheduler is closed (shutdown or model unloaded)");
}

export function overloadedError(kind: RequestKind, maxQueueDepth: number, retryAfterMillis: number): EngineError {
  return new EngineError("overloaded", `The ${kind} queue is full (${maxQueueDepth} waiting); retry in about ${retryAfterMillis} ms`, {
    retryAfterMillis,
  });
}

/** The tenant has its own share of the queue waiting already; other tenants are still admitted. */
export function tenantOverloadedError(kind: RequestKind, maxQueueDepthPerTenant: number, retryAfterMillis: number): EngineError {
  return new EngineError(
    "overloaded",
    `The ${kind} queue holds this tenant's limit of ${maxQueueDepthPerTenant} waiting requests; retry in about ${retryAfterMillis} ms`,
    { retryAfterMillis },
  );
}

/**
 * Runs one non-streamed upstream call with a per-attempt timeout and retries with backoff.
 */
import type { Logger } from "../../platform/logging/logger.ts";
import { EngineError } from "../engine-error.ts";
import { delayUnlessAborted } from "./abortable-delay.ts";
import { RequestAttempt } from "./request-attempt.ts";
import { retryDelayMillis, type RetryPolicy } from "./retry-policy.ts";
import { cancelledError, toEngineError } from "./upstream-error.ts";

export interface UpstreamCallSettings {
  readonly retryPolicy: RetryPolicy;
  /** Milliseconds one attempt (request and reply body) may take. */
  readonly requestTimeoutMillis: number;
  /** Aborted when the engine closes. */
  readonly engineSignal: AbortSignal;
  /** Where upstream failures are logged with the upstream's own words. Default: nowhere. */
  readonly logger?: Logger | undefined;
}

/**
 * Calls `run` until it succeeds, fails with a non-retryable error, or the retries are used up. `run`
 * validates the reply too, so a slow body counts against the timeout and a malformed one fails at once.
 * Rejects with an EngineError; `cancelled` when `signal` (or the engine's close) aborted it.
 */
export async function callWithRetries<Result>(
  settings: UpstreamCallSettings,
  operation: string,
  run: (signal: AbortSignal) => Promise<Result>,
  signal?: AbortSignal,
): Promise<Result> {
  const parents = [signal, settings.engineSignal];
  const cancelled = (): boolean => parents.some((parent) => parent?.aborted === true);
  for (let retriesDone = 0; ; retriesDone += 1) {
    if (cancelled()) throw cancelledError(operation);
    const attempt = new RequestAttempt(parents, settings.requestTimeoutMillis);
    let failure: EngineError;
    try {
      return await run(attempt.signal);
    } catch (error) {
      // The caller's abort wins over whatever the aborted request happened to throw.
      if (cancelled()) throw cancelledError(operation);
      failure = toEngineError(error, { operation, timedOut: attempt.timedOut, logger: settings.logger });
    } finally {
      attempt.dispose();
    }
    const delay = retryDelayMillis(failure, retriesDone, settings.retryPolicy);
    if (delay === undefined) throw failure;
    if (!(await delayUnlessAborted(delay, parents))) throw cancelledError(operation);
  }
}

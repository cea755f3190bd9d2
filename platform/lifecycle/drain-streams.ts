/**
 * Something that holds client streams open (graphql-ws sockets, SSE and multipart subscription
 * responses), which a graceful stop lets finish before it ends the rest.
 */
export interface DrainableStreams {
  /** Refuses new streams and operations from now on, with a retryable error; idempotent. */
  stopAccepting(): void;
  /** Resolves once nothing is running any more (each stream ended on its own). */
  whenIdle(): Promise<void>;
  /**
   * Ends what still runs with a documented retryable signal (graphql-ws: close code 4503
   * `ServerRestarting`; SSE and multipart: a last error `SERVICE_UNAVAILABLE` with
   * `extensions.reason: "SERVER_RESTARTING"`) and resolves when it is all closed.
   */
  close(): Promise<void>;
}

/** What a drain did: how many targets still ran when the grace period was over. */
export interface DrainOutcome {
  /** Targets that were not idle within the grace period and were ended with the retryable signal. */
  cutTargets: number;
}

/**
 * The graceful stop of streams: stops accepting new ones at once, lets the running ones finish for
 * up to `gracePeriodMillis` (milliseconds), then ends the rest with their retryable signal. A
 * stream that ends within the grace period is never cut: clients of a rolling restart see every
 * token of streams shorter than the grace period.
 */
export async function drainStreams(targets: readonly DrainableStreams[], gracePeriodMillis: number): Promise<DrainOutcome> {
  for (const target of targets) target.stopAccepting();
  const idle = targets.map(() => false);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, gracePeriodMillis);
  });
  try {
    await Promise.race([
      Promise.all(
        targets.map(async (target, index) => {
          await target.whenIdle();
          idle[index] = true;
        }),
      ),
      graceOver,
    ]);
  } finally {
    clearTimeout(timer);
  }
  const cutTargets = idle.filter((done) => !done).length;
  await Promise.all(targets.map((target) => target.close()));
  return { cutTargets };
}

/** The reason a stream cut by a graceful stop carries in `extensions.reason` (SSE, multipart, subgraph errors). */
export const serverRestartingReason = "SERVER_RESTARTING";

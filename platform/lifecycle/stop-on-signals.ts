import type { Logger } from "../logging/logger.ts";

/**
 * Calls `stop` on the first SIGINT or SIGTERM and exits when it is done; a second signal exits at
 * once, for the operator who does not want to wait for the grace period. A service's `stop` is a
 * graceful drain (`startServiceServer`): readiness fails, no new connections or operations, running
 * requests and streams get `SHUTDOWN_GRACE_PERIOD_MILLIS`, then streams still running end with a
 * retryable signal (`drainStreams`), then the stores close.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn("second signal: exiting without waiting", { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info("shutting down", { signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

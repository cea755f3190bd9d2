import type { CommonConfig } from "../config/common-config.ts";
import { createErrorFormatter } from "../errors/format-error.ts";
import type { Logger } from "../logging/logger.ts";

/** The HTTP settings every service takes from its config. */
export function serverSettings(config: CommonConfig & { port: number }) {
  return {
    host: config.host,
    port: config.port,
    maximumBodyBytes: config.maximumRequestBodyBytes,
    httpTimeouts: config.httpTimeouts,
    stopGracePeriodMillis: config.shutdownGracePeriodMillis,
  };
}

/** Apollo Server options every service shares: error masking, introspection and schema-suggestion policy. */
export function apolloServerDefaults(config: CommonConfig, logger: Logger) {
  return {
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.schemaSuggestions,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (platform/lifecycle/stop-on-signals.ts): Apollo's own handler stops the server
    // and re-sends SIGTERM, which we would take for an impatient second signal and skip closing stores.
    stopOnTerminationSignals: false,
  };
}

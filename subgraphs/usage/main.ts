/** Starts the usage subgraph alone: `npm run start:usage`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { startTracing } from "../../platform/tracing/start-tracing.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadUsageConfig } from "./config.ts";
import { startUsage } from "./service.ts";

await runMain(async () => {
  const config = loadUsageConfig();
  const logger = createLogger("usage", config.logLevel);
  // Trace export when the OTEL_* variables configure it (platform/tracing/); before anything opens.
  const tracing = startTracing("usage", process.env, logger);
  const service = await startUsage(config, logger);
  stopOnSignals(async () => {
    await service.stop();
    await tracing.shutdown();
  }, logger);
});

/** Starts the model-registry subgraph alone: `npm run start:model-registry`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { startTracing } from "../../platform/tracing/start-tracing.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadModelRegistryConfig } from "./config.ts";
import { startModelRegistry } from "./service.ts";

await runMain(async () => {
  const config = loadModelRegistryConfig();
  const logger = createLogger("model-registry", config.logLevel);
  // Trace export when the OTEL_* variables configure it (platform/tracing/); before anything opens.
  const tracing = startTracing("model-registry", process.env, logger);
  const service = await startModelRegistry(config, logger);
  stopOnSignals(async () => {
    await service.stop();
    await tracing.shutdown();
  }, logger);
});

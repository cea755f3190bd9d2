/** Starts the inference subgraph alone: `npm run start:inference`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { startTracing } from "../../platform/tracing/start-tracing.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadInferenceConfig } from "./config.ts";
import { startInference } from "./service.ts";

await runMain(async () => {
  const config = loadInferenceConfig();
  const logger = createLogger("inference", config.logLevel);
  // Trace export when the OTEL_* variables configure it (platform/tracing/); before anything opens.
  const tracing = startTracing("inference", process.env, logger);
  const service = await startInference(config, logger);
  stopOnSignals(async () => {
    await service.stop();
    await tracing.shutdown();
  }, logger);
});

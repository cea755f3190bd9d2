/** Starts the usage subgraph alone: `npm run start:usage`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadUsageConfig } from "./config.ts";
import { startUsage } from "./service.ts";

await runMain(async () => {
  const config = loadUsageConfig();
  const logger = createLogger("usage", config.logLevel);
  const service = await startUsage(config, logger);
  stopOnSignals(service.stop, logger);
});

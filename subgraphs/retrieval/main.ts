/** Starts the retrieval subgraph alone: `npm run start:retrieval`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { startTracing } from "../../platform/tracing/start-tracing.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadRetrievalConfig } from "./config.ts";
import { startRetrieval } from "./service.ts";

await runMain(async () => {
  const config = loadRetrievalConfig();
  const logger = createLogger("retrieval", config.logLevel);
  // Trace export when the OTEL_* variables configure it (platform/tracing/); before anything opens.
  const tracing = startTracing("retrieval", process.env, logger);
  const service = await startRetrieval(config, logger);
  stopOnSignals(async () => {
    await service.stop();
    await tracing.shutdown();
  }, logger);
});

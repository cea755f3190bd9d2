/** Starts the retrieval subgraph alone: `npm run start:retrieval`. */
import { stopOnSignals } from "../../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../../platform/lifecycle/run-main.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadRetrievalConfig } from "./config.ts";
import { startRetrieval } from "./service.ts";

await runMain(async () => {
  const config = loadRetrievalConfig();
  const logger = createLogger("retrieval", config.logLevel);
  const service = await startRetrieval(config, logger);
  stopOnSignals(service.stop, logger);
});

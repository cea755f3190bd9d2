/** Starts the gateway alone: `npm run start:gateway`. */
import { stopOnSignals } from "../platform/lifecycle/stop-on-signals.ts";
import { runMain } from "../platform/lifecycle/run-main.ts";
import { startTracing } from "../platform/tracing/start-tracing.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";
import { ensureDevelopmentKey } from "../platform/api-keys/issue-api-key.ts";
import { loadGatewayConfig } from "./config.ts";
import { startGateway } from "./service.ts";
import { createApiKeyStore } from "../platform/api-keys/create-api-key-store.ts";

await runMain(async () => {
  const config = loadGatewayConfig();
  const logger = createLogger("gateway", config.logLevel);
  // Trace export when the OTEL_* variables configure it (platform/tracing/); before anything opens.
  const tracing = startTracing("gateway", process.env, logger);
  if (config.storeBackend === "embedded") {
    const infrastructure = await connectSharedInfrastructure(config, logger);
    const issued = await ensureDevelopmentKey(createApiKeyStore(config, infrastructure));
    await infrastructure.close();
    if (issued !== undefined) {
      console.log(`Created tenant "${issued.tenantId}" with a platform-admin API key (shown only now):\n  ${issued.key}`);
    }
  }
  const service = await startGateway(config, logger);
  stopOnSignals(async () => {
    await service.stop();
    await tracing.shutdown();
  }, logger);
});

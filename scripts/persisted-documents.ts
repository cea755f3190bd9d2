/**
 * Loads an app's persisted documents manifest into the store every gateway replica reads (the
 * manifest file on embedded stores, Redis otherwise; the gateway's environment variables):
 *   npm run persisted-documents -- push path/to/persisted-documents.json
 *   npm run persisted-documents -- count
 * The manifest is what codegen's client-preset writes with `persistedDocuments: true`.
 */
import { readFile } from "node:fs/promises";
import { loadGatewayConfig } from "../gateway/config.ts";
import { createPersistedDocumentStore } from "../gateway/persisted-documents/create-persisted-documents.ts";
import { readManifest } from "../gateway/persisted-documents/read-manifest.ts";
import { ServiceError } from "../platform/errors/service-error.ts";
import { runMain } from "../platform/lifecycle/run-main.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../platform/storage/shared-infrastructure.ts";

const usage = `usage:
  npm run persisted-documents -- push <persisted-documents.json>
  npm run persisted-documents -- count`;

await runMain(async () => {
  const [command, argument] = process.argv.slice(2);
  const config = loadGatewayConfig();
  const infrastructure = await connectSharedInfrastructure(config, createLogger("persisted-documents", "warn"));
  const store = createPersistedDocumentStore({ redis: infrastructure.redis, keyPrefix: config.redisKeyPrefix, dataDirectory: config.dataDirectory, manifestPath: config.persistedDocuments.manifestPath });
  try {
    switch (command) {
      case "push": {
        if (argument === undefined) throw new Error(`push needs a manifest file\n\n${usage}`);
        const documents = readManifest(JSON.parse(await readFile(argument, "utf8")) as unknown);
        const total = await store.add(documents);
        console.log(`Pushed ${Object.keys(documents).length} documents; the store holds ${total}. Mode: ${config.persistedDocuments.mode}.`);
        break;
      }
      case "count":
        console.log(`${await store.count()} documents. Mode: ${config.persistedDocuments.mode}.`);
        break;
      default:
        console.error(`${command === undefined ? "missing command" : `unknown command "${command}"`}\n\n${usage}`);
        process.exitCode = 2;
    }
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  } finally {
    await infrastructure.close();
  }
});

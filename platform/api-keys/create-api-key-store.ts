import type { CommonConfig } from "../config/common-config.ts";
import type { SharedInfrastructure } from "../storage/shared-infrastructure.ts";
import type { ApiKeyStore } from "./api-key-store.ts";
import { EmbeddedApiKeyStore } from "./embedded-api-key-store.ts";
import { RedisApiKeyStore } from "./redis-api-key-store.ts";

/**
 * The key store of the installation: the gateway reads it on every request, the usage subgraph
 * (`createApiKey`, `revokeApiKey`) and the `api-keys` command write it.
 */
export function createApiKeyStore(config: Pick<CommonConfig, "dataDirectory" | "redisKeyPrefix">, infrastructure: Pick<SharedInfrastructure, "redis">): ApiKeyStore {
  return infrastructure.redis === undefined ? new EmbeddedApiKeyStore(config.dataDirectory) : new RedisApiKeyStore(infrastructure.redis, config.redisKeyPrefix);
}

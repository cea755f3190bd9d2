import { join } from "node:path";
import type { Redis } from "ioredis";
import { FilePersistedDocumentStore } from "./file-persisted-document-store.ts";
import type { PersistedDocumentStore } from "./persisted-document-store.ts";
import { RedisPersistedDocumentStore } from "./redis-persisted-document-store.ts";

/** The manifest store: the Redis hash with Redis stores, else the manifest file (default `<DATA_DIR>/persisted-documents.json`). */
export function createPersistedDocumentStore(options: { redis: Redis | undefined; keyPrefix: string; dataDirectory: string; manifestPath: string | undefined }): PersistedDocumentStore {
  return options.redis === undefined
    ? new FilePersistedDocumentStore(options.manifestPath ?? join(options.dataDirectory, "persisted-documents.json"))
    : new RedisPersistedDocumentStore(options.redis, options.keyPrefix);
}

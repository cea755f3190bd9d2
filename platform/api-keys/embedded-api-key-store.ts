import { join } from "node:path";
import { z } from "zod";
import { JsonFileDocument } from "../storage/json-file-document.ts";
import { apiKeyRecordSchema, type ApiKeyRecord } from "./api-key.ts";
import type { ApiKeyStore } from "./api-key-store.ts";

const keyFileSchema = z.object({ keys: z.array(apiKeyRecordSchema) });
type KeyFile = { keys: ApiKeyRecord[] };

/** API keys in a JSON file under the data directory (mode 0600). */
export class EmbeddedApiKeyStore implements ApiKeyStore {
  readonly #document: JsonFileDocument<KeyFile>;

  constructor(dataDirectory: string) {
    this.#document = new JsonFileDocument(join(dataDirectory, "api-keys.json"), keyFileSchema as z.ZodType<KeyFile>, () => ({ keys: [] }));
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return (await this.#document.read()).keys.find((record) => record.hash === hash);
  }

  create(record: ApiKeyRecord): Promise<void> {
    return this.#document.update((file) => ({ next: { keys: [...file.keys, record] }, result: undefined }));
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...(await this.#document.read()).keys];
  }

  setRoles(id: string, roles: ApiKeyRecord["roles"]): Promise<boolean> {
    return this.#document.update((file) => {
      const found = file.keys.some((record) => record.id === id);
      const keys = file.keys.map((record) => (record.id === id ? { ...record, roles: [...roles] } : record));
      return { next: { keys }, result: found };
    });
  }

  revoke(id: string): Promise<boolean> {
    return this.#document.update((file) => {
      const keys = file.keys.filter((record) => record.id !== id);
      return { next: { keys }, result: keys.length !== file.keys.length };
    });
  }

  async count(): Promise<number> {
    return (await this.#document.read()).keys.length;
  }

  async checkHealth(): Promise<void> {
    await this.#document.read();
  }

  async close(): Promise<void> {}
}

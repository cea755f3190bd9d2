import type { ApiKeyRecord } from "./api-key.ts";

/** Where API keys (their hashes) live. The gateway reads; the `api-keys` command writes. */
export interface ApiKeyStore {
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  create(record: ApiKeyRecord): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  /** Replaces the roles of the key with this public id (role migration); false when there is none. */
  setRoles(id: string, roles: ApiKeyRecord["roles"]): Promise<boolean>;
  /** Removes the key with this public id; false when there is none. */
  revoke(id: string): Promise<boolean>;
  count(): Promise<number>;
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

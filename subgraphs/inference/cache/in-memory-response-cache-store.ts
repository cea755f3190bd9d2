import type { ResponseCacheStore } from "./response-cache-store.ts";

export interface InMemoryResponseCacheLimits {
  /** Most entries kept; the least recently used go first beyond it. RESPONSE_CACHE_MAX_ENTRIES, default 10,000. */
  maximumEntries: number;
  /** Most bytes of keys and values (UTF-8) kept; the least recently used go first beyond it. RESPONSE_CACHE_MAX_BYTES, default 67,108,864 (64 MiB). */
  maximumBytes: number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAtMillis: number;
}

/**
 * The response cache of one process: a least-recently-used map bounded by entries and by bytes,
 * whose entries expire after their TTL (checked when read; expired entries also go first when
 * space is needed). A value larger than `maximumBytes` on its own is not kept.
 */
export class InMemoryResponseCacheStore implements ResponseCacheStore {
  readonly #limits: InMemoryResponseCacheLimits;
  readonly #now: () => number;
  /** Map iteration follows insertion order: re-inserting an entry marks it most recently used. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  /** `now`: the clock in milliseconds, `Date.now` unless a test passes its own. */
  constructor(limits: InMemoryResponseCacheLimits, now: () => number = Date.now) {
    if (!Number.isInteger(limits.maximumEntries) || limits.maximumEntries < 1) throw new RangeError(`maximumEntries must be a positive integer, got ${limits.maximumEntries}`);
    if (!Number.isInteger(limits.maximumBytes) || limits.maximumBytes < 1) throw new RangeError(`maximumBytes must be a positive integer, got ${limits.maximumBytes}`);
    this.#limits = limits;
    this.#now = now;
  }

  /** Entries held now (expired ones not yet dropped included). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes of keys and values held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAtMillis <= this.#now()) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#remove(key);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > this.#limits.maximumBytes) return;
    this.#entries.set(key, { value, bytes, expiresAtMillis: this.#now() + ttlSeconds * 1000 });
    this.#bytes += bytes;
    while (this.#entries.size > this.#limits.maximumEntries || this.#bytes > this.#limits.maximumBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  async checkHealth(): Promise<void> {}

  async close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

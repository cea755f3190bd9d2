import type { CostInputs } from "./cost-inputs.ts";

export interface CostInputsCacheOptions {
  /** How long a read of prices, collections and the tenant's budget answers later operations, in milliseconds; 0 reads for every operation. */
  maxAgeMillis: number;
  /** Most reads kept (least recently used dropped first). Default 10,000. */
  maximumEntries?: number;
  now?: () => number;
}

interface Entry {
  inputs: Promise<CostInputs>;
  readAtMillis: number;
}

/**
 * The last cost inputs read for one caller and one set of models and collections, reused for
 * `maxAgeMillis` (COST_INPUTS_MAX_AGE_MILLIS, default 0: off) and shared by concurrent operations.
 * The read is a federated query through three subgraphs (registry prices, usage quota, inference
 * current use), measured at about 5 of the 8-10 ms a response-cache hit took through the gateway.
 * With a budget that old, an operation over what is left may start (its calls are then refused one
 * by one by the inference service, which checks every call exactly) instead of being refused whole.
 */
export class CostInputsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxAgeMillis: number;
  readonly #maximumEntries: number;
  readonly #now: () => number;

  constructor(options: CostInputsCacheOptions) {
    this.#maxAgeMillis = options.maxAgeMillis;
    this.#maximumEntries = options.maximumEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The inputs under `key`, read by `read` when none are cached or they are older than the maximum age. A failed read is not kept. */
  get(key: string, read: () => Promise<CostInputs>): Promise<CostInputs> {
    if (this.#maxAgeMillis <= 0) return read();
    const now = this.#now();
    const cached = this.#entries.get(key);
    if (cached !== undefined && now - cached.readAtMillis < this.#maxAgeMillis) return cached.inputs;
    const inputs = read();
    const entry = { inputs, readAtMillis: now };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    inputs.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#maximumEntries) {
      const [oldest] = this.#entries.keys();
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return inputs;
  }
}

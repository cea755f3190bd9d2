/**
 * Engine milliseconds per prompt token of each model's embedding calls, learned from the calls this
 * process made (an exponentially weighted mean), so a request can be refused before it runs when it
 * would take more engine time than one request may. Measured on this project's 2-core CPU: MiniLM
 * (f16, one thread) embeds ~740 tokens/s, 1.35 ms/token; a GPU server is ~40x faster, so a fixed
 * token cap alone would be either useless there or far too strict here.
 */
export class EngineTimeEstimator {
  readonly #millisPerToken = new Map<string, number>();
  readonly #weightOfNewest: number;
  readonly #minimumTokensPerSample: number;

  /**
   * @param weightOfNewest share of the newest sample in the mean, 0 to 1. Default 0.2.
   * @param minimumTokensPerSample calls with fewer prompt tokens are not learned from: their time is
   *   mostly fixed overhead (batch window, hops), which would inflate the per-token figure. Default 64.
   */
  constructor(weightOfNewest = 0.2, minimumTokensPerSample = 64) {
    if (!(weightOfNewest > 0 && weightOfNewest <= 1)) throw new RangeError(`weightOfNewest must be in (0, 1], got ${weightOfNewest}`);
    this.#weightOfNewest = weightOfNewest;
    this.#minimumTokensPerSample = minimumTokensPerSample;
  }

  /** Learns from one finished call of `modelId`: `tokens` prompt tokens took `engineMillis`. */
  record(modelId: string, tokens: number, engineMillis: number): void {
    if (tokens < this.#minimumTokensPerSample || !(engineMillis >= 0)) return;
    const sample = engineMillis / tokens;
    const previous = this.#millisPerToken.get(modelId);
    this.#millisPerToken.set(modelId, previous === undefined ? sample : previous + this.#weightOfNewest * (sample - previous));
  }

  /** Estimated engine milliseconds for `tokens` prompt tokens on `modelId`; undefined until a call was measured. */
  estimate(modelId: string, tokens: number): number | undefined {
    const rate = this.#millisPerToken.get(modelId);
    return rate === undefined ? undefined : rate * tokens;
  }
}

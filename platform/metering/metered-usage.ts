/**
 * What the model calls of one GraphQL operation used, summed: the inference service sends it to its
 * caller in `extensions.metered` (`metered-usage-plugin.ts`), and the gateway adds up what its
 * subgraph fetches reported into the operation's `extensions.cost.actual`.
 */
export interface MeteredUsage {
  /** Model calls metered (completions, embeddings), refused ones included. */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** In millionths of `currency`. */
  costMicros: number;
  /** The models' currency; null before the first call, or when calls were priced in several currencies (then `costMicros` mixes them). */
  currency: string | null;
  /** True when several currencies were summed. */
  mixedCurrencies: boolean;
}

/** The extension key the inference service reports under. */
export const meteredUsageExtension = "metered";

export function emptyMeteredUsage(): MeteredUsage {
  return { calls: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, currency: null, mixedCurrencies: false };
}

/** Adds `part` into `total` (in place). */
export function addMeteredUsage(total: MeteredUsage, part: MeteredUsage): void {
  if (part.calls === 0) return;
  total.mixedCurrencies ||= part.mixedCurrencies || (total.currency !== null && part.currency !== null && total.currency !== part.currency);
  total.currency ??= part.currency;
  total.calls += part.calls;
  total.promptTokens += part.promptTokens;
  total.completionTokens += part.completionTokens;
  total.costMicros += part.costMicros;
}

/** `value` as a MeteredUsage when it has that shape (a subgraph's reply is not trusted blindly), else undefined. */
export function readMeteredUsage(value: unknown): MeteredUsage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const count = (key: string) => (typeof record[key] === "number" && Number.isFinite(record[key]) && (record[key] as number) >= 0 ? (record[key] as number) : undefined);
  const calls = count("calls");
  const promptTokens = count("promptTokens");
  const completionTokens = count("completionTokens");
  const costMicros = count("costMicros");
  if (calls === undefined || promptTokens === undefined || completionTokens === undefined || costMicros === undefined) return undefined;
  const currency = typeof record.currency === "string" ? record.currency : null;
  return { calls, promptTokens, completionTokens, costMicros, currency, mixedCurrencies: record.mixedCurrencies === true };
}

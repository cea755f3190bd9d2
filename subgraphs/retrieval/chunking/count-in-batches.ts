import type { CountTokens } from "./chunk-document.ts";
import type { EventLoopPacer } from "./event-loop-pacer.ts";

/** Limits of one call to the token counter. */
export interface CountBatchLimits {
  /** Most texts per call. Default 256. */
  maximumTexts: number;
  /**
   * Most characters per call. Default 262,144: far below the inference service's limit per text
   * (1,000,000 characters) and, at the largest chunk size (8,192 tokens), 32 characters per token,
   * more than any tokenizer packs into its tokens on real text.
   */
  maximumCharacters: number;
}

export const defaultCountBatchLimits: CountBatchLimits = { maximumTexts: 256, maximumCharacters: 262_144 };

/**
 * Counts the tokens of each item's text, pulling items lazily and sending them to the counter in
 * batches (the counter is typically a remote call, so one call per text would be slow), and yields
 * each item with its count, in order. A text longer than `maximumCharacters` is not sent: it is
 * yielded with `Infinity` tokens, which is certainly over any chunk size, so callers split it.
 * Between items it gives the event loop a turn whenever `pacer` says so (a fake or cached counter
 * answers without I/O, so counting alone would not).
 */
export async function* countInBatches<Item>(
  items: Iterable<Item> | AsyncIterable<Item>,
  textOf: (item: Item) => string,
  countTokens: CountTokens,
  pacer: EventLoopPacer,
  limits: CountBatchLimits = defaultCountBatchLimits,
): AsyncGenerator<{ item: Item; tokens: number }> {
  let batch: Item[] = [];
  let texts: string[] = [];
  let characters = 0;
  const takeBatch = (): { batch: Item[]; texts: string[] } => {
    const taken = { batch, texts };
    batch = [];
    texts = [];
    characters = 0;
    return taken;
  };
  for await (const item of items) {
    if (pacer.due()) await pacer.pause();
    const text = textOf(item);
    const tooLong = text.length > limits.maximumCharacters;
    if (batch.length > 0 && (tooLong || batch.length >= limits.maximumTexts || characters + text.length > limits.maximumCharacters)) {
      yield* countBatch(takeBatch(), countTokens);
    }
    if (tooLong) {
      yield { item, tokens: Number.POSITIVE_INFINITY };
      continue;
    }
    batch.push(item);
    texts.push(text);
    characters += text.length;
  }
  if (batch.length > 0) yield* countBatch(takeBatch(), countTokens);
}

async function* countBatch<Item>(
  { batch, texts }: { batch: readonly Item[]; texts: readonly string[] },
  countTokens: CountTokens,
): AsyncGenerator<{ item: Item; tokens: number }> {
  const counts = await countTokensChecked(texts, countTokens);
  for (const [index, item] of batch.entries()) yield { item, tokens: counts[index] ?? 0 };
}

/** Calls the counter and checks its answer: one non-negative integer per text. */
export async function countTokensChecked(texts: readonly string[], countTokens: CountTokens): Promise<number[]> {
  const counts = await countTokens(texts);
  if (counts.length !== texts.length || !counts.every((count) => Number.isInteger(count) && count >= 0)) {
    throw new Error(`the token counter returned ${counts.length} counts for ${texts.length} texts, or a count that is not a non-negative integer`);
  }
  return counts;
}

import type { CountTokens } from "./chunk-document.ts";
import { countTokensChecked } from "./count-in-batches.ts";
import type { TextRange } from "./text-ranges.ts";

/**
 * Tokens that joining two counted texts adds beyond the sum of their counts, by the kind of
 * whitespace between them. Measured once per document on the counter itself, because tokenizers
 * differ: most count a blank line as one more token, while one that adds a beginning-of-text token
 * to every text already over-counts a sum of parts by as much. Never negative, so estimates err
 * on the large side.
 */
export interface JoinCosts {
  /** Whitespace holding two or more line feeds (a blank line). */
  paragraph: number;
  /** Whitespace holding one line feed. */
  line: number;
  /** Whitespace without a line feed. */
  space: number;
}

const probe = "word";

/** One counter call on a few probe texts. */
export async function measureJoinCosts(countTokens: CountTokens): Promise<JoinCosts> {
  const [single, paragraph, line, space] = await countTokensChecked([probe, `${probe}\n\n${probe}`, `${probe}\n${probe}`, `${probe} ${probe}`], countTokens);
  const extra = (joined: number | undefined): number => Math.max(0, (joined ?? 0) - 2 * (single ?? 0));
  return { paragraph: extra(paragraph), line: extra(line), space: extra(space) };
}

/** Estimated tokens the text between `previous` and `next` adds when both are in one chunk. */
export function joinCost(text: string, costs: JoinCosts, previous: TextRange, next: TextRange): number {
  if (next.start <= previous.end) return 0;
  let lineFeeds = 0;
  for (let index = previous.end; index < next.start && lineFeeds < 2; index += 1) if (text.charCodeAt(index) === 10) lineFeeds += 1;
  return lineFeeds >= 2 ? costs.paragraph : lineFeeds === 1 ? costs.line : costs.space;
}

import type { CountTokens } from "./chunk-document.ts";
import { countInBatches } from "./count-in-batches.ts";
import type { EventLoopPacer } from "./event-loop-pacer.ts";
import { joinCost, type JoinCosts } from "./join-costs.ts";
import type { BlockKind, Section, TextBlock } from "./markdown-blocks.ts";
import { characterCount, characterPieces, lineRanges, sentenceRanges, wordRuns, type TextRange } from "./text-ranges.ts";

/** A range with its estimated tokens. */
export interface CountedRange extends TextRange {
  /** Tokens of the text alone; `Infinity` when it was too long to send to the counter. */
  tokens: number;
}

/** The unit packing works with: a whole block when it fits in a chunk, else a piece of one. */
export interface Segment extends CountedRange {
  section: Section;
  /** Sentences of a whole paragraph (with their tokens), from which overlap may take a tail; empty otherwise. */
  parts: readonly CountedRange[];
}

export interface SegmentingContext {
  text: string;
  maxTokens: number;
  countTokens: CountTokens;
  joinCosts: JoinCosts;
  /** Gives the event loop a turn between bounded steps, and stops the work once cancelled. */
  pacer: EventLoopPacer;
}

/** How an over-long range is split next: prose by runs of words, code by lines then runs of words, a word by characters. */
type Level = "line" | "word" | "character";

/** Blocks made of lines (code lines, list items, table rows): counted whole, split at lines when too big. */
const linedKinds: ReadonlySet<BlockKind> = new Set(["code", "list", "table"]);

interface Unit {
  block: TextBlock;
  range: TextRange;
}

/**
 * Turns blocks into segments of at most `maxTokens` (estimated), counting in batches. Paragraphs,
 * headings and quotes are counted sentence by sentence (so overlap can take whole sentences without
 * counting again), code blocks, lists and tables whole. A block that fits is one segment; one that
 * does not is split at sentences (lines for code, list items and table rows), then at whitespace (into runs of words sized by the range's
 * characters per token), then between characters, counting each finer piece, until every piece
 * fits. A single character that alone counts more than `maxTokens` is the one piece left over it.
 */
export async function* segmentBlocks(blocks: Iterable<TextBlock>, context: SegmentingContext): AsyncGenerator<Segment> {
  let block: TextBlock | undefined;
  let units: CountedRange[] = [];
  const counted = countInBatches(unitsOf(blocks, context.text), (unit) => context.text.slice(unit.range.start, unit.range.end), context.countTokens, context.pacer);
  for await (const { item, tokens } of counted) {
    if (item.block !== block) {
      if (block !== undefined) yield* blockSegments(block, units, context);
      block = item.block;
      units = [];
    }
    units.push({ ...item.range, tokens });
  }
  if (block !== undefined) yield* blockSegments(block, units, context);
}

function* unitsOf(blocks: Iterable<TextBlock>, text: string): Generator<Unit> {
  for (const block of blocks) {
    if (linedKinds.has(block.kind)) yield { block, range: block };
    else for (const range of sentenceRanges(text, block)) yield { block, range };
  }
}

async function* blockSegments(block: TextBlock, units: readonly CountedRange[], context: SegmentingContext): AsyncGenerator<Segment> {
  let tokens = 0;
  // A block may hold 100,000 sentences (50 ms to add up here): pace the sum.
  for (const [index, unit] of units.entries()) {
    const previous = units[index - 1];
    tokens += unit.tokens + (previous === undefined ? 0 : joinCost(context.text, context.joinCosts, previous, unit));
    if (context.pacer.due()) await context.pacer.pause();
  }
  if (tokens <= context.maxTokens) {
    yield { start: block.start, end: block.end, tokens, section: block.section, parts: linedKinds.has(block.kind) || units.length < 2 ? [] : units };
    return;
  }
  for (const unit of units) yield* refine(unit, linedKinds.has(block.kind) ? "line" : "word", block.section, context);
}

async function* refine(range: CountedRange, level: Level, section: Section, context: SegmentingContext): AsyncGenerator<Segment> {
  if (range.tokens <= context.maxTokens) {
    yield { ...range, section, parts: [] };
    return;
  }
  const pieces = (await finerRanges(range, level, context))[Symbol.asyncIterator]();
  const first = await pieces.next();
  const second = await pieces.next();
  if (first.done === true) {
    yield { ...range, section, parts: [] };
    return;
  }
  if (second.done === true && first.value.start === range.start && first.value.end === range.end) {
    // This level leaves the range whole: go one level finer without counting the same text again.
    if (level === "character") yield { ...range, section, parts: [] };
    else yield* refine(range, level === "line" ? "word" : "character", section, context);
    return;
  }
  // A counted run of words still over the limit is grouped again, finer (or, one word, cut up).
  const nextLevel: Level = level === "character" ? "character" : "word";
  const all = second.done === true ? [first.value] : chain([first.value, second.value], pieces);
  for await (const { item, tokens } of countInBatches(all, (piece) => context.text.slice(piece.start, piece.end), context.countTokens, context.pacer)) {
    yield* refine({ ...item, tokens }, nextLevel, section, context);
  }
}

async function finerRanges(range: CountedRange, level: Level, context: SegmentingContext): Promise<AsyncIterable<TextRange>> {
  if (level === "line") return fromSync(lineRanges(context.text, range));
  if (level === "word") {
    // Runs of about an eighth of a chunk: few texts to count, yet fine enough to pack and overlap.
    const runTokens = Math.max(1, Math.floor(context.maxTokens / 8));
    const length = range.end - range.start;
    return fromSync(wordRuns(context.text, range, Number.isFinite(range.tokens) ? Math.floor((length * runTokens) / range.tokens) : context.maxTokens));
  }
  // Pieces sized by the range's characters per token, so most fit at the first try; a range too long
  // to count is halved (a piece of maxTokens characters may still be many times the limit).
  const characters = await characterCount(context.text, range, context.pacer);
  const perPiece = Number.isFinite(range.tokens)
    ? Math.max(1, Math.floor((characters * context.maxTokens) / range.tokens))
    : Math.max(1, Math.min(context.maxTokens, Math.ceil(characters / 2)));
  return characterPieces(context.text, range, perPiece, context.pacer);
}

async function* fromSync<Item>(items: Iterable<Item>): AsyncGenerator<Item> {
  yield* items;
}

async function* chain<Item>(head: readonly Item[], rest: AsyncIterator<Item>): AsyncGenerator<Item> {
  yield* head;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

import type { CountTokens } from "./chunk-document.ts";
import { countTokensChecked, defaultCountBatchLimits } from "./count-in-batches.ts";
import type { EventLoopPacer } from "./event-loop-pacer.ts";
import type { Section } from "./markdown-blocks.ts";
import type { ChunkCandidate } from "./pack-chunks.ts";

/** A chunk whose text was counted as a whole. */
export interface VerifiedChunk {
  section: Section;
  text: string;
  tokens: number;
}

export interface VerifyingContext {
  text: string;
  maxTokens: number;
  countTokens: CountTokens;
  /** Candidates counted per counter call. Default 32. */
  batchSize?: number;
  /** Gives the event loop a turn between candidates, and stops the work once cancelled. */
  pacer: EventLoopPacer;
}

/**
 * Counts each candidate's final text and splits those over `maxTokens` (the packing estimate adds
 * up parts, and a tokenizer may merge or add tokens at the joins): first by leaving out their
 * overlap, then in two at the segment nearest half their tokens, again until every piece fits.
 * Candidates are counted a batch at a time (at most `batchSize`, and the character limit of
 * `defaultCountBatchLimits` unless a single candidate is longer) and yielded in order.
 */
export async function* verifyChunks(candidates: AsyncIterable<ChunkCandidate>, context: VerifyingContext): AsyncGenerator<VerifiedChunk> {
  const batchSize = context.batchSize ?? 32;
  let batch: ChunkCandidate[] = [];
  let characters = 0;
  for await (const candidate of candidates) {
    if (context.pacer.due()) await context.pacer.pause();
    const length = lengthOf(candidate);
    if (batch.length > 0 && (batch.length >= batchSize || characters + length > defaultCountBatchLimits.maximumCharacters)) {
      for (const chunks of await settle(batch, context)) yield* chunks;
      batch = [];
      characters = 0;
    }
    batch.push(candidate);
    characters += length;
  }
  if (batch.length > 0) for (const chunks of await settle(batch, context)) yield* chunks;
}

/** The verified chunks of each candidate, in order: itself when it fits, else its settled pieces. */
async function settle(candidates: readonly ChunkCandidate[], context: VerifyingContext): Promise<VerifiedChunk[][]> {
  const texts = candidates.map((candidate) => textOf(candidate, context.text));
  // A text too long for one counter call is certainly over the limit: split it without counting.
  const countable = texts.map((text) => text.length <= defaultCountBatchLimits.maximumCharacters);
  const countableTexts = texts.filter((_text, index) => countable[index]);
  const counted = countableTexts.length === 0 ? [] : await countTokensChecked(countableTexts, context.countTokens);
  const settled: VerifiedChunk[][] = [];
  const pieces: ChunkCandidate[] = [];
  const splits: { candidateIndex: number; firstPiece: number; pieceCount: number }[] = [];
  let next = 0;
  candidates.forEach((candidate, index) => {
    const tokens = countable[index] === true ? (counted[next++] ?? 0) : Number.POSITIVE_INFINITY;
    if (tokens <= context.maxTokens || !canSplit(candidate)) {
      settled.push([{ section: candidate.section, text: texts[index] ?? "", tokens }]);
      return;
    }
    settled.push([]);
    const parts = split(candidate);
    splits.push({ candidateIndex: index, firstPiece: pieces.length, pieceCount: parts.length });
    pieces.push(...parts);
  });
  if (pieces.length === 0) return settled;
  if (context.pacer.due()) await context.pacer.pause();
  const settledPieces = await settle(pieces, context);
  for (const { candidateIndex, firstPiece, pieceCount } of splits) {
    settled[candidateIndex] = settledPieces.slice(firstPiece, firstPiece + pieceCount).flat();
  }
  return settled;
}

/**
 * False for a lone segment that was counted as it is (a piece, a code block, a one-sentence
 * paragraph): its count is exact, so it is over the limit only when it is a single character that
 * no split can help.
 */
function canSplit(candidate: ChunkCandidate): boolean {
  return candidate.segments.length > 1 || (candidate.segments[0]?.parts.length ?? 0) > 1;
}

function lengthOf(candidate: ChunkCandidate): number {
  const first = candidate.segments[0];
  const last = candidate.segments.at(-1);
  return first === undefined || last === undefined ? 0 : last.end - first.start;
}

function textOf(candidate: ChunkCandidate, text: string): string {
  const first = candidate.segments[0];
  const last = candidate.segments.at(-1);
  return first === undefined || last === undefined ? "" : text.slice(first.start, last.end);
}

/**
 * A candidate over the limit without its overlap (the previous chunk already holds that text, so a
 * piece of overlap alone would be a useless chunk), or else in two halves of at least one segment
 * each, cut where the running estimate passes half.
 */
function split(candidate: ChunkCandidate): ChunkCandidate[] {
  if (candidate.overlapCount > 0) return [piece(candidate, candidate.overlapCount, candidate.segments.length)];
  const [only] = candidate.segments;
  if (candidate.segments.length === 1 && only !== undefined) {
    // A whole paragraph's tokens are the sum of its sentences'; its sentences were each counted alone.
    const segments = only.parts.map((part) => ({ ...part, section: only.section, parts: [] }));
    return split({ section: candidate.section, segments, overlapCount: 0, estimatedTokens: candidate.estimatedTokens });
  }
  const { segments } = candidate;
  const total = segments.reduce((sum, segment) => sum + segment.tokens, 0);
  let cut = 1;
  let running = segments[0]?.tokens ?? 0;
  while (cut < segments.length - 1 && running + (segments[cut]?.tokens ?? 0) <= total / 2) {
    running += segments[cut]?.tokens ?? 0;
    cut += 1;
  }
  return [piece(candidate, 0, cut), piece(candidate, cut, segments.length)];
}

function piece(candidate: ChunkCandidate, from: number, to: number): ChunkCandidate {
  const segments = candidate.segments.slice(from, to);
  return { section: candidate.section, segments, overlapCount: 0, estimatedTokens: segments.reduce((sum, segment) => sum + segment.tokens, 0) };
}

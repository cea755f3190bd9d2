import type { EventLoopPacer } from "./event-loop-pacer.ts";
import { joinCost, type JoinCosts } from "./join-costs.ts";
import type { Section } from "./markdown-blocks.ts";
import type { CountedRange, Segment } from "./segment-blocks.ts";

/** Consecutive segments of one section that together should fit in a chunk. */
export interface ChunkCandidate {
  section: Section;
  segments: readonly Segment[];
  /** How many of the first segments repeat the end of the previous chunk. */
  overlapCount: number;
  /** Estimated tokens of the chunk's text: the segments' tokens plus what joining them adds. */
  estimatedTokens: number;
}

export interface PackingContext {
  text: string;
  maxTokens: number;
  overlapTokens: number;
  joinCosts: JoinCosts;
  /** Gives the event loop a turn between segments, and stops the work once cancelled. */
  pacer: EventLoopPacer;
}

/**
 * Packs consecutive segments of a section greedily into chunks of at most `maxTokens` (estimated).
 * Each chunk after the first of a section starts with the trailing whole segments of the one
 * before (sentences of its last paragraph when the whole paragraph is too big) that fit in
 * `overlapTokens`, minus any that would leave no room for the next new segment.
 */
export async function* packChunks(segments: AsyncIterable<Segment>, context: PackingContext): AsyncGenerator<ChunkCandidate> {
  let current = new ChunkBuilder(context);
  /** Whether `current` holds a segment beyond the overlap it started with. */
  let hasNew = false;
  for await (const segment of segments) {
    if (context.pacer.due()) await context.pacer.pause();
    if (current.section !== undefined && current.section !== segment.section) {
      if (hasNew) yield current.candidate();
      current = new ChunkBuilder(context);
      hasNew = false;
    }
    if (hasNew && current.tokensWith(segment) > context.maxTokens) {
      const full = current.candidate();
      yield full;
      current = ChunkBuilder.overlapOf(full, context);
      hasNew = false;
    }
    // Overlap yields to new text: drop it from the front until the next segment fits.
    while (current.size > 0 && current.tokensWith(segment) > context.maxTokens) current.dropFirst();
    current.add(segment);
    hasNew = true;
  }
  if (hasNew) yield current.candidate();
}

/** The segments of the chunk being packed, with its running token estimate. */
class ChunkBuilder {
  readonly #context: PackingContext;
  #segments: Segment[] = [];
  #tokens = 0;
  #overlapCount = 0;

  constructor(context: PackingContext) {
    this.#context = context;
  }

  /** The chunk of the overlap that follows `previous`: its trailing whole segments within `overlapTokens`. */
  static overlapOf(previous: ChunkCandidate, context: PackingContext): ChunkBuilder {
    const tail: Segment[] = [];
    let tokens = 0;
    const fits = (range: CountedRange): boolean => {
      const next = tail[0];
      const added = range.tokens + (next === undefined ? 0 : joinCost(context.text, context.joinCosts, range, next));
      if (tokens + added > context.overlapTokens) return false;
      tokens += added;
      return true;
    };
    for (let index = previous.segments.length - 1; index >= 0; index -= 1) {
      const segment = previous.segments[index];
      if (segment === undefined) break;
      if (fits(segment)) {
        tail.unshift(segment);
        continue;
      }
      // The segment is too big as a whole; its last sentences may not be.
      for (let part = segment.parts.length - 1; part >= 0; part -= 1) {
        const sentence = segment.parts[part];
        if (sentence === undefined || !fits(sentence)) break;
        tail.unshift({ ...sentence, section: segment.section, parts: [] });
      }
      break;
    }
    const builder = new ChunkBuilder(context);
    for (const segment of tail) builder.add(segment);
    builder.#overlapCount = tail.length;
    return builder;
  }

  get size(): number {
    return this.#segments.length;
  }

  get section(): Section | undefined {
    return this.#segments[0]?.section;
  }

  /** The estimate with `segment` appended. */
  tokensWith(segment: Segment): number {
    const last = this.#segments.at(-1);
    return last === undefined ? segment.tokens : this.#tokens + this.#join(last, segment) + segment.tokens;
  }

  add(segment: Segment): void {
    this.#tokens = this.tokensWith(segment);
    this.#segments.push(segment);
  }

  dropFirst(): void {
    const [first, second] = this.#segments;
    if (first === undefined) return;
    this.#tokens = second === undefined ? 0 : this.#tokens - first.tokens - this.#join(first, second);
    this.#segments.shift();
    this.#overlapCount = Math.max(0, this.#overlapCount - 1);
  }

  candidate(): ChunkCandidate {
    const first = this.#segments[0];
    if (first === undefined) throw new Error("an empty chunk was packed");
    return { section: first.section, segments: this.#segments, overlapCount: this.#overlapCount, estimatedTokens: this.#tokens };
  }

  #join(previous: CountedRange, next: CountedRange): number {
    return joinCost(this.#context.text, this.#context.joinCosts, previous, next);
  }
}

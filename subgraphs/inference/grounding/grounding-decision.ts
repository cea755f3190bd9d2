import { badUserInput } from "../../../platform/errors/service-error.ts";
import type { AbstainFallback, GroundingInput } from "../generated/resolvers-types.ts";
import type { GroundingRetrieval } from "./grounding-source.ts";

/** How a grounded completion used its collection, as `Completion.grounding` reports it. */
export interface GroundingOutcome {
  status: "GROUNDED" | "ABSTAINED";
  bestSimilarity: number | null;
  /** The threshold applied: the request's, else the collection's; null when neither. */
  minSimilarity: number | null;
  /** The fallback taken when ABSTAINED; null when GROUNDED. */
  fallback: AbstainFallback | null;
}

/** The request's threshold, checked: a cosine similarity, -1 to 1; null when not given. */
export function requestMinSimilarity(grounding: GroundingInput): number | null {
  const value = grounding.minSimilarity;
  if (value === undefined || value === null) return null;
  if (!(value >= -1 && value <= 1)) throw badUserInput("input.grounding.minSimilarity", `minSimilarity is a cosine similarity, between -1 and 1, got ${value}.`);
  return value;
}

/**
 * Answer or abstain: with a threshold (the request's, else the collection's), evidence below it —
 * or none at all — abstains, and the request's `onAbstain` (default NO_ANSWER) says what follows.
 * Without a threshold a grounded completion always grounds on what was found.
 */
export function decideGrounding(grounding: GroundingInput, retrieval: GroundingRetrieval): GroundingOutcome {
  const minSimilarity = requestMinSimilarity(grounding) ?? retrieval.collectionMinSimilarity;
  const { bestSimilarity } = retrieval;
  const abstains = minSimilarity !== null && (bestSimilarity === null || bestSimilarity < minSimilarity);
  if (!abstains) return { status: "GROUNDED", bestSimilarity, minSimilarity, fallback: null };
  return { status: "ABSTAINED", bestSimilarity, minSimilarity, fallback: grounding.onAbstain ?? "NO_ANSWER" };
}

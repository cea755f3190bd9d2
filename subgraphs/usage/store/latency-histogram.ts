import type { LatencyHistogram } from "./usage-store.ts";

/** The upper bound of the first bucket. */
const firstBoundMillis = 1;

/** Each bucket's upper bound is this factor times the previous one. */
const growthFactor = 1.15;

/** The last finite bound is the first at or above this (ten minutes, longer than any call may run). */
const largestBoundMillis = 600_000;

/**
 * Upper bounds of the latency buckets, in milliseconds: 1, 1.15, 1.3225, … growing ×1.15 up to the
 * first bound ≥ 600,000 ms (97 bounds). A histogram has one more bucket, open-ended, for anything
 * longer. Fixed forever: stored histograms are counts by bucket index, so changing these would
 * mislabel every bucket already stored.
 *
 * Resolution: a latency is reported as the upper bound of its bucket, which is at most 15 % above
 * the true value (the bucket below ends at bound ÷ 1.15); latencies under 1 ms are reported as 1 ms.
 * Computed by repeated multiplication, so every process derives the same values.
 */
export const latencyBucketBoundsMillis: readonly number[] = Object.freeze(computeBounds());

/** How many counts a histogram holds: one per bound, plus the open-ended bucket. */
export const latencyBucketCount = latencyBucketBoundsMillis.length + 1;

function computeBounds(): number[] {
  const bounds: number[] = [];
  for (let bound = firstBoundMillis; ; bound *= growthFactor) {
    bounds.push(bound);
    if (bound >= largestBoundMillis) return bounds;
  }
}

/** A histogram with every bucket at zero. */
export function emptyHistogram(): LatencyHistogram {
  return new Array<number>(latencyBucketCount).fill(0);
}

/**
 * Index of the bucket that counts `millis`: the first whose upper bound is ≥ `millis` (bounds are
 * inclusive), or the open-ended last bucket. Negative and NaN latencies count in the first bucket.
 */
export function latencyBucketIndex(millis: number): number {
  if (!(millis > firstBoundMillis)) return 0;
  let low = 0;
  let high = latencyBucketBoundsMillis.length;
  // Invariant: bound[low] < millis, and bound[high] ≥ millis (the open bucket counts as +∞).
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (boundAt(middle) < millis) low = middle;
    else high = middle;
  }
  return high;
}

/** Counts one latency into `histogram` (in place), growing it to full length when it is shorter. */
export function recordLatency(histogram: LatencyHistogram, millis: number): void {
  const index = latencyBucketIndex(millis);
  while (histogram.length <= index) histogram.push(0);
  histogram[index] = (histogram[index] ?? 0) + 1;
}

/**
 * The bucket-wise sum of two histograms, as a new full-length histogram. Either may be shorter
 * (an empty `[]` is a valid, empty histogram); missing buckets count as zero.
 */
export function mergeHistograms(left: LatencyHistogram, right: LatencyHistogram): LatencyHistogram {
  const merged = emptyHistogram();
  for (let index = 0; index < latencyBucketCount; index += 1) merged[index] = (left[index] ?? 0) + (right[index] ?? 0);
  return merged;
}

/** How many latencies a histogram counts. */
export function histogramCount(histogram: LatencyHistogram): number {
  return histogram.reduce((sum, count) => sum + count, 0);
}

/**
 * The latency below or at which `fraction` (0 to 1) of the counted latencies lie, as the upper bound
 * of the bucket holding that rank (so at most 15 % above the true percentile); null when the
 * histogram is empty. For the open-ended last bucket it returns the largest finite bound, which
 * then means "at least this".
 */
export function histogramPercentile(histogram: LatencyHistogram, fraction: number): number | null {
  const total = histogramCount(histogram);
  if (total === 0) return null;
  const clamped = Math.min(Math.max(fraction, 0), 1);
  // The rank of the latency asked for, 1-based: p50 of 4 latencies is the 2nd, p0 is the 1st.
  const rank = Math.max(1, Math.ceil(clamped * total));
  let seen = 0;
  for (let index = 0; index < histogram.length; index += 1) {
    seen += histogram[index] ?? 0;
    if (seen >= rank) return boundAt(Math.min(index, latencyBucketBoundsMillis.length - 1));
  }
  return boundAt(latencyBucketBoundsMillis.length - 1);
}

/** The upper bound of bucket `index`; +∞ for the open-ended last bucket. */
function boundAt(index: number): number {
  return latencyBucketBoundsMillis[index] ?? Number.POSITIVE_INFINITY;
}

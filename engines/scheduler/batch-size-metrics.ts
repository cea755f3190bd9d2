/** Upper bounds of the batch-size histogram buckets; sizes above the last one fall in an overflow bucket. */
const bucketUpperBounds: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export interface BatchSizeBucket {
  /** Largest size counted in this bucket (the previous bucket's bound is exclusive); null for the overflow bucket. */
  maxSize: number | null;
  count: number;
}

export interface BatchSizeSnapshot {
  /** Engine batch calls made. */
  batches: number;
  /** Requests those calls carried (the sum of batch sizes). */
  requests: number;
  largest: number;
  /** `requests / batches`, 0 before the first batch. */
  mean: number;
  buckets: BatchSizeBucket[];
}

/** Sizes of the batches sent to the engine: the direct measure of how much batching happened. */
export class BatchSizeMetrics {
  private batches = 0;
  private requests = 0;
  private largest = 0;
  private readonly counts: number[] = new Array<number>(bucketUpperBounds.length + 1).fill(0);

  /** @param onBatch Also told of every batch size (Prometheus series); none by default. */
  constructor(private readonly onBatch?: (size: number) => void) {}

  record(size: number): void {
    this.onBatch?.(size);
    this.batches += 1;
    this.requests += size;
    this.largest = Math.max(this.largest, size);
    const index = bucketUpperBounds.findIndex((bound) => size <= bound);
    const bucket = index === -1 ? bucketUpperBounds.length : index;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
  }

  snapshot(): BatchSizeSnapshot {
    return {
      batches: this.batches,
      requests: this.requests,
      largest: this.largest,
      mean: this.batches === 0 ? 0 : this.requests / this.batches,
      buckets: this.counts.map((count, index) => ({ maxSize: bucketUpperBounds[index] ?? null, count })),
    };
  }
}

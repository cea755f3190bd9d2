import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  emptyHistogram,
  histogramCount,
  histogramPercentile,
  latencyBucketBoundsMillis,
  latencyBucketCount,
  latencyBucketIndex,
  mergeHistograms,
  recordLatency,
} from "../../../subgraphs/usage/store/latency-histogram.ts";

describe("latency histogram", () => {
  it("has log-spaced bounds from 1 ms growing ×1.15 to at least ten minutes, plus an open bucket", () => {
    assert.equal(latencyBucketBoundsMillis[0], 1);
    for (let index = 1; index < latencyBucketBoundsMillis.length; index += 1) {
      const ratio = (latencyBucketBoundsMillis[index] ?? 0) / (latencyBucketBoundsMillis[index - 1] ?? 1);
      assert.ok(Math.abs(ratio - 1.15) < 1e-9, `ratio at ${index} is ${ratio}`);
    }
    assert.ok((latencyBucketBoundsMillis.at(-1) ?? 0) >= 600_000);
    assert.ok((latencyBucketBoundsMillis.at(-2) ?? Infinity) < 600_000, "no bound beyond the first one past ten minutes");
    assert.equal(latencyBucketCount, latencyBucketBoundsMillis.length + 1);
    assert.equal(emptyHistogram().length, latencyBucketCount);
  });

  it("puts a latency in the first bucket whose upper bound holds it, bounds inclusive", () => {
    assert.equal(latencyBucketIndex(0), 0);
    assert.equal(latencyBucketIndex(-5), 0);
    assert.equal(latencyBucketIndex(1), 0);
    assert.equal(latencyBucketIndex(1.01), 1);
    assert.equal(latencyBucketIndex(1.15), 1);
    assert.equal(latencyBucketIndex(latencyBucketBoundsMillis.at(-1) ?? 0), latencyBucketBoundsMillis.length - 1);
    assert.equal(latencyBucketIndex(10_000_000), latencyBucketCount - 1, "beyond every bound: the open bucket");
  });

  it("reports any latency from 1 ms to ten minutes within 15 % above its true value", () => {
    for (let millis = 1; millis <= 600_000; millis *= 1.0137) {
      const histogram = emptyHistogram();
      recordLatency(histogram, millis);
      const reported = histogramPercentile(histogram, 0.5) ?? 0;
      assert.ok(reported >= millis && reported <= millis * 1.15 + 1e-9, `${millis} ms reported as ${reported}`);
    }
  });

  it("computes percentiles by rank and is null when empty", () => {
    assert.equal(histogramPercentile([], 0.5), null);
    assert.equal(histogramPercentile(emptyHistogram(), 0.99), null);
    const histogram: number[] = [];
    for (let count = 0; count < 90; count += 1) recordLatency(histogram, 10);
    for (let count = 0; count < 9; count += 1) recordLatency(histogram, 1_000);
    recordLatency(histogram, 100_000);
    assert.equal(histogramCount(histogram), 100);
    const boundOf = (millis: number) => latencyBucketBoundsMillis[latencyBucketIndex(millis)];
    assert.equal(histogramPercentile(histogram, 0), boundOf(10));
    assert.equal(histogramPercentile(histogram, 0.5), boundOf(10));
    assert.equal(histogramPercentile(histogram, 0.9), boundOf(10), "the 90th of 100 is still 10 ms");
    assert.equal(histogramPercentile(histogram, 0.91), boundOf(1_000));
    assert.equal(histogramPercentile(histogram, 0.99), boundOf(1_000));
    assert.equal(histogramPercentile(histogram, 1), boundOf(100_000));
  });

  it("reports the largest finite bound for the open-ended bucket", () => {
    const histogram = emptyHistogram();
    recordLatency(histogram, 3_600_000);
    assert.equal(histogramPercentile(histogram, 0.5), latencyBucketBoundsMillis.at(-1));
  });

  it("merges histograms of any length into a new full-length one", () => {
    const left: number[] = [];
    recordLatency(left, 5);
    const right = emptyHistogram();
    recordLatency(right, 5);
    recordLatency(right, 50_000);
    const merged = mergeHistograms(left, right);
    assert.equal(merged.length, latencyBucketCount);
    assert.equal(merged[latencyBucketIndex(5)], 2);
    assert.equal(merged[latencyBucketIndex(50_000)], 1);
    assert.equal(histogramCount(merged), 3);
    assert.equal(histogramCount(left), 1, "inputs are left unchanged");
    assert.deepEqual(mergeHistograms([], []), emptyHistogram());
  });
});

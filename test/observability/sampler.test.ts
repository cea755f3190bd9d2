import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { samplerOf } from "../../platform/tracing/sampler.ts";

describe("samplerOf (OTEL_TRACES_SAMPLER to an SDK sampler)", () => {
  it("builds the sampler the specification names, with the ratio where it takes one", () => {
    assert.equal(samplerOf({ name: "always_on", ratio: 1 }).toString(), "AlwaysOnSampler");
    assert.equal(samplerOf({ name: "always_off", ratio: 1 }).toString(), "AlwaysOffSampler");
    assert.equal(samplerOf({ name: "traceidratio", ratio: 0.25 }).toString(), "TraceIdRatioBased{0.25}");
    assert.match(samplerOf({ name: "parentbased_always_on", ratio: 1 }).toString(), /^ParentBased\{root=AlwaysOnSampler,/);
    assert.match(samplerOf({ name: "parentbased_always_off", ratio: 1 }).toString(), /^ParentBased\{root=AlwaysOffSampler,/);
    assert.match(samplerOf({ name: "parentbased_traceidratio", ratio: 0.01 }).toString(), /^ParentBased\{root=TraceIdRatioBased\{0.01\},/);
  });
});

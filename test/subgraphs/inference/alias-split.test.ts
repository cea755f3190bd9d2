import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseSplitArm, splitPoint } from "../../../subgraphs/inference/alias-split.ts";
import type { AliasSplitRecord } from "../../../subgraphs/model-registry/model-record.ts";

const split = (stickiness: AliasSplitRecord["stickiness"]): { aliasSplits: AliasSplitRecord[] } => ({
  aliasSplits: [{ alias: "chat", stickiness, arms: [{ modelId: "canary", percent: 10 }, { modelId: "challenger", percent: 25 }] }],
});

describe("alias splits (canary and A/B)", () => {
  it("sends each arm its share of 10,000 tenants within ±2 %", () => {
    const counts = new Map<string, number>();
    for (let tenant = 0; tenant < 10_000; tenant += 1) {
      const arm = chooseSplitArm(split("TENANT"), "chat", { tenantId: `tenant-${tenant}`, apiKeyId: "key" }) ?? "main";
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    for (const [arm, expected] of [["canary", 0.1], ["challenger", 0.25], ["main", 0.65]] as const) {
      const share = (counts.get(arm) ?? 0) / 10_000;
      assert.ok(Math.abs(share - expected) <= 0.02, `${arm}: ${share} against ${expected}`);
    }
  });

  it("keeps a tenant (or a key) on one arm, whichever replica computes it", () => {
    for (let tenant = 0; tenant < 200; tenant += 1) {
      const caller = { tenantId: `tenant-${tenant}`, apiKeyId: `key-${tenant}` };
      const first = chooseSplitArm(split("TENANT"), "chat", caller);
      assert.equal(chooseSplitArm(split("TENANT"), "chat", { ...caller, apiKeyId: "another-key" }), first, "any key of the tenant");
      const byKey = chooseSplitArm(split("API_KEY"), "chat", caller);
      assert.equal(chooseSplitArm(split("API_KEY"), "chat", { ...caller, tenantId: "another-tenant" }), byKey, "the key, whatever its tenant");
    }
    // Fixed points: the hash is part of the contract (replicas and versions must put a tenant on the same arm).
    assert.equal(splitPoint("chat", "tenant-1").toFixed(6), "16.798341");
    assert.equal(splitPoint("canary-alias", "acme").toFixed(6), "83.529884");
  });

  it("leaves requests by the id, or by an alias without a split, on the model", () => {
    for (let tenant = 0; tenant < 100; tenant += 1) {
      assert.equal(chooseSplitArm(split("TENANT"), "main", { tenantId: `tenant-${tenant}`, apiKeyId: "k" }), undefined);
      assert.equal(chooseSplitArm({}, "chat", { tenantId: `tenant-${tenant}`, apiKeyId: "k" }), undefined);
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FairQueue } from "../../../engines/scheduler/fair-queue.ts";
import { TenantShares } from "../../../engines/scheduler/tenant-shares.ts";

/** Takes everything, returning the tenants in the order they were served. */
function serveAll(queue: FairQueue<string>, eligible?: (tenantId: string) => boolean): string[] {
  const served: string[] = [];
  for (let next = queue.take(eligible); next !== undefined; next = queue.take(eligible)) served.push(next.item);
  return served;
}

describe("FairQueue and TenantShares", () => {
  it("is FIFO for one tenant", () => {
    const queue = new FairQueue<string>(new TenantShares());
    for (const item of ["a", "b", "c"]) queue.push("acme", item);
    assert.deepEqual(serveAll(queue), ["a", "b", "c"]);
    assert.equal(queue.size, 0);
  });

  it("alternates equal tenants, oldest first on ties", () => {
    const queue = new FairQueue<string>(new TenantShares());
    for (const item of ["a1", "a2", "a3"]) queue.push("acme", item);
    for (const item of ["g1", "g2", "g3"]) queue.push("globex", item);
    assert.deepEqual(serveAll(queue), ["a1", "g1", "a2", "g2", "a3", "g3"]);
  });

  it("does not bank idle time as credit: a tenant back after a long pause is served next, then shares evenly", () => {
    const shares = new TenantShares();
    const queue = new FairQueue<string>(shares);
    for (let index = 0; index < 100; index += 1) queue.push("acme", `a${index}`);
    serveAll(queue); // acme alone used 100 units while globex was idle
    for (let index = 0; index < 4; index += 1) queue.push("acme", `late a${index}`);
    for (let index = 0; index < 4; index += 1) queue.push("globex", `g${index}`);
    // Without the lift globex (counter 0) would take all four places before acme's next one.
    assert.deepEqual(serveAll(queue), ["g0", "late a0", "g1", "late a1", "g2", "late a2", "g3", "late a3"]);
  });

  it("serves backlogged tenants in the ratio of their weights", () => {
    const queue = new FairQueue<string>(new TenantShares({ acme: 3 }));
    for (let index = 0; index < 30; index += 1) queue.push("acme", "acme");
    for (let index = 0; index < 30; index += 1) queue.push("globex", "globex");
    const firstForty = serveAll(queue).slice(0, 40);
    assert.equal(firstForty.filter((tenant) => tenant === "acme").length, 30);
  });

  it("skips tenants that are not eligible and keeps their place", () => {
    const queue = new FairQueue<string>(new TenantShares());
    queue.push("acme", "a1");
    queue.push("globex", "g1");
    queue.push("acme", "a2");
    assert.deepEqual(serveAll(queue, (tenantId) => tenantId !== "acme"), ["g1"]);
    assert.equal(queue.sizeOf("acme"), 2);
    assert.ok(queue.remove("acme", "a1"));
    assert.equal(queue.remove("acme", "a1"), false);
    assert.deepEqual(serveAll(queue), ["a2"]);
  });

  it("refuses weights that would stall or invert scheduling", async () => {
    const { resolveSchedulerOptions } = await import("../../../engines/scheduler/scheduler-options.ts");
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => resolveSchedulerOptions({ tenantWeights: { acme: weight } }), /tenantWeights\.acme must be a finite number > 0/);
    }
    assert.throws(() => resolveSchedulerOptions({ maxRunningStreamsPerTenant: 0 }), /maxRunningStreamsPerTenant must be an integer >= 1/);
    assert.throws(() => resolveSchedulerOptions({ maxQueueDepthPerTenant: 1.5 }), /maxQueueDepthPerTenant must be an integer >= 1/);
    assert.equal(resolveSchedulerOptions({ maxConcurrentStreams: 1 }).maxRunningStreamsPerTenant, 1, "one slot cannot be split: no reservation");
  });
});

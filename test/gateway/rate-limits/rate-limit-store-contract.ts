import assert from "node:assert/strict";
import { it } from "node:test";
import type { AcquireOutcome, AcquireRequest, RateLimitRule, RateLimitStore } from "../../../gateway/rate-limits/rate-limit-store.ts";

/** A clock the test moves by hand: every case runs at explicit times, never the wall clock. */
export interface ManualClock {
  now: () => number;
  advance(millis: number): void;
}

export function manualClock(startMillis = Date.parse("2026-11-22T05:30:15.000Z")): ManualClock {
  let current = startMillis;
  return { now: () => current, advance: (millis) => void (current += millis) };
}

/**
 * Makes stores sharing one new, empty state, as `replicas` gateway replicas would, all reading
 * `clock`. A store whose state lives in one process (in memory) returns a single store whatever
 * `replicas` says.
 */
export type CreateRateLimitStores = (replicas: number, clock: ManualClock) => Promise<RateLimitStore[]>;

let leaseCounter = 0;

function rate(partition: string, limit: number, windowMillis: number): RateLimitRule {
  return { kind: "rate", partition, limit, windowMillis };
}

function concurrency(partition: string, limit: number): RateLimitRule {
  return { kind: "concurrency", partition, limit };
}

function request(rules: RateLimitRule[], overrides: Partial<AcquireRequest> = {}): AcquireRequest {
  return { rules, leaseId: `lease-${(leaseCounter += 1)}`, leaseMillis: 60_000, ...overrides };
}

/** The behaviour every RateLimitStore must have; run against each implementation. */
export function rateLimitStoreContract(createStores: CreateRateLimitStores): void {
  async function newStore(): Promise<{ store: RateLimitStore; clock: ManualClock }> {
    const clock = manualClock();
    const [store] = await createStores(1, clock);
    assert.ok(store !== undefined);
    return { store, clock };
  }

  it("admits a burst of `limit` requests, then refuses until exactly one interval has passed", async () => {
    const { store, clock } = await newStore();
    const rule = rate("api-key:burst", 3, 3_000);
    const admitted: AcquireOutcome[] = [];
    for (let index = 0; index < 3; index += 1) admitted.push(await store.acquire(request([rule])));
    assert.deepEqual(
      admitted.map((outcome) => [outcome.admitted, outcome.rules[0]?.remaining, outcome.rules[0]?.resetMillis]),
      [
        [true, 2, 1_000],
        [true, 1, 2_000],
        [true, 0, 3_000],
      ],
    );
    assert.deepEqual(await store.acquire(request([rule])), { admitted: false, rules: [{ allowed: false, remaining: 0, resetMillis: 3_000, retryAfterMillis: 1_000 }] });
    clock.advance(999);
    const early = await store.acquire(request([rule]));
    assert.deepEqual([early.admitted, early.rules[0]?.retryAfterMillis], [false, 1]);
    clock.advance(1);
    assert.equal((await store.acquire(request([rule]))).admitted, true);
    assert.equal((await store.acquire(request([rule]))).admitted, false);
    // At rest for a whole window, the partition has its whole burst again.
    clock.advance(3_000);
    const rested = await store.acquire(request([rule]));
    assert.deepEqual([rested.admitted, rested.rules[0]?.remaining], [true, 2]);
  });

  it("refills at limit per window, one request per interval, with windows not divisible by the limit", async () => {
    const { store, clock } = await newStore();
    const rule = rate("api-key:refill", 7, 60_000);
    let admitted = 0;
    for (let index = 0; index < 10; index += 1) if ((await store.acquire(request([rule]))).admitted) admitted += 1;
    assert.equal(admitted, 7);
    // 60,000 / 7 ms later, exactly one more.
    clock.advance(Math.ceil(60_000 / 7));
    const outcomes = [await store.acquire(request([rule])), await store.acquire(request([rule]))];
    assert.deepEqual(outcomes.map((outcome) => outcome.admitted), [true, false]);
    // Over a long run the admitted rate is exactly limit per window: 7 per minute for 10 minutes.
    let longRun = 0;
    for (let step = 0; step < 600; step += 1) {
      clock.advance(1_000);
      if ((await store.acquire(request([rule]))).admitted) longRun += 1;
    }
    assert.ok(longRun === 70 || longRun === 69, `admitted ${longRun} in 10 minutes at 7 per minute`);
  });

  it("keeps partitions apart", async () => {
    const { store } = await newStore();
    assert.equal((await store.acquire(request([rate("api-key:a", 1, 60_000)]))).admitted, true);
    assert.equal((await store.acquire(request([rate("api-key:a", 1, 60_000)]))).admitted, false);
    assert.equal((await store.acquire(request([rate("api-key:b", 1, 60_000)]))).admitted, true);
    assert.equal((await store.acquire(request([concurrency("api-key:a", 1)]))).admitted, true, "a rate partition and a concurrency partition of one name are separate");
  });

  it("counts all rules or none: a request refused by one rule costs nothing against the others", async () => {
    const { store } = await newStore();
    const key = rate("api-key:k1", 5, 60_000);
    const tenant = rate("tenant:t1", 1, 60_000);
    const keySlots = concurrency("api-key-concurrency:k1", 10);
    const first = await store.acquire(request([key, tenant, keySlots]));
    assert.deepEqual(first.rules.map((rule) => rule.remaining), [4, 0, 9]);
    const refused = await store.acquire(request([key, tenant, keySlots]));
    assert.equal(refused.admitted, false);
    assert.deepEqual(refused.rules.map((rule) => rule.allowed), [true, false, true]);
    assert.deepEqual(refused.rules.map((rule) => rule.retryAfterMillis), [0, 60_000, 0]);
    const keyAlone = await store.acquire(request([key, keySlots]));
    assert.deepEqual(keyAlone.rules.map((rule) => rule.remaining), [3, 8], "the refused request took neither a key request nor a slot");
  });

  it("holds one slot per lease until it is released, and refuses beyond the limit with a retry hint", async () => {
    const { store } = await newStore();
    const rule = concurrency("tenant:slots", 2);
    const first = request([rule]);
    assert.deepEqual((await store.acquire(first)).rules, [{ allowed: true, remaining: 1, resetMillis: null, retryAfterMillis: 0 }]);
    assert.equal((await store.acquire(request([rule]))).admitted, true);
    assert.deepEqual(await store.acquire(request([rule])), { admitted: false, rules: [{ allowed: false, remaining: 0, resetMillis: null, retryAfterMillis: 1_000 }] });
    await store.release([rule.partition], first.leaseId);
    await store.release([rule.partition], first.leaseId);
    await store.release([rule.partition], "never-held");
    assert.equal((await store.acquire(request([rule]))).admitted, true);
    assert.equal((await store.acquire(request([rule]))).admitted, false, "releasing twice or releasing a stranger's lease freed nothing more");
  });

  it("gives back the slots of a holder that stopped renewing once its leases expire, and keeps renewed ones", async () => {
    const { store, clock } = await newStore();
    const rule = concurrency("tenant:leases", 2);
    const crashed = request([rule], { leaseMillis: 1_000 });
    const alive = request([rule], { leaseMillis: 1_000 });
    assert.equal((await store.acquire(crashed)).admitted, true);
    assert.equal((await store.acquire(alive)).admitted, true);
    clock.advance(800);
    await store.renew([rule.partition], alive.leaseId, 1_000);
    clock.advance(400);
    // The crashed holder's lease expired at 1,000 ms; the renewed one lasts until 1,800 ms.
    const third = await store.acquire(request([rule], { leaseMillis: 1_000 }));
    assert.deepEqual([third.admitted, third.rules[0]?.remaining], [true, 0]);
    assert.equal((await store.acquire(request([rule]))).admitted, false);
  });

  it("admits at once when there are no rules, and rejects malformed rules before counting", async () => {
    const { store } = await newStore();
    assert.deepEqual(await store.acquire(request([])), { admitted: true, rules: [] });
    await assert.rejects(store.acquire(request([rate("api-key:bad", 0, 60_000)])), RangeError);
    await assert.rejects(store.acquire(request([rate("api-key:bad", 1, 0)])), RangeError);
    await assert.rejects(store.acquire(request([concurrency("api-key:bad", 1.5)])), RangeError);
    await assert.rejects(store.acquire(request([rate("api-key:bad", 1, 1_000)], { leaseMillis: 0 })), RangeError);
  });

  it("is exact across replicas: concurrent requests through every store never exceed a limit", async () => {
    const clock = manualClock();
    const stores = await createStores(2, clock);
    const rules = [rate("api-key:shared", 20, 60_000), rate("tenant:shared", 25, 60_000), concurrency("tenant-concurrency:shared", 15)];
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, index) => (stores[index % stores.length] as RateLimitStore).acquire(request(rules))));
    const admitted = outcomes.filter((outcome) => outcome.admitted);
    assert.equal(admitted.length, 15, "the concurrency limit binds first");
    assert.equal(outcomes.filter((outcome) => !outcome.admitted && outcome.rules[2]?.allowed === false).length, 45);
    // Slots full: once released elsewhere, the rate limits bind: 20 per key in total, not per replica.
    const more = await Promise.all(Array.from({ length: 30 }, (_, index) => (stores[index % stores.length] as RateLimitStore).acquire(request([rules[0] as RateLimitRule, rules[1] as RateLimitRule]))));
    assert.equal(more.filter((outcome) => outcome.admitted).length, 5);
  });
}

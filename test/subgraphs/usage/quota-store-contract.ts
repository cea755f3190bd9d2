import assert from "node:assert/strict";
import { it } from "node:test";
import type { QuotaStore, QuotaStoreOptions, Reservation, ReservationOutcome, ReservationRequest, TenantQuota } from "../../../subgraphs/usage/quota/quota-store.ts";

/**
 * Makes stores sharing one new, empty state, as `replicas` inference replicas would. A store whose
 * counters live in one process (embedded) returns a single store whatever `replicas` says.
 */
export type CreateQuotaStores = (replicas: number, options?: QuotaStoreOptions) => Promise<QuotaStore[]>;

const minuteMillis = 60_000;
/** Every test runs at explicit times around this one, never the clock. */
const now = Date.parse("2026-11-22T05:30:15.000Z");
const nextMinute = Date.parse("2026-11-22T05:31:00.000Z");
const nextDay = Date.parse("2026-11-23T00:00:00.000Z");
const nextMonth = Date.parse("2026-12-01T00:00:00.000Z");

let reservationCounter = 0;

function quota(overrides: Partial<TenantQuota> = {}): TenantQuota {
  return {
    tenantId: "tenant-a",
    tokensPerMinute: null,
    tokensPerDay: null,
    costMicrosPerMonth: null,
    concurrentStreams: null,
    updatedAt: "2026-11-22T05:00:00.000Z",
    ...overrides,
  };
}

function request(overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return { reservationId: `reservation-${(reservationCounter += 1)}`, tenantId: "tenant-a", tokens: 10, costMicros: 0, stream: false, nowMillis: now, ...overrides };
}

async function admit(store: QuotaStore, overrides: Partial<ReservationRequest> = {}): Promise<Reservation> {
  const outcome = await store.reserve(request(overrides));
  assert.ok(outcome.admitted, `expected admission, got ${JSON.stringify(outcome)}`);
  return outcome.reservation;
}

async function deny(store: QuotaStore, overrides: Partial<ReservationRequest> = {}): Promise<Exclude<ReservationOutcome, { admitted: true }>> {
  const outcome = await store.reserve(request(overrides));
  assert.ok(!outcome.admitted, `expected a denial, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** A small seeded generator (mulberry32), so a failing concurrency run can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The behaviour every QuotaStore must have; run against each implementation. */
export function quotaStoreContract(createStores: CreateQuotaStores): void {
  async function newStore(options: QuotaStoreOptions = {}): Promise<QuotaStore> {
    const [store] = await createStores(1, options);
    assert.ok(store !== undefined);
    return store;
  }

  it("admits every request of a tenant without a quota, counting nothing", async () => {
    const store = await newStore();
    for (let index = 0; index < 3; index += 1) {
      const reservation = await admit(store, { tokens: 1_000_000_000, costMicros: 1_000_000_000, stream: true });
      assert.deepEqual(reservation.windows, { minute: Math.floor(now / minuteMillis), day: "2026-11-22", month: "2026-11" });
      await store.settle(reservation, { tokens: 5, costMicros: 5 });
    }
    await admit(store, { stream: true });
    assert.deepEqual(await store.currentUse("tenant-a", now), { tokensThisMinute: 0, tokensToday: 0, costMicrosThisMonth: 0, activeStreams: 0 });
  });

  it("sets, gets, lists (by tenant id) and deletes quotas", async () => {
    const store = await newStore();
    assert.deepEqual(await store.listQuotas(), []);
    const second = quota({ tenantId: "tenant-b", tokensPerMinute: 0, concurrentStreams: 3 });
    await store.setQuota(second);
    await store.setQuota(quota({ tenantId: "tenant-a", tokensPerDay: 5 }));
    const replaced = quota({ tenantId: "tenant-a", tokensPerDay: 7, costMicrosPerMonth: 1_500_000, updatedAt: "2026-11-22T06:00:00.000Z" });
    await store.setQuota(replaced);
    assert.deepEqual(await store.getQuota("tenant-a"), replaced);
    assert.deepEqual(await store.getQuota("tenant-b"), second, "zero and null survive the round trip");
    assert.deepEqual(await store.listQuotas(), [replaced, second]);
    assert.equal(await store.getQuota("tenant-c"), undefined);
    assert.equal(await store.deleteQuota("tenant-a"), true);
    assert.equal(await store.deleteQuota("tenant-a"), false);
    assert.equal(await store.getQuota("tenant-a"), undefined);
    assert.deepEqual(await store.listQuotas(), [second]);
  });

  it("refuses invalid quotas and amounts", async () => {
    const store = await newStore();
    await assert.rejects(store.setQuota(quota({ tokensPerMinute: -1 })));
    await assert.rejects(store.setQuota(quota({ costMicrosPerMonth: 1.5 })));
    await assert.rejects(store.setQuota(quota({ tenantId: "" })));
    assert.deepEqual(await store.listQuotas(), []);
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    await assert.rejects(store.reserve(request({ tokens: 2.5 })), RangeError);
    await assert.rejects(store.reserve(request({ costMicros: -1 })), RangeError);
    const reservation = await admit(store);
    await assert.rejects(store.settle(reservation, { tokens: -1, costMicros: 0 }), RangeError);
  });

  it("admits tokens per minute up to exactly the limit and reports the denial that would exceed it", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    await admit(store, { tokens: 60 });
    assert.deepEqual(await deny(store, { tokens: 50, nowMillis: now + 1_000 }), {
      admitted: false,
      limit: "TOKENS_PER_MINUTE",
      limitValue: 100,
      used: 60,
      requested: 50,
      resetsAtMillis: nextMinute,
    });
    await admit(store, { tokens: 40 });
    const denial = await deny(store, { tokens: 1 });
    assert.equal(denial.used, 100);
    assert.equal(denial.requested, 1);
    await deny(store, { tokens: 1, nowMillis: nextMinute - 1 });
    await admit(store, { tokens: 100, nowMillis: nextMinute });
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 100);
    assert.equal((await store.currentUse("tenant-a", nextMinute)).tokensThisMinute, 100);
    assert.equal((await store.currentUse("tenant-a", nextMinute)).tokensToday, 200);
  });

  it("denies a request bigger than a limit on its own", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100, costMicrosPerMonth: 1_000 }));
    assert.deepEqual(await deny(store, { tokens: 101 }), { admitted: false, limit: "TOKENS_PER_MINUTE", limitValue: 100, used: 0, requested: 101, resetsAtMillis: nextMinute });
    assert.equal((await deny(store, { tokens: 1, costMicros: 1_001 })).limit, "COST_PER_MONTH");
    await store.setQuota(quota({ tokensPerMinute: 0, concurrentStreams: 0 }));
    assert.equal((await deny(store, { tokens: 1 })).limit, "TOKENS_PER_MINUTE");
    await admit(store, { tokens: 0 });
    assert.equal((await deny(store, { tokens: 0, stream: true })).limit, "CONCURRENT_STREAMS");
  });

  it("frees the difference when settling for less than the estimate", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const reservation = await admit(store, { tokens: 80 });
    await deny(store, { tokens: 30 });
    await store.settle(reservation, { tokens: 30, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 30);
    await admit(store, { tokens: 70 });
    await deny(store, { tokens: 1 });
  });

  it("releases everything when settling with zero, and adds the excess when settling for more", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const released = await admit(store, { tokens: 100 });
    await store.settle(released, { tokens: 0, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 0);
    const exceeded = await admit(store, { tokens: 10 });
    await store.settle(exceeded, { tokens: 25, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 25);
    assert.equal((await store.currentUse("tenant-a", now)).tokensToday, 25);
  });

  it("changes nothing when settling a second time", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100, costMicrosPerMonth: 1_000, concurrentStreams: 2 }));
    const reservation = await admit(store, { tokens: 80, costMicros: 800, stream: true });
    await admit(store, { tokens: 5, costMicros: 5, stream: true });
    await store.settle(reservation, { tokens: 30, costMicros: 300 });
    await store.settle(reservation, { tokens: 30, costMicros: 300 });
    await store.settle(reservation, { tokens: 0, costMicros: 0 });
    assert.deepEqual(await store.currentUse("tenant-a", now), { tokensThisMinute: 35, tokensToday: 35, costMicrosThisMonth: 305, activeStreams: 1 });
  });

  it("corrects the old minute, not the new one, when settling after the minute rolled over", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const early = await admit(store, { tokens: 80 });
    await admit(store, { tokens: 50, nowMillis: nextMinute + 5_000 });
    await store.settle(early, { tokens: 20, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 20);
    const later = await store.currentUse("tenant-a", nextMinute + 5_000);
    assert.equal(later.tokensThisMinute, 50);
    assert.equal(later.tokensToday, 70);
    await admit(store, { tokens: 50, nowMillis: nextMinute + 6_000 });
    await deny(store, { tokens: 1, nowMillis: nextMinute + 6_000 });
  });

  it("enforces tokens per day, resetting at the next UTC midnight and settling into the right day", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerDay: 1_000 }));
    const morning = await admit(store, { tokens: 600 });
    assert.deepEqual(await deny(store, { tokens: 500, nowMillis: now + 3 * 3_600_000 }), {
      admitted: false,
      limit: "TOKENS_PER_DAY",
      limitValue: 1_000,
      used: 600,
      requested: 500,
      resetsAtMillis: nextDay,
    });
    await admit(store, { tokens: 400, nowMillis: nextDay - 60_000 });
    await deny(store, { tokens: 1, nowMillis: nextDay - 1 });
    await admit(store, { tokens: 1_000, nowMillis: nextDay });
    await store.settle(morning, { tokens: 100, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).tokensToday, 500, "yesterday corrected");
    assert.equal((await store.currentUse("tenant-a", nextDay)).tokensToday, 1_000, "today untouched");
    await deny(store, { tokens: 1, nowMillis: nextDay + 1 });
  });

  it("enforces cost per month, resetting on the 1st and freeing what a settle returns", async () => {
    const store = await newStore();
    await store.setQuota(quota({ costMicrosPerMonth: 5_000_000 }));
    const large = await admit(store, { tokens: 1, costMicros: 3_000_000 });
    assert.deepEqual(await deny(store, { tokens: 1, costMicros: 2_500_000, nowMillis: nextDay }), {
      admitted: false,
      limit: "COST_PER_MONTH",
      limitValue: 5_000_000,
      used: 3_000_000,
      requested: 2_500_000,
      resetsAtMillis: nextMonth,
    });
    await admit(store, { tokens: 1, costMicros: 2_000_000, nowMillis: nextDay });
    await deny(store, { tokens: 1, costMicros: 1, nowMillis: nextDay });
    await store.settle(large, { tokens: 1, costMicros: 1_000_000 });
    await admit(store, { tokens: 1, costMicros: 2_000_000, nowMillis: nextMonth - 1 });
    await deny(store, { tokens: 1, costMicros: 1, nowMillis: nextMonth - 1 });
    await admit(store, { tokens: 1, costMicros: 5_000_000, nowMillis: nextMonth });
    assert.equal((await store.currentUse("tenant-a", now)).costMicrosThisMonth, 5_000_000);
    assert.equal((await store.currentUse("tenant-a", nextMonth)).costMicrosThisMonth, 5_000_000);
  });

  it("checks the limits in order: minute, day, month, streams", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 10, tokensPerDay: 10, costMicrosPerMonth: 10, concurrentStreams: 0 }));
    assert.equal((await deny(store, { tokens: 11, costMicros: 11, stream: true })).limit, "TOKENS_PER_MINUTE");
    await store.setQuota(quota({ tokensPerMinute: null, tokensPerDay: 10, costMicrosPerMonth: 10, concurrentStreams: 0 }));
    assert.equal((await deny(store, { tokens: 11, costMicros: 11, stream: true })).limit, "TOKENS_PER_DAY");
    await store.setQuota(quota({ tokensPerMinute: null, tokensPerDay: null, costMicrosPerMonth: 10, concurrentStreams: 0 }));
    assert.equal((await deny(store, { tokens: 11, costMicros: 11, stream: true })).limit, "COST_PER_MONTH");
  });

  it("is all or nothing: a denial leaves every counter as it was", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 1_000, tokensPerDay: 1_000, costMicrosPerMonth: 100, concurrentStreams: 1 }));
    await admit(store, { tokens: 10, costMicros: 50, stream: true });
    const before = await store.currentUse("tenant-a", now);
    assert.equal((await deny(store, { tokens: 20, costMicros: 60 })).limit, "COST_PER_MONTH");
    assert.equal((await deny(store, { tokens: 20, costMicros: 10, stream: true })).limit, "CONCURRENT_STREAMS");
    assert.deepEqual(await store.currentUse("tenant-a", now), before);
    assert.deepEqual(before, { tokensThisMinute: 10, tokensToday: 10, costMicrosThisMonth: 50, activeStreams: 1 });
  });

  it("holds at most the allowed streams and frees a slot on settle", async () => {
    const store = await newStore();
    await store.setQuota(quota({ concurrentStreams: 2 }));
    const first = await admit(store, { stream: true });
    await admit(store, { stream: true });
    assert.deepEqual(await deny(store, { stream: true }), { admitted: false, limit: "CONCURRENT_STREAMS", limitValue: 2, used: 2, requested: 1, resetsAtMillis: null });
    await admit(store, { stream: false });
    await store.settle(first, { tokens: 3, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now)).activeStreams, 1);
    await admit(store, { stream: true });
    await deny(store, { stream: true });
  });

  it("frees the slot of a stream whose lease expired", async () => {
    const store = await newStore({ streamLeaseMillis: 60_000 });
    await store.setQuota(quota({ concurrentStreams: 1 }));
    const abandoned = await admit(store, { stream: true });
    await deny(store, { stream: true, nowMillis: now + 59_999 });
    assert.equal((await store.currentUse("tenant-a", now + 59_999)).activeStreams, 1);
    assert.equal((await store.currentUse("tenant-a", now + 60_000)).activeStreams, 0);
    await admit(store, { stream: true, nowMillis: now + 60_000 });
    // The late settle of the abandoned reservation must not free the new holder's slot.
    await store.settle(abandoned, { tokens: 0, costMicros: 0 });
    assert.equal((await store.currentUse("tenant-a", now + 60_000)).activeStreams, 1);
    await deny(store, { stream: true, nowMillis: now + 60_001 });
  });

  it("keeps a renewed stream slot past its first lease, and frees it one lease after the renewals stop", async () => {
    // Two replicas where the store is shared (the one embedded store stands for both).
    const stores = await createStores(2, { streamLeaseMillis: 30_000 });
    const holder = stores[0];
    const other = stores.at(-1);
    assert.ok(holder !== undefined && other !== undefined);
    await holder.setQuota(quota({ concurrentStreams: 1 }));
    const stream = await admit(holder, { stream: true });
    // A live holder renews every third of the lease: long past the first lease, the slot is still held.
    for (let beat = 1; beat <= 9; beat += 1) assert.equal(await holder.renewStreamLease(stream, now + beat * 10_000), true);
    const lastRenewal = now + 90_000;
    await deny(other, { stream: true, nowMillis: lastRenewal + 29_999 });
    assert.equal((await other.currentUse("tenant-a", lastRenewal + 29_999)).activeStreams, 1);
    // The holder died (no more renewals): one lease after its last renewal the slot is free.
    assert.equal((await other.currentUse("tenant-a", lastRenewal + 30_000)).activeStreams, 0);
    await admit(other, { stream: true, nowMillis: lastRenewal + 30_000 });
  });

  it("never brings back a settled slot, and renews nothing that holds no slot", async () => {
    const store = await newStore({ streamLeaseMillis: 30_000 });
    await store.setQuota(quota({ concurrentStreams: 1 }));
    const stream = await admit(store, { stream: true });
    await store.settle(stream, { tokens: 1, costMicros: 0 });
    assert.equal(await store.renewStreamLease(stream, now + 1_000), false, "a renewal racing the settle changes nothing");
    assert.equal((await store.currentUse("tenant-a", now + 1_000)).activeStreams, 0);
    assert.equal(await store.renewStreamLease(await admit(store, { stream: false }), now), false, "not a stream");
    assert.equal(await store.renewStreamLease(await admit(store, { stream: true, tenantId: "no-quota" }), now), false, "no quota: nothing counted");
    // A lapsed lease is held again by its renewal: the stream it stands for still runs.
    const lapsed = await admit(store, { stream: true, nowMillis: now + 2_000 });
    assert.equal((await store.currentUse("tenant-a", now + 40_000)).activeStreams, 0);
    assert.equal(await store.renewStreamLease(lapsed, now + 40_000), true);
    assert.equal((await store.currentUse("tenant-a", now + 40_000)).activeStreams, 1);
    assert.equal(store.streamLeaseMillis, 30_000);
  });

  it("reports current use of every counter", async () => {
    // A lease longer than the two minutes between the streams' starts: both slots are held.
    const store = await newStore({ streamLeaseMillis: 600_000 });
    await store.setQuota(quota({ tokensPerMinute: 1_000, tokensPerDay: 10_000, costMicrosPerMonth: 1_000_000, concurrentStreams: 5 }));
    await admit(store, { tokens: 100, costMicros: 2_000, stream: true, nowMillis: now - 2 * minuteMillis });
    await admit(store, { tokens: 30, costMicros: 500, stream: true });
    await admit(store, { tokens: 7, costMicros: 70 });
    await admit(store, { tokens: 1, costMicros: 1, tenantId: "tenant-b" });
    assert.deepEqual(await store.currentUse("tenant-a", now), { tokensThisMinute: 37, tokensToday: 137, costMicrosThisMonth: 2_570, activeStreams: 2 });
    assert.deepEqual(await store.currentUse("tenant-a", nextMonth), { tokensThisMinute: 0, tokensToday: 0, costMicrosThisMonth: 0, activeStreams: 0 });
  });

  it("never denies on unlimited fields, yet counts them", async () => {
    const store = await newStore();
    await store.setQuota(quota());
    // Amounts past 2^50 also check that no store rounds or prints them as floating point.
    for (let index = 0; index < 5; index += 1) await admit(store, { tokens: 1_000_000_000, costMicros: 1_000_000_000_000_001, stream: true });
    assert.deepEqual(await store.currentUse("tenant-a", now), {
      tokensThisMinute: 5_000_000_000,
      tokensToday: 5_000_000_000,
      costMicrosThisMonth: 5_000_000_000_000_005,
      activeStreams: 5,
    });
  });

  it("refuses to reserve twice under an id that is still open", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100 }));
    const reservation = await admit(store, { reservationId: "repeated", tokens: 10 });
    await assert.rejects(store.reserve(request({ reservationId: "repeated", tokens: 10 })));
    assert.equal((await store.currentUse("tenant-a", now)).tokensThisMinute, 10);
    await store.settle(reservation, { tokens: 10, costMicros: 0 });
  });

  it("settles reservations made before the quota was deleted, and admits everything after", async () => {
    const store = await newStore();
    await store.setQuota(quota({ tokensPerMinute: 100, concurrentStreams: 1 }));
    const reservation = await admit(store, { tokens: 100, stream: true });
    await store.deleteQuota("tenant-a");
    await admit(store, { tokens: 1_000, stream: true });
    await store.settle(reservation, { tokens: 0, costMicros: 0 });
    await store.setQuota(quota({ tokensPerMinute: 100, concurrentStreams: 1 }));
    await admit(store, { tokens: 100, stream: true });
  });

  it("admits at most the limit, and as much as fits, under 200 concurrent reserves", async () => {
    const limit = 5_000;
    const stores = await createStores(3);
    const first = stores[0];
    assert.ok(first !== undefined);
    await first.setQuota(quota({ tokensPerMinute: limit }));
    const random = seededRandom(20261122);
    const requests = Array.from({ length: 200 }, () => request({ tokens: 1 + Math.floor(random() * 100) }));
    const outcomes = await Promise.all(
      requests.map((each, index) => {
        const store = stores[index % stores.length];
        assert.ok(store !== undefined);
        return store.reserve(each);
      }),
    );
    let admittedTokens = 0;
    let smallestDenied = Number.POSITIVE_INFINITY;
    outcomes.forEach((outcome, index) => {
      const requested = requests[index]?.tokens ?? 0;
      if (outcome.admitted) admittedTokens += requested;
      else {
        assert.ok(outcome.used + outcome.requested > limit, "a denial is justified when it is made");
        smallestDenied = Math.min(smallestDenied, requested);
      }
    });
    assert.ok(smallestDenied < Number.POSITIVE_INFINITY, "the requests ask for more than the limit, so some are denied");
    assert.ok(admittedTokens <= limit, `admitted ${admittedTokens} tokens over a limit of ${limit}`);
    assert.ok(admittedTokens + smallestDenied > limit, `${limit - admittedTokens} tokens left unused, yet a request for ${smallestDenied} was denied`);
    assert.equal((await first.currentUse("tenant-a", now)).tokensThisMinute, admittedTokens);
  });

  it("grants exactly the allowed streams under concurrent reserves", async () => {
    const stores = await createStores(3);
    const first = stores[0];
    assert.ok(first !== undefined);
    await first.setQuota(quota({ concurrentStreams: 7 }));
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, index) => {
        const store = stores[index % stores.length];
        assert.ok(store !== undefined);
        return store.reserve(request({ stream: true }));
      }),
    );
    assert.equal(outcomes.filter((outcome) => outcome.admitted).length, 7);
    assert.equal((await first.currentUse("tenant-a", now)).activeStreams, 7);
  });

  it("reports healthy", async () => {
    const store = await newStore();
    await store.checkHealth();
    await store.close();
  });
}

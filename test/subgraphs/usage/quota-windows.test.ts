import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dayEndMillis, dayOf, minuteEndMillis, minuteOf, monthEndMillis, monthOf, windowsAt } from "../../../subgraphs/usage/quota/quota-windows.ts";

const at = (iso: string): number => Date.parse(iso);

describe("quota windows", () => {
  it("names the minute, day and month of an instant, in UTC", () => {
    const now = at("2026-11-22T05:30:15.250Z");
    assert.deepEqual(windowsAt(now), { minute: Math.floor(now / 60_000), day: "2026-11-22", month: "2026-11" });
    assert.equal(dayOf(at("2026-11-22T23:59:59.999Z")), "2026-11-22");
    assert.equal(dayOf(at("2026-11-23T00:00:00.000Z")), "2026-11-23");
    assert.equal(dayOf(at("2026-11-22T23:30:00.000-02:00")), "2026-11-23", "the UTC day, not the local one");
  });

  it("counts minutes from the epoch, flooring times before it", () => {
    assert.equal(minuteOf(0), 0);
    assert.equal(minuteOf(59_999), 0);
    assert.equal(minuteOf(60_000), 1);
    assert.equal(minuteOf(-1), -1);
  });

  it("ends a minute at the first millisecond of the next", () => {
    const minute = minuteOf(at("2026-11-22T05:30:15.250Z"));
    assert.equal(minuteEndMillis(minute), at("2026-11-22T05:31:00.000Z"));
    assert.equal(minuteEndMillis(minuteOf(at("2026-12-31T23:59:59.999Z"))), at("2027-01-01T00:00:00.000Z"));
  });

  it("ends a day at the next UTC midnight, across month ends, year ends and leap days", () => {
    assert.equal(dayEndMillis("2026-11-22"), at("2026-11-23T00:00:00.000Z"));
    assert.equal(dayEndMillis("2026-11-30"), at("2026-12-01T00:00:00.000Z"));
    assert.equal(dayEndMillis("2026-12-31"), at("2027-01-01T00:00:00.000Z"));
    assert.equal(dayEndMillis("2027-02-28"), at("2027-03-01T00:00:00.000Z"), "no leap day in 2027");
    assert.equal(dayEndMillis("2028-02-28"), at("2028-02-29T00:00:00.000Z"));
    assert.equal(dayEndMillis("2028-02-29"), at("2028-03-01T00:00:00.000Z"));
    assert.equal(dayOf(at("2028-02-29T12:00:00.000Z")), "2028-02-29");
  });

  it("ends a month at midnight on the 1st of the next, across year ends and leap Februaries", () => {
    assert.equal(monthOf(at("2026-11-30T23:59:59.999Z")), "2026-11");
    assert.equal(monthEndMillis("2026-11"), at("2026-12-01T00:00:00.000Z"));
    assert.equal(monthEndMillis("2026-12"), at("2027-01-01T00:00:00.000Z"));
    assert.equal(monthEndMillis("2028-02"), at("2028-03-01T00:00:00.000Z"));
    assert.equal(monthEndMillis("2100-02"), at("2100-03-01T00:00:00.000Z"), "2100 is not a leap year");
    assert.equal(monthOf(monthEndMillis("2026-12")), "2027-01");
    assert.equal(monthOf(monthEndMillis("2026-12") - 1), "2026-12");
  });

  it("keeps four-digit years, including those before 100", () => {
    const early = at("0050-03-01T00:00:00.000Z");
    assert.equal(dayOf(early), "0050-03-01");
    assert.equal(dayEndMillis("0050-02-28"), early);
    assert.equal(monthEndMillis("0050-02"), early);
  });

  it("refuses what is not a window or a time", () => {
    assert.throws(() => dayEndMillis("2026-1-5"), RangeError);
    assert.throws(() => monthEndMillis("2026-11-22"), RangeError);
    assert.throws(() => minuteOf(Number.NaN), RangeError);
    assert.throws(() => dayOf(Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => minuteEndMillis(1.5), RangeError);
  });
});

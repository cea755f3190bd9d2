/**
 * The UTC windows quotas are counted in, as pure functions of an epoch-millisecond time. Window ids
 * are what counters are keyed by (an epoch minute number, `2026-11-22`, `2026-11`); window ends are
 * what a denial reports as `resetsAtMillis`.
 */

const millisPerMinute = 60_000;
const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const monthPattern = /^(\d{4})-(\d{2})$/;

/** The windows one instant falls in: the shape `Reservation.windows` records. */
export interface QuotaWindows {
  /** Minutes since the epoch, UTC. */
  minute: number;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** UTC month, `YYYY-MM`. */
  month: string;
}

export function windowsAt(nowMillis: number): QuotaWindows {
  return { minute: minuteOf(nowMillis), day: dayOf(nowMillis), month: monthOf(nowMillis) };
}

/** Minutes since the epoch (floored, so times before 1970 work too). */
export function minuteOf(nowMillis: number): number {
  assertTime(nowMillis);
  return Math.floor(nowMillis / millisPerMinute);
}

/** `YYYY-MM-DD`, UTC. */
export function dayOf(nowMillis: number): string {
  const date = dateOf(nowMillis);
  return `${yearText(date)}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}`;
}

/** `YYYY-MM`, UTC. */
export function monthOf(nowMillis: number): string {
  const date = dateOf(nowMillis);
  return `${yearText(date)}-${twoDigits(date.getUTCMonth() + 1)}`;
}

/** Epoch milliseconds when `minute` ends (the first millisecond of the next minute). */
export function minuteEndMillis(minute: number): number {
  if (!Number.isSafeInteger(minute)) throw new RangeError(`not an epoch minute: ${minute}`);
  return (minute + 1) * millisPerMinute;
}

/** Epoch milliseconds when the UTC day `YYYY-MM-DD` ends (the next midnight). */
export function dayEndMillis(day: string): number {
  const match = dayPattern.exec(day);
  if (match === null) throw new RangeError(`not a UTC day (YYYY-MM-DD): ${day}`);
  // Day + 1 rolls over into the next month or year by itself.
  return utcMidnight(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
}

/** Epoch milliseconds when the UTC month `YYYY-MM` ends (midnight on the 1st of the next month). */
export function monthEndMillis(month: string): number {
  const match = monthPattern.exec(month);
  if (match === null) throw new RangeError(`not a UTC month (YYYY-MM): ${month}`);
  // Month index + 1 rolls over into January of the next year by itself.
  return utcMidnight(Number(match[1]), Number(match[2]), 1);
}

function utcMidnight(year: number, monthIndex: number, dayOfMonth: number): number {
  // Not Date.UTC: it maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, dayOfMonth);
  return date.getTime();
}

function dateOf(nowMillis: number): Date {
  assertTime(nowMillis);
  const date = new Date(nowMillis);
  const year = date.getUTCFullYear();
  // Window ids have four-digit years; anything else is a bug in the caller's clock.
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new RangeError(`time out of range for quota windows: ${nowMillis}`);
  return date;
}

function assertTime(nowMillis: number): void {
  if (!Number.isFinite(nowMillis)) throw new RangeError(`not an epoch-millisecond time: ${nowMillis}`);
}

function yearText(date: Date): string {
  return String(date.getUTCFullYear()).padStart(4, "0");
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

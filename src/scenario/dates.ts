/**
 * Calendar dates of a dated scenario: tick t is the day t days after the scenario's start
 * date (tick 0 is the start date itself, the initial state). Dates are ISO `YYYY-MM-DD`,
 * whole days in UTC, so a tick never depends on the machine's time zone. No Node API:
 * the explorer uses this too.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of an ISO date, or undefined if `text` is not a real calendar date. */
export function epochDay(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2019-02-30 over to March: a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

export function isIsoDate(v: unknown): v is string {
  return typeof v === 'string' && epochDay(v) !== undefined;
}

/** A YAML date may arrive as a string or (from a YAML 1.1 timestamp) a Date: both become `YYYY-MM-DD`. */
export function asIsoDate(v: unknown): unknown {
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v;
}

/** Tick of `date` in a scenario starting on `start` (negative before the start). */
export function tickOf(start: string, date: string): number {
  const a = epochDay(start);
  const b = epochDay(date);
  if (a === undefined || b === undefined) throw new Error(`not an ISO date: ${a === undefined ? start : date}`);
  return b - a;
}

/** The date of tick `tick` in a scenario starting on `start`. */
export function dateOf(start: string, tick: number): string {
  const a = epochDay(start);
  if (a === undefined) throw new Error(`not an ISO date: ${start}`);
  return new Date((a + tick) * DAY_MS).toISOString().slice(0, 10);
}

export const DATE_FORMAT_HINT = 'a calendar date written YYYY-MM-DD (e.g. 2013-10-24)';

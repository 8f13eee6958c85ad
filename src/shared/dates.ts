import { InputErrors } from './input-errors.ts';

/**
 * The one reader of dates that callers send: `YYYY-MM-DD` (midnight UTC, GitLab's form for
 * expiry dates) or an RFC 3339 date-time with its offset (`2027-01-31T08:00:00Z`, `…+02:00`,
 * seconds and fractions optional). JavaScript's Date rolls impossible dates over without a word
 * (`2099-02-30` becomes March 2nd), and Date.parse takes almost anything (`1` is the year 2001),
 * so every field is checked against the calendar here.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/i;

export const DATE_FORMS = 'YYYY-MM-DD or an ISO 8601 date-time such as 2027-01-31T08:00:00Z';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Date.UTC, except that it reads years 0–99 as themselves rather than as 1900–1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

/** Epoch milliseconds of `value`, or undefined when it is not a real date in one of the forms above. */
export function readDate(value: string): number | undefined {
  const match = DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (match[4] === undefined) return utc(year, month, day);
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Math.floor(Number(`0${match[7] ?? ''}`) * 1000);
  let offsetMinutes = 0;
  if (match[8]?.toUpperCase() !== 'Z') {
    const [offsetHours, offsetMins] = [Number(match[9]), Number(match[10])];
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[8]?.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utc(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/** Epoch milliseconds of a date a caller sent as `field`; a 400 naming the field when it is not one. */
export function parseDate(value: string, field: string): number {
  const ms = readDate(value);
  if (ms === undefined) throw InputErrors.INVALID_DATE({ detail: `${field} is not a valid date: ${JSON.stringify(value.slice(0, 40))} (use ${DATE_FORMS})` });
  return ms;
}

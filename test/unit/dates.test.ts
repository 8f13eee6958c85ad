import { describe, expect, it } from 'vitest';
import { parseDate, readDate } from '../../src/shared/dates.ts';

describe('dates callers send', () => {
  it.each([
    ['2027-01-31', Date.UTC(2027, 0, 31)],
    ['2096-02-29', Date.UTC(2096, 1, 29)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['2027-01-31T08:00:00Z', Date.UTC(2027, 0, 31, 8)],
    ['2027-01-31T08:00Z', Date.UTC(2027, 0, 31, 8)],
    ['2027-01-31T08:00:00.250Z', Date.UTC(2027, 0, 31, 8, 0, 0, 250)],
    ['2027-01-31T08:00:00+02:00', Date.UTC(2027, 0, 31, 6)],
    ['2027-01-31T23:59:59-05:30', Date.UTC(2027, 1, 1, 5, 29, 59)],
    ['0050-06-01', new Date('0050-06-01T00:00:00Z').getTime()],
  ])('reads %s', (text, ms) => {
    expect(readDate(text)).toBe(ms);
  });

  it.each([
    '2099-02-30',
    '2023-02-29',
    '2100-02-29',
    '2099-04-31',
    '2099-13-01',
    '2099-00-10',
    '2099-01-00',
    '2099-02-30T00:00:00Z',
    '2099-01-01T24:00:00Z',
    '2099-01-01T12:60:00Z',
    '2099-01-01T12:00:60Z',
    '2099-01-01T12:00:00+24:00',
    '2099-01-01T12:00:00',
    '1',
    'tomorrow',
    'Feb 28 2099',
    '2099-1-1',
    '',
  ])('refuses %j', (text) => {
    expect(readDate(text)).toBeUndefined();
    expect(() => parseDate(text, 'expires_at')).toThrow(/expires_at is not a valid date/);
  });
});

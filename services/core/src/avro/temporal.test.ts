import { describe, expect, it } from 'vitest';
import {
  dateTimeToEpochMicros,
  dateToEpochDays,
  epochDaysToDate,
  epochMicrosToDateTime,
  isoToUtcText,
  microsToTime,
  timeToMicros,
  utcTextToIso,
} from './temporal.ts';

describe('temporal conversions', () => {
  it.each([
    ['1970-01-01', 0],
    ['1969-12-31', -1],
    ['2000-02-29', 11016],
    ['1000-01-01', -354285],
    ['9999-12-31', 2932896],
  ])('DATE %s <-> %i days', (text, days) => {
    expect(dateToEpochDays(text)).toBe(days);
    expect(epochDaysToDate(days)).toBe(text);
  });

  it.each([
    ['1970-01-01 00:00:00', 0n, '1970-01-01 00:00:00.000000'],
    ['2024-02-29 23:59:59.123456', 1709251199123456n, '2024-02-29 23:59:59.123456'],
    ['1000-01-01 00:00:00.000001', -30610224000000000n + 1n, '1000-01-01 00:00:00.000001'],
    ['9999-12-31 23:59:59.999999', 253402300799999999n, '9999-12-31 23:59:59.999999'],
    ['1969-12-31 23:59:59.5', -500000n, '1969-12-31 23:59:59.500000'],
  ])('DATETIME %s is exact to the microsecond', (text, micros, back) => {
    expect(dateTimeToEpochMicros(text)).toBe(micros);
    expect(epochMicrosToDateTime(micros)).toBe(back);
    // Readers hand over exact longs as numbers: the same text either way.
    if (Number.isSafeInteger(Number(micros))) expect(epochMicrosToDateTime(Number(micros))).toBe(back);
  });

  it('refuses zero dates rather than inventing a value', () => {
    expect(() => dateTimeToEpochMicros('0000-00-00 00:00:00')).toThrow(/zero or invalid/);
  });

  it.each([
    ['00:00:00', 0n, '00:00:00.000000'],
    ['-838:59:59.000000', -3020399000000n, '-838:59:59.000000'],
    ['838:59:59', 3020399000000n, '838:59:59.000000'],
    ['-00:00:01.5', -1500000n, '-00:00:01.500000'],
    ['25:00:00.000001', 90000000001n, '25:00:00.000001'],
  ])('TIME %s (negative and over 24 h) <-> %s us', (text, micros, back) => {
    expect(timeToMicros(text)).toBe(micros);
    expect(microsToTime(micros)).toBe(back);
    expect(microsToTime(Number(micros))).toBe(back);
  });

  it('TIMESTAMP text in UTC <-> ISO-8601', () => {
    expect(utcTextToIso('2038-01-19 03:14:07.999999')).toBe('2038-01-19T03:14:07.999999Z');
    expect(isoToUtcText('2038-01-19T03:14:07.999999Z')).toBe('2038-01-19 03:14:07.999999');
  });
});

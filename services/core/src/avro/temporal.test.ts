import { describe, expect, it } from 'vitest';
import {
  dateTimeToEpochMicros,
  dateTimeToEpochMicrosFast,
  dateToEpochDays,
  epochDaysToDate,
  epochMicrosToDateTime,
  isoToUtcText,
  microsToTime,
  timeToMicros,
  utcTextToIso,
  ZERO_DAYS,
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

  it.each([
    '0000-00-00',
    '2024-00-10',
    '2024-07-00',
    '9999-12-00',
    '2023-02-29', // ALLOW_INVALID_DATES
    '2024-04-31',
  ])('date %s without a calendar day comes back as the same text, below every real date', (text) => {
    const days = dateToEpochDays(text);
    expect(days).toBeLessThanOrEqual(ZERO_DAYS);
    expect(days).toBeLessThan(dateToEpochDays('0000-01-01'));
    expect(days).toBeGreaterThanOrEqual(-(2 ** 31));
    expect(epochDaysToDate(days)).toBe(text);
  });

  it.each([
    ['0000-00-00 00:00:00', '0000-00-00 00:00:00.000000'],
    ['2024-00-10 23:59:59.999999', '2024-00-10 23:59:59.999999'],
    ['9999-12-00 12:00:00.5', '9999-12-00 12:00:00.500000'],
  ])('DATETIME %s with zero parts comes back exactly, within a long', (text, back) => {
    const us = dateTimeToEpochMicros(text);
    expect(us).toBeGreaterThan(-(2n ** 63n));
    expect(epochMicrosToDateTime(us)).toBe(back);
    // Millisecond columns divide by 1000 and multiply back.
    if (us % 1000n === 0n) expect(epochMicrosToDateTime((us / 1000n) * 1000n)).toBe(back);
  });

  it('still refuses text that is not a date', () => {
    expect(() => dateTimeToEpochMicros('2024-13-01 00:00:00')).toThrow(/invalid date parts/);
    expect(() => dateToEpochDays('yesterday')).toThrow(/not a DATE/);
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

describe('DATETIME fast path', () => {
  it.each([
    '1970-01-01 00:00:00',
    '1969-12-31 23:59:59.999999',
    '2024-02-29 23:59:59.123456',
    '2026-12-03 06:40:00.5',
    '2026-12-03 06:40:00.05',
    '2026-12-03 06:40:00.123',
    '1686-01-01 00:00:00',
    '2254-01-01 23:59:59.999999',
    '2000-12-31 12:00:00.000001',
    '1900-03-01 00:00:00',
  ])('%s: the exact micros as a number', (text) => {
    expect(dateTimeToEpochMicrosFast(text)).toBe(Number(dateTimeToEpochMicros(text)));
    expect(Number.isSafeInteger(dateTimeToEpochMicrosFast(text))).toBe(true);
  });

  it.each([
    '0000-00-00 00:00:00',
    '2024-00-10 00:00:00',
    '2024-02-31 00:00:00',
    '2024-02-30 10:00:00.5',
    '9999-12-31 23:59:59.999999',
    '1000-01-01 00:00:00',
    '1600-01-01 00:00:00',
    '1685-01-01 00:00:00',
    '2254-12-31 23:59:59.999999',
    '2300-01-01 00:00:00',
    '2024-01-01',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00.',
    '2024-01-01 00:00:00.1234567',
    '2024-01-01 0a:00:00',
  ])('%s: left to the exact path', (text) => {
    expect(dateTimeToEpochMicrosFast(text)).toBeUndefined();
  });

  it('agrees with the exact path on every 7th day of its range, at a varying time', () => {
    for (let days = -103_999; days < 104_000; days += 7) {
      const date = epochDaysToDate(days);
      const us = ((days * 7919) % 86_400) * 1_000_000 + ((((days * 104_729) % 1_000_000) + 1_000_000) % 1_000_000);
      const text = epochMicrosToDateTime(BigInt(days) * 86_400_000_000n + BigInt(Math.abs(us) % 86_400_000_000));
      expect(text.startsWith(date)).toBe(true);
      expect(dateTimeToEpochMicrosFast(text), text).toBe(Number(dateTimeToEpochMicros(text)));
    }
  });
});

/**
 * Exact conversions between MySQL temporal text ('2024-02-29 23:59:59.123456', '-838:59:59')
 * and the integer encodings Debezium uses. BigInt throughout: microseconds since 1970 pass 2^53
 * after the year 2255.
 */
const DAY_US = 86_400_000_000n;
const DAY_US_N = 86_400_000_000;

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;
const TIME_RE = /^(-)?(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's algorithm: proleptic Gregorian, exact for every MySQL year (0-9999).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const pad = (n: number | bigint, w: number): string => String(n).padStart(w, '0');
// Two-digit fields from a table: formatting runs once per temporal column per row.
const TWO = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const two = (n: number): string => TWO[n] ?? pad(n, 2);

/**
 * Dates no calendar has: MySQL keeps '0000-00-00', '2024-00-10' (NO_ZERO_DATE / NO_ZERO_IN_DATE
 * off) and '2024-02-31' (ALLOW_INVALID_DATES). They get day numbers at or below ZERO_DAYS, far
 * before any real MySQL date (year 0 is day -719,528): ZERO_DAYS - (year * 416 + month * 32 +
 * day), so that the text comes back exactly and a DATETIME's microseconds still fit in a long.
 */
export const ZERO_DAYS = -1_000_000;

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

function dayNumber(y: number, m: number, d: number, text: string): number {
  if (m > 12 || d > 31) throw new RangeError(`invalid date parts: ${text}`);
  if (m === 0 || d === 0 || d > daysInMonth(y, m)) return ZERO_DAYS - (y * 416 + m * 32 + d);
  return daysFromCivil(y, m, d);
}

function parseDateTime(text: string): { days: number; us: bigint } {
  const m = DATETIME_RE.exec(text);
  if (!m) throw new RangeError(`not a DATE/DATETIME: ${text}`);
  const us =
    BigInt(Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0)) * 1_000_000n +
    BigInt((m[7] ?? '').padEnd(6, '0'));
  return { days: dayNumber(Number(m[1]), Number(m[2]), Number(m[3]), text), us };
}

export function dateToEpochDays(text: string): number {
  return parseDateTime(text).days;
}

export function epochDaysToDate(days: number): string {
  if (days <= ZERO_DAYS) {
    const k = ZERO_DAYS - days;
    return `${pad(Math.floor(k / 416), 4)}-${pad(Math.floor((k % 416) / 32), 2)}-${pad(k % 32, 2)}`;
  }
  const [y, m, d] = civilFromDays(days);
  return `${y >= 1000 ? y : pad(y, 4)}-${two(m)}-${two(d)}`;
}

export function dateTimeToEpochMicros(text: string): bigint {
  const { days, us } = parseDateTime(text);
  return BigInt(days) * DAY_US + us;
}

/** Days from 1970 within which a DATETIME's micros stay below 2^53 (September 1685 to September 2254). */
const EXACT_DAYS = 104_000;
const SCALE = [1, 100_000, 10_000, 1_000, 100, 10, 1];

/** The digits at text[from, from + n) as a number, or -1 for a character that is not a digit. */
function digits(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * dateTimeToEpochMicros as a number, where a number is exact: a calendar date within EXACT_DAYS
 * of 1970 in the binlog's own layout ('YYYY-MM-DD HH:MM:SS[.f{1,6}]'). No RegExp, no BigInt:
 * this runs for every DATETIME of every captured row. Anything else (zero dates, other years or
 * layouts) is undefined, for the exact path.
 */
export function dateTimeToEpochMicrosFast(text: string): number | undefined {
  const n = text.length;
  if (n !== 19 && (n < 21 || n > 26)) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return undefined;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sec = digits(text, 17, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) || h < 0 || mi < 0 || sec < 0) return undefined;
  let frac = 0;
  if (n > 19) {
    if (text[19] !== '.') return undefined;
    frac = digits(text, 20, n - 20);
    if (frac < 0) return undefined;
    frac *= SCALE[n - 20] as number;
  }
  const days = daysFromCivil(y, m, d);
  if (days <= -EXACT_DAYS || days >= EXACT_DAYS) return undefined;
  return days * DAY_US_N + (h * 3600 + mi * 60 + sec) * 1_000_000 + frac;
}

/**
 * Micros since epoch -> 'YYYY-MM-DD HH:MM:SS.ffffff' (six digits: the target keeps its own fsp).
 * Exact numbers (every date before the year 2255) skip BigInt: this runs once per column per row.
 */
export function epochMicrosToDateTime(micros: bigint | number): string {
  if (typeof micros === 'number' && Number.isSafeInteger(micros)) {
    const days = Math.floor(micros / DAY_US_N);
    const rem = micros - days * DAY_US_N;
    const secs = Math.floor(rem / 1_000_000);
    return `${epochDaysToDate(days)} ${clock(secs)}.${pad(rem - secs * 1_000_000, 6)}`;
  }
  const us = BigInt(micros);
  let days = us / DAY_US;
  let rem = us % DAY_US;
  if (rem < 0n) {
    rem += DAY_US;
    days -= 1n;
  }
  const secs = Number(rem / 1_000_000n);
  return `${epochDaysToDate(Number(days))} ${clock(secs)}.${pad(rem % 1_000_000n, 6)}`;
}

/** Seconds of a day (or of a TIME, up to 838 hours) -> 'HH:MM:SS'. */
const clock = (secs: number): string =>
  `${two(Math.floor(secs / 3600))}:${two(Math.floor((secs % 3600) / 60))}:${two(secs % 60)}`;

/** TIME ('-838:59:59.000000' .. '838:59:59.000000') -> signed micros. */
export function timeToMicros(text: string): bigint {
  const m = TIME_RE.exec(text);
  if (!m) throw new RangeError(`not a TIME: ${text}`);
  const us = BigInt(Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1_000_000n + BigInt((m[5] ?? '').padEnd(6, '0'));
  return m[1] ? -us : us;
}

export function microsToTime(micros: bigint | number): string {
  // TIME is at most 838:59:59.999999: always an exact number.
  const us = Number(micros);
  const abs = Math.abs(us);
  const secs = Math.floor(abs / 1_000_000);
  return `${us < 0 ? '-' : ''}${clock(secs)}.${pad(abs - secs * 1_000_000, 6)}`;
}

/** TIMESTAMP as zongji gives it (UTC, 'YYYY-MM-DD HH:MM:SS[.f]') -> ISO-8601 'YYYY-MM-DDTHH:MM:SS[.f]Z'. */
export function utcTextToIso(text: string): string {
  if (!DATETIME_RE.test(text)) throw new RangeError(`not a TIMESTAMP: ${text}`);
  return `${text.replace(' ', 'T')}Z`;
}

/** ISO-8601 UTC -> 'YYYY-MM-DD HH:MM:SS[.f]' for a target session whose time_zone is +00:00. */
export function isoToUtcText(iso: string): string {
  return iso.replace('T', ' ').replace(/Z$/, '');
}

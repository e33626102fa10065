import { SluiceError } from '@sluice/core';

/** A time slice of a time-slice verify: rows whose time column is >= from and < to. */
export interface Slice {
  from: string;
  to: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `1d` -> milliseconds; CONFIG_INVALID naming the flag otherwise. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] as string] as number) : Number.NaN;
  if (!(ms > 0))
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice verify: --${flag} takes a duration such as 30s, 15m, 1h or 1d, got ${JSON.stringify(text)}`,
    );
  return ms;
}

/** An ISO 8601 time with a zone (or `now`) -> epoch ms; CONFIG_INVALID naming the flag otherwise. */
export function parseTime(flag: string, text: string, nowMs: number): number {
  if (text === 'now') return nowMs;
  const ms = /(Z|[+-]\d\d:?\d\d)$/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice verify: --${flag} takes an ISO 8601 time with a zone (2026-11-30T12:00:00Z) or now, got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** Epoch ms -> the UTC text a DATETIME(6) or TIMESTAMP(6) column compares with (sessions run in UTC). */
export const sqlTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');

/** [since, until) cut into slices of `sliceMs` (the last one shorter), at most 10,000 of them. */
export function planSlices(sinceMs: number, untilMs: number, sliceMs: number): Slice[] {
  if (untilMs <= sinceMs) throw new SluiceError('CONFIG_INVALID', 'sluice verify: --until must be after --since');
  const n = Math.ceil((untilMs - sinceMs) / sliceMs);
  if (n > 10_000)
    throw new SluiceError('CONFIG_INVALID', `sluice verify: ${n} slices of --slice; make the slice longer (at most 10,000)`);
  const out: Slice[] = [];
  for (let t = sinceMs; t < untilMs; t += sliceMs) out.push({ from: sqlTime(t), to: sqlTime(Math.min(t + sliceMs, untilMs)) });
  return out;
}

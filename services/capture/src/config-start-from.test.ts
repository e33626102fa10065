import { describe, expect, it } from 'vitest';
import { configuredStart } from './capture.ts';
import { captureConfigSchema } from './config.ts';

const base = { source: { url: 'mysql://u:p@h:3306/' }, kafka: { brokers: ['k:9092'] }, schemaRegistry: { url: 'http://r/' } };

describe('capture config: startFrom', () => {
  it('takes a time with a zone', () => {
    for (const time of ['2026-11-30T12:00:00Z', '2026-11-30T12:00:00.250+01:00']) {
      expect(captureConfigSchema.parse({ ...base, startFrom: { time } }).startFrom).toEqual({ time });
    }
  });

  it('refuses a time without a zone or that is not a time, saying what it wants', () => {
    for (const time of ['2026-11-30 12:00:00', '2026-11-30T12:00:00', 'yesterday', '2026-13-01T00:00:00Z']) {
      const r = captureConfigSchema.safeParse({ ...base, startFrom: { time } });
      expect(r.success, time).toBe(false);
    }
    const r = captureConfigSchema.safeParse({ ...base, startFrom: { time: 'noon' } });
    expect(JSON.stringify(r.error?.issues)).toMatch(/ISO 8601 time with a zone/);
  });

  it('is located in the binlog by the capture, not taken as a position', () => {
    expect(configuredStart({ time: '2026-11-30T12:00:00Z' })).toEqual({ end: true });
  });
});

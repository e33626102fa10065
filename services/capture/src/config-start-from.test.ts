import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredStart } from './capture.ts';
import { captureConfigSchema, loadCaptureConfig } from './config.ts';

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

describe('capture config: source.kind tidb', () => {
  it('takes a TSO to start from, and the query settings with their defaults', () => {
    const cfg = captureConfigSchema.parse({
      ...base,
      source: { ...base.source, kind: 'tidb' },
      startFrom: { tso: '470862270429659136' },
    });
    expect(cfg.startFrom).toEqual({ tso: '470862270429659136' });
    expect(cfg.source.query).toEqual({
      intervalMs: 1000,
      changeColumns: {},
      overlapMs: 5000,
      chunkRows: 10_000,
      idleCheckpointMs: 30_000,
    });
  });

  it('refuses a TSO that is not digits, an unknown kind and an unknown query key', () => {
    expect(captureConfigSchema.safeParse({ ...base, startFrom: { tso: '12ab' } }).success).toBe(false);
    expect(captureConfigSchema.safeParse({ ...base, source: { ...base.source, kind: 'postgres' } }).success).toBe(false);
    // Unknown keys are refused where the config is loaded, naming the key.
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-cfg-')), 'capture.json');
    writeFileSync(file, JSON.stringify({ ...base, source: { ...base.source, kind: 'tidb', query: { interval: 5 } } }));
    expect(() => loadCaptureConfig(file, {})).toThrow(/source\.query\.interval/);
  });

  it('a binlog capture refuses a TSO start', () => {
    expect(() => configuredStart({ tso: '1' })).toThrow(/needs source.kind tidb/);
  });
});

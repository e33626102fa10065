import { describe, expect, it } from 'vitest';
import { captureConfigSchema } from './config.ts';
import { ONLINE_DDL_TABLES } from './source/online-ddl.ts';

const base = { source: { url: 'mysql://u:p@h:3306/' }, kafka: { brokers: ['k:9092'] }, schemaRegistry: { url: 'http://r/' } };

describe('capture config: onlineDdl', () => {
  it('recognises gh-ost and pt-osc tables by default', () => {
    const cfg = captureConfigSchema.parse(base);
    expect(cfg.onlineDdl).toEqual({ enabled: true, tables: ONLINE_DDL_TABLES });
  });

  it('takes patterns with exactly one *', () => {
    expect(captureConfigSchema.parse({ ...base, onlineDdl: { tables: ['*_shadow'] } }).onlineDdl.tables).toEqual(['*_shadow']);
    for (const bad of ['_gho', '_*_*_gho', 'db.*_gho', '_?_gho']) {
      expect(captureConfigSchema.safeParse({ ...base, onlineDdl: { tables: [bad] } }).success, bad).toBe(false);
    }
  });
});

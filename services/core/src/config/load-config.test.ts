import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kafkaSection, mysqlUrl, topicPrefix } from './common.ts';
import { loadConfig } from './load-config.ts';

const schema = z.object({ source: z.object({ url: mysqlUrl }), kafka: kafkaSection });
const overrides = [
  { env: 'X_SOURCE_URL', path: 'source.url' },
  { env: 'X_BROKERS', path: 'kafka.brokers', kind: 'list' as const },
];

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}

describe('topicPrefix', () => {
  it('takes what starts a valid topic name and leaves room for the table names (docs/limits.md)', () => {
    expect(topicPrefix.parse(undefined)).toBe('sluice');
    expect(topicPrefix.safeParse('p'.repeat(100)).success).toBe(true);
    expect(topicPrefix.safeParse('p'.repeat(101)).success).toBe(false);
    expect(topicPrefix.safeParse('a.b').success).toBe(false);
  });
});

describe('loadConfig', () => {
  it('reads YAML and applies environment overrides', () => {
    const f = file('source:\n  url: mysql://a:b@h:1/\nkafka:\n  brokers: [h:9092]\n');
    const cfg = loadConfig(schema, { file: f, env: { X_BROKERS: 'k1:1, k2:2' }, overrides });
    expect(cfg.kafka.brokers).toEqual(['k1:1', 'k2:2']);
    expect(cfg.kafka.clientId).toBe('sluice');
  });

  it('names the field and the file it came from', () => {
    const f = file('source:\n  url: postgres://x\nkafka:\n  brokers: [h:9092]\n');
    expect(() => loadConfig(schema, { file: f, env: {}, overrides })).toThrow(
      new RegExp(`source\\.url: expected a URL like mysql://.*\\(from file ${f}\\)`),
    );
  });

  it('names the environment variable when that set the bad value', () => {
    const f = file('source:\n  url: mysql://a:b@h:1/\n');
    expect(() => loadConfig(schema, { file: f, env: { X_BROKERS: 'nope' }, overrides })).toThrow(
      /kafka\.brokers\.0: expected host:port \(from environment variable X_BROKERS\)/,
    );
  });

  it('refuses a missing required section', () => {
    expect(() => loadConfig(schema, { env: {}, overrides })).toThrow(/source: .*\n.*kafka:/s);
  });
});

import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SluiceError } from '../errors.ts';
import { kafkaSection, mysqlUrl, topicPrefix } from './common.ts';
import { loadConfig } from './load-config.ts';

const schema = z.object({ source: z.object({ url: mysqlUrl }), kafka: kafkaSection });
const overrides = [
  { env: 'X_SOURCE_URL', path: 'source.url' },
  { env: 'X_BROKERS', path: 'kafka.brokers', kind: 'list' as const },
  { env: 'X_PORT', path: 'http.port', kind: 'number' as const },
];

/** The shapes the services' schemas use: defaults, refinements, arrays of objects, records, unions. */
const wide = z.object({
  kafka: kafkaSection,
  tables: z.object({ include: z.array(z.string()).default([]) }).default({ include: [] }),
  columns: z
    .object({ mask: z.array(z.string()).default([]), maskSalt: z.string().optional() })
    .default({ mask: [] })
    .refine((c) => c.mask.length === 0 || !!c.maskSalt, { message: 'maskSalt is required when mask is set', path: ['maskSalt'] }),
  routes: z.array(z.object({ from: z.string(), to: z.string() })).default([]),
  keys: z.record(z.string(), z.array(z.string())).default({}),
  startFrom: z
    .union([z.literal('now'), z.object({ gtid: z.string() }), z.object({ file: z.string(), pos: z.number() })])
    .default('now'),
  http: z.object({ port: z.number().default(0) }).optional(),
  loose: z.looseObject({ a: z.number().optional() }).optional(),
  strict: z.strictObject({ a: z.number().optional() }).optional(),
});
const base = 'kafka:\n  brokers: [h:9092]\n';

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}

/** The CONFIG_* error loadConfig throws for `text`. */
function failure(text: string, s: z.ZodType = wide, env: NodeJS.ProcessEnv = {}): SluiceError {
  try {
    loadConfig(s, { file: file(text), env, overrides });
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('the config was accepted');
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
    const cfg = loadConfig(schema, { file: f, env: { X_BROKERS: 'k1:1, k2:2' }, overrides: overrides.slice(0, 2) });
    expect(cfg.kafka.brokers).toEqual(['k1:1', 'k2:2']);
    expect(cfg.kafka.clientId).toBe('sluice');
  });

  it('names the file, the field and its line', () => {
    const f = file('source:\n  url: postgres://x\nkafka:\n  brokers: [h:9092]\n');
    expect(() => loadConfig(schema, { file: f, env: {}, overrides: [] })).toThrow(
      new RegExp(`^invalid configuration in ${f}:\n  source\\.url: expected a URL like mysql://.* \\(line 2\\)$`),
    );
  });

  it('names the environment variable when that set the bad value', () => {
    const f = file('source:\n  url: mysql://a:b@h:1/\n');
    expect(() => loadConfig(schema, { file: f, env: { X_BROKERS: 'nope' }, overrides: overrides.slice(0, 2) })).toThrow(
      /kafka\.brokers\.0: expected host:port \(from environment variable X_BROKERS\)/,
    );
    const e = failure(base, wide, { X_PORT: '80a' });
    expect(e.message).toMatch(/http\.port: .*expected number, received string \(from environment variable X_PORT\)/);
  });

  it('says that a required field is missing', () => {
    expect(() => loadConfig(schema, { env: {}, overrides })).toThrow(
      /^invalid configuration \(no config file: defaults and environment variables\):\n {2}source: required, but missing \(object\)\n {2}kafka: required/,
    );
  });

  it('accepts every declared key, at every depth', () => {
    const text = `${base}tables: { include: [a.b] }\ncolumns: { mask: [a.b.c], maskSalt: s }\nroutes: [{ from: a.b, to: c.d }]\nkeys: { any.name: [id] }\nstartFrom: { file: b.1, pos: 4 }\nhttp: { port: 1 }\nloose: { a: 1, b: 2 }\n`;
    const cfg = loadConfig(wide, { file: file(text), env: {}, overrides });
    expect(cfg.routes).toEqual([{ from: 'a.b', to: 'c.d' }]);
    expect(cfg.startFrom).toEqual({ file: 'b.1', pos: 4 });
  });
});

describe('loadConfig refuses unknown keys', () => {
  it('at the top level, with the key probably meant', () => {
    const e = failure(`${base}tabels:\n  include: [a.b]\n`);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/in .*c\.yaml:\n {2}tabels: unknown key; did you mean tables\? \(line 3\)$/);
  });

  it('nested, by their dotted path', () => {
    expect(failure(`${base}columns:\n  masks: [a.b.c]\n`).message).toMatch(
      / {2}columns\.masks: unknown key; did you mean mask\? \(line 4\)/,
    );
    expect(failure(`${base}kafka2: {}\n`).message).toMatch(/kafka2: unknown key; did you mean kafka\?/);
    expect(failure('kafka:\n  brokers: [h:9092]\n  ClientID: x\n').message).toMatch(
      /kafka\.ClientID: unknown key; did you mean clientId\? \(line 3\)/,
    );
  });

  it('in arrays of objects, such as sink routes', () => {
    const e = failure(`${base}routes:\n  - from: a.b\n    to: c.d\n  - from: e.f\n    too: g.h\n`);
    expect(e.message).toMatch(/ {2}routes\.1\.too: unknown key; did you mean to\? \(line 7\)/);
    // `to` is missing in that route, and said so too, at the route's line.
    expect(e.message).toMatch(/routes\.1\.to: required, but missing \(string\) \(line 6\)/);
  });

  it('a misspelled section: the misspelling and what it leaves missing', () => {
    const e = failure('kafak:\n  brokers: [h:9092]\n');
    expect(e.message).toMatch(/kafak: unknown key; did you mean kafka\? \(line 1\)\n {2}kafka: required, but missing/);
  });

  it('at the wrong level, naming where the key belongs', () => {
    expect(failure(`${base}maskSalt: x\n`).message).toMatch(
      / {2}maskSalt: unknown key at this level; did you mean columns\.maskSalt\?/,
    );
    expect(failure(`${base}tables:\n  brokers: [x:1]\n`).message).toMatch(
      /tables\.brokers: unknown key at this level; did you mean kafka\.brokers\?/,
    );
  });

  it('lists the keys known there when none is close', () => {
    expect(failure(`${base}http: { zzz: 1 }\n`).message).toMatch(/http\.zzz: unknown key \(known here: port\)/);
  });

  it('in union branches: by the branch the value matches, else by all their keys', () => {
    expect(failure(`${base}startFrom: { gtid: x, pos: 4 }\n`).message).toMatch(/startFrom\.pos: unknown key/);
    expect(failure(`${base}startFrom: { gtdi: x }\n`).message).toMatch(/startFrom\.gtdi: unknown key; did you mean gtid\?/);
  });

  it('inside record values, but not as record keys', () => {
    const rec = z.object({ sinks: z.record(z.string(), z.object({ url: z.string() })) });
    expect(() => loadConfig(rec, { file: file('sinks:\n  anyname: { url: x }\n'), env: {} })).not.toThrow();
    expect(failure('sinks:\n  anyname: { url: x, ulr: y }\n', rec).message).toMatch(
      /sinks\.anyname\.ulr: unknown key; did you mean url\?/,
    );
  });

  it('once for strict objects, and never in loose ones', () => {
    const e = failure(`${base}strict: { b: 1 }\nloose: { b: 1 }\n`);
    expect(e.message.split('\n').slice(1)).toEqual(['  strict.b: unknown key (known here: a) (line 3)']);
  });
});

describe('loadConfig reports a file it cannot use', () => {
  it('invalid YAML: the file, line and column, no stack', () => {
    const e = failure(`${base}tables:\n  include: [a.b\nroutes: []\n`);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/^config file .*c\.yaml is not valid YAML:\n {2}line \d+, column \d+: /);
    const tab = failure(`${base}tables:\n\tinclude: [a.b]\n`);
    expect(tab.message).toMatch(/\n {2}line 4, column 1: Tabs are not allowed as indentation$/);
  });

  it('never shows the text of the file, which may hold secrets', () => {
    const e = failure(`${base}columns:\n  maskSalt: "a-secret-salt-of-16\nsource:\n  url: mysql://u:hunter2@h:1/\n`);
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.message).not.toMatch(/a-secret|hunter2/);
    const key = failure(`${base}source:\n  mysql://u:hunter2@h:1/: x\n`, z.object({ source: z.object({}) }));
    expect(key.message).toMatch(/source\.mysql:\/\/u:\*\*\*@h:1\/: unknown key/);
    expect(key.message).not.toMatch(/hunter2/);
  });

  it('a key written twice', () => {
    expect(failure(`${base}routes: []\nroutes: []\n`).message).toMatch(/line 4, column 1: Map keys must be unique/);
  });

  it('a top level that is not a mapping', () => {
    expect(failure('- a\n- b\n').message).toMatch(/the top level must be a mapping/);
  });

  it('merges `<<: *anchor` as YAML users expect', () => {
    const cfg = loadConfig(wide, {
      file: file(`${base}routes:\n  - &r { from: a.b, to: c.d }\n  - { <<: *r, to: e.f }\n`),
      env: {},
    });
    expect(cfg.routes).toEqual([
      { from: 'a.b', to: 'c.d' },
      { from: 'a.b', to: 'e.f' },
    ]);
  });

  it('a missing file, a directory: CONFIG_FILE_UNREADABLE with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const read = (f: string) => () => loadConfig(wide, { file: f, env: {} });
    expect(read(join(dir, 'none.yaml'))).toThrow(
      new RegExp(`^cannot read config file ${dir}/none\\.yaml: no such file \\(ENOENT\\)$`),
    );
    expect(read(dir)).toThrow(/: it is a directory \(EISDIR\)$/);
    expect(read(join(dir, 'none.yaml'))).toThrow(expect.objectContaining({ code: 'CONFIG_FILE_UNREADABLE' }));
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file: permission denied', () => {
    const f = file(base);
    chmodSync(f, 0o000);
    expect(() => loadConfig(wide, { file: f, env: {} })).toThrow(/: permission denied \(EACCES\)$/);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { isArchiveSink, loadArchiveSinkConfig } from './archive-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'archive-cfg-'));
afterAll(() => removeTree(dir));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const base = `sinkName: arch
kafka: { brokers: ["127.0.0.1:19092"] }
schemaRegistry: { url: "http://127.0.0.1:18081" }
`;

describe('archive sink config', () => {
  it('is chosen by target.kind archive (or SLUICE_TARGET_KIND), with defaults', () => {
    const f = file('a.yaml', `${base}target: { kind: archive, path: /tmp/a }\n`);
    expect(isArchiveSink(f, {})).toBe(true);
    expect(isArchiveSink(file('b.yaml', `${base}target: { url: "mysql://x@h/", kind: tidb }\n`), {})).toBe(false);
    expect(isArchiveSink(undefined, { SLUICE_TARGET_KIND: 'archive' })).toBe(true);
    const cfg = loadArchiveSinkConfig(f, {});
    expect(cfg.target).toEqual({
      kind: 'archive',
      path: '/tmp/a',
      maxFileBytes: 128 << 20,
      maxFileAgeMs: 60_000,
      codec: 'deflate',
    });
    expect(cfg.tables).toEqual({ include: ['*.*'], exclude: [] });
    expect(loadArchiveSinkConfig(f, { SLUICE_ARCHIVE_PATH: '/srv/x' }).target.path).toBe('/srv/x');
  });

  it('refuses SQL sink keys and a missing path, naming them', () => {
    const f = file('c.yaml', `${base}target: { kind: archive }\nroutes: []\n`);
    expect(() => loadArchiveSinkConfig(f, {})).toThrow(/routes[\s\S]*target\.path|target\.path[\s\S]*routes/);
  });
});

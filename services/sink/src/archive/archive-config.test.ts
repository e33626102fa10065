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
      retention: { checkEveryMs: 3_600_000 },
    });
    expect(cfg.tables).toEqual({ include: ['*.*'], exclude: [] });
    expect(loadArchiveSinkConfig(f, { SLUICE_ARCHIVE_PATH: '/srv/x' }).target.path).toBe('/srv/x');
  });

  it('refuses SQL sink keys and a missing path, naming them', () => {
    const f = file('c.yaml', `${base}target: { kind: archive }\nroutes: []\n`);
    expect(() => loadArchiveSinkConfig(f, {})).toThrow(/routes[\s\S]*target\.path|target\.path[\s\S]*routes/);
  });

  it('takes an S3 bucket instead of a path, from the file and SLUICE_ARCHIVE_S3_*, the secret hidden', () => {
    const f = file(
      's3.yaml',
      `${base}target:\n  kind: archive\n  s3: { bucket: arch, prefix: /a/b/, endpoint: "http://127.0.0.1:18333", accessKeyId: k }\n  retention: { archiveDays: 7, keepBases: 2 }\n`,
    );
    const cfg = loadArchiveSinkConfig(f, { SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY: 'very-secret' });
    expect(cfg.target.path).toBeUndefined();
    expect(cfg.target.s3).toMatchObject({ bucket: 'arch', prefix: 'a/b', region: 'us-east-1', accessKeyId: 'k' });
    expect(cfg.target.s3?.secretAccessKey?.reveal()).toBe('very-secret');
    expect(JSON.stringify(cfg)).not.toContain('very-secret');
    expect(cfg.target.retention).toEqual({ archiveDays: 7, keepBases: 2, checkEveryMs: 3_600_000 });
    const env = loadArchiveSinkConfig(file('env.yaml', `${base}target: { kind: archive }\n`), {
      SLUICE_ARCHIVE_S3_BUCKET: 'other',
      SLUICE_ARCHIVE_S3_ENDPOINT: 'https://s3.example:9000',
    });
    expect(env.target.s3).toMatchObject({ bucket: 'other', endpoint: 'https://s3.example:9000', prefix: '' });
  });

  it('refuses both path and s3, an unknown s3 key, and an id without a secret, naming the fields and never the secret', () => {
    const both = file('both.yaml', `${base}target: { kind: archive, path: /tmp/a, s3: { bucket: arch } }\n`);
    expect(() => loadArchiveSinkConfig(both, {})).toThrow(/target\.s3[\s\S]*not both/);
    const typo = file('typo.yaml', `${base}target: { kind: archive, s3: { bucket: arch, secretKey: hush-hush } }\n`);
    expect(() => loadArchiveSinkConfig(typo, {})).toThrow(/target\.s3\.secretKey/);
    try {
      loadArchiveSinkConfig(typo, {});
    } catch (e) {
      expect(String(e)).not.toContain('hush-hush');
    }
    const half = file('half.yaml', `${base}target: { kind: archive, s3: { bucket: arch, accessKeyId: k } }\n`);
    expect(() => loadArchiveSinkConfig(half, {})).toThrow(/target\.s3\.secretAccessKey/);
  });
});

import { describe, expect, it } from 'vitest';
import { loadSinkConfig } from './config.ts';
import { BASE_CONFIG as base, configFileOf as file } from './config-fixture.ts';

describe('sink config: http', () => {
  it('has a 5 s readiness grace period by default, and takes another', () => {
    expect(loadSinkConfig(file(base), {}).http).toEqual({ port: 0, host: '127.0.0.1', readyGraceMs: 5_000 });
    expect(loadSinkConfig(file(`${base}http: { port: 9, readyGraceMs: 2000 }\n`), {}).http).toEqual({
      port: 9,
      host: '127.0.0.1',
      readyGraceMs: 2_000,
    });
  });

  it('refuses an unknown key and a negative grace period', () => {
    expect(() => loadSinkConfig(file(`${base}http: { readyGrace: 2000 }\n`), {})).toThrow(/readyGrace/);
    expect(() => loadSinkConfig(file(`${base}http: { readyGraceMs: -1 }\n`), {})).toThrow(/readyGraceMs/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CAPTURE_ENV, loadCaptureConfig } from '../../services/capture/src/config.ts';
import { loadSinkConfig, SINK_ENV } from '../../services/sink/src/config.ts';
import { serviceNodeFlags } from '../support/services.ts';

/**
 * docker-compose.yml cannot be run on machines without a Docker engine, so it is kept correct by
 * construction: the same topology and source settings as the native stack, and service settings
 * that the real config loaders accept.
 */
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
};
const nativeSource = readFileSync(new URL('deploy/local/components/mariadb.sh', root), 'utf8');

describe('docker-compose.yml', () => {
  it('describes the same topology as make up', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['source', 'target-mariadb', 'tidb', 'kafka', 'registry', 'capture', 'sink-mariadb', 'sink-tidb']),
    );
  });

  it('gives the source the binlog settings of the native stack', () => {
    const flags = compose.services.source?.command ?? [];
    for (const setting of ['binlog_format=ROW', 'binlog_row_image=FULL', 'binlog_row_metadata=FULL']) {
      expect(nativeSource).toContain(setting);
      expect(flags).toContain(`--${setting.replaceAll('_', '-')}`);
    }
  });

  it('configures capture and sinks with settings their loaders accept', () => {
    const known = new Set([...CAPTURE_ENV, ...SINK_ENV].map((o) => o.env));
    const env = (name: string) => {
      const e = compose.services[name]?.environment ?? {};
      for (const k of Object.keys(e)) if (k.startsWith('SLUICE_')) expect(known, `${name}: ${k}`).toContain(k);
      return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
    };
    expect(loadCaptureConfig(undefined, env('capture')).source.url).toBe('mysql://sluice:sluice@source:3306/');
    expect(loadSinkConfig(undefined, env('sink-mariadb')).target.kind).toBe('mariadb');
    expect(loadSinkConfig(undefined, env('sink-tidb')).sinkName).toBe('tidb');
  });

  it('gives the image the same Node flags as the native launchers', () => {
    const docker = readFileSync(new URL('deploy/docker/Dockerfile', root), 'utf8');
    expect(/NODE_OPTIONS="([^"]*)"/.exec(docker)?.[1]?.split(' ')).toEqual(serviceNodeFlags());
    const capture = compose.services.capture?.environment?.NODE_OPTIONS;
    expect(String(capture).split(' ')).toEqual(serviceNodeFlags('capture'));
  });
});

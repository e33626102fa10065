import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intFlag, listFlag } from './args.ts';
import { Settings } from './settings.ts';

const env = (vars: Record<string, string> = {}) => ({ SLUICE_NO_STACK_ENV: '1', ...vars });

describe('Settings', () => {
  it('takes the flag first, then the config file, then the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-settings-'));
    const sink = join(dir, 'sink.yaml');
    writeFileSync(
      sink,
      'sinkName: tidb\ntarget: { url: "mysql://a:b@file:4000/" }\nkafka: { brokers: ["k:1"] }\nschemaRegistry: { url: "http://r/" }\ntopicPrefix: p1\n',
    );
    const s = new Settings(
      { sinkConfig: sink },
      env({ SLUICE_TARGET_URL: 'mysql://a:b@env:1/', SLUICE_SOURCE_URL: 'mysql://s@src:1/' }),
    );
    expect(s.targetUrl('mysql://a:b@flag:1/')).toBe('mysql://a:b@flag:1/');
    // The sink's loader applies SLUICE_TARGET_URL over its file, as the sink itself does.
    expect(s.targetUrl()).toBe('mysql://a:b@env:1/');
    expect(s.sourceUrl()).toBe('mysql://s@src:1/');
    expect(s.brokers()).toEqual(['k:1']);
    expect(s.topicPrefix()).toBe('p1');
    expect(s.topicPrefix('p2')).toBe('p2');
  });

  it('names what is missing', () => {
    const s = new Settings({}, env());
    expect(() => s.sourceUrl()).toThrow(/no source: pass --source/);
    expect(() => s.brokers()).toThrow(/no Kafka brokers/);
    expect(s.topicPrefix()).toBe('sluice');
  });
});

describe('flags', () => {
  it('reads whole numbers within bounds', () => {
    expect(intFlag('verify', 'chunk-rows', undefined, 5000)).toBe(5000);
    expect(intFlag('verify', 'chunk-rows', '20', 5000)).toBe(20);
    expect(() => intFlag('verify', 'chunk-rows', '0', 5000)).toThrow(/--chunk-rows must be a whole number from 1/);
    expect(() => intFlag('verify', 'chunk-rows', '1.5', 5000)).toThrow(/whole number/);
  });

  it('flattens repeated and comma-separated lists', () => {
    expect(listFlag(['a.*, b.c', 'd.e'])).toEqual(['a.*', 'b.c', 'd.e']);
    expect(listFlag(undefined)).toEqual([]);
  });
});

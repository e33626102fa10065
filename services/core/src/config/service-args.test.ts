import { describe, expect, it } from 'vitest';
import { configFileFromArgs } from './service-args.ts';

describe('configFileFromArgs', () => {
  it('takes --config <file>, --config=<file>, else SLUICE_CONFIG', () => {
    expect(configFileFromArgs(['--config', 'a.yaml'], {})).toBe('a.yaml');
    expect(configFileFromArgs(['--config=a.yaml'], {})).toBe('a.yaml');
    expect(configFileFromArgs([], { SLUICE_CONFIG: 'b.yaml' })).toBe('b.yaml');
    expect(configFileFromArgs(['--config', 'a.yaml'], { SLUICE_CONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(configFileFromArgs([], {})).toBeUndefined();
  });

  it('refuses any other argument, with the flag probably meant', () => {
    expect(() => configFileFromArgs(['--confg', 'a.yaml'], {})).toThrow(/unknown argument "--confg"; did you mean --config\?/);
    expect(() => configFileFromArgs(['a.yaml'], {})).toThrow(/unknown argument "a.yaml" \(usage: --config <file>/);
  });

  it('refuses --config without a file, or twice', () => {
    expect(() => configFileFromArgs(['--config'], {})).toThrow(/--config needs a file name/);
    expect(() => configFileFromArgs(['--config='], {})).toThrow(/--config needs a file name/);
    expect(() => configFileFromArgs(['--config', '--other'], {})).toThrow(/--config needs a file name/);
    expect(() => configFileFromArgs(['--config', 'a', '--config', 'b'], {})).toThrow(/--config is given twice/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseFlags } from './args.ts';

const OPTIONS = { source: { type: 'string' }, 'sink-config': { type: 'string' }, json: { type: 'boolean', short: 'j' } } as const;

describe('parseFlags', () => {
  it('reads the declared flags', () => {
    expect(parseFlags('verify', ['--source', 'mysql://x', '-j'], OPTIONS)).toMatchObject({ source: 'mysql://x', json: true });
  });

  it('refuses an unknown flag, naming it and the flag probably meant', () => {
    const refused = (argv: string[]) => () => parseFlags('verify', argv, OPTIONS);
    expect(refused(['--sorce', 'x'])).toThrow(
      /^sluice verify: unknown flag --sorce; did you mean --source\? \(see sluice verify --help\)$/,
    );
    expect(refused(['--sink_config=f'])).toThrow(/unknown flag --sink_config; did you mean --sink-config\?/);
    expect(refused(['--Json'])).toThrow(/unknown flag --Json; did you mean --json\?/);
    expect(refused(['--zzz'])).toThrow(/^sluice verify: unknown flag --zzz \(see/);
    expect(refused(['--zzz'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('keeps parseArgs messages for other mistakes', () => {
    expect(() => parseFlags('verify', ['--source'], OPTIONS)).toThrow(
      /sluice verify: Option '--source <value>' argument missing/,
    );
    expect(() => parseFlags('verify', ['extra'], OPTIONS)).toThrow(/Unexpected argument 'extra'/);
    expect(parseCommandLine('schema', ['db.t', '--json'], OPTIONS).positionals).toEqual(['db.t']);
  });
});

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean, SluiceError } from '@sluice/core';

/**
 * node:util parseArgs, with its errors turned into CONFIG_INVALID naming the command, so that a
 * mistyped flag exits 2 with the flag probably meant and a pointer to `--help`, like every other
 * bad setting.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  return parseCommandLine(command, argv, options, false).values;
}

/** parseFlags for commands that also take arguments (`sluice schema <db.table>`): flags and positionals. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (cause) {
    const problem = flagProblem(cause as Error, options);
    throw new SluiceError('CONFIG_INVALID', `sluice ${command}: ${problem} (see sluice ${command} --help)`, { cause });
  }
}

/** parseArgs' message; for an unknown flag, the flag it names and the one probably meant. */
function flagProblem(err: Error & { code?: string }, options: NonNullable<ParseArgsConfig['options']>): string {
  const flag = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(err.message)?.[1] : undefined;
  if (!flag) return err.message;
  const known = Object.entries({ ...options, help: { short: 'h' } }).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
  const meant = didYouMean(flag, known);
  return `unknown flag ${flag}${meant ? `; did you mean ${meant}?` : ''}`;
}

/** A whole number flag within bounds, or the default. */
export function intFlag(
  command: string,
  name: string,
  value: string | undefined,
  dflt: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice ${command}: --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Comma-separated lists given once or many times, flattened. */
export const listFlag = (v: string[] | string | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : [])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);

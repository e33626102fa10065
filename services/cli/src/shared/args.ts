import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SluiceError } from '@sluice/core';

/**
 * node:util parseArgs, with its errors turned into CONFIG_INVALID naming the command, so that a
 * mistyped flag exits 2 with a pointer to `--help` like every other bad setting.
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
    throw new SluiceError('CONFIG_INVALID', `sluice ${command}: ${(cause as Error).message} (see sluice ${command} --help)`, {
      cause,
    });
  }
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

import type { z } from 'zod';
import { SluiceError } from '../errors.ts';
import { redactUrlsIn } from '../log.ts';
import { type ConfigFile, readConfigFile } from './config-file.ts';
import { type ConfigPath, unknownKeys } from './unknown-keys.ts';

/** An environment variable that overrides one config field, e.g. SLUICE_SOURCE_URL -> source.url. */
export interface EnvOverride {
  env: string;
  path: string;
  /** 'list' splits a comma-separated value. */
  kind?: 'string' | 'number' | 'list';
}

/**
 * Reads a YAML or JSON file, applies environment overrides, validates with the service's schema
 * and returns the normalized config. Keys the schema does not declare are refused at any depth
 * (a misspelled key would otherwise be dropped and its default used). Errors name the file, each
 * field by its dotted path and where it came from (a line of the file, or the variable that set it).
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: EnvOverride[] },
): z.infer<S> {
  const env = opts.env ?? process.env;
  const source: ConfigFile | undefined = opts.file ? readConfigFile(opts.file) : undefined;
  const raw = source?.values ?? {};
  const origin = new Map<string, string>();
  for (const o of opts.overrides ?? []) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    setPath(raw, o.path, convert(value, o.kind ?? 'string'));
    origin.set(o.path, `environment variable ${o.env}`);
  }
  const unknown = unknownKeys(schema, raw);
  const result = schema.safeParse(raw);
  if (result.success && unknown.length === 0) return result.data;
  const issues = [
    ...unknown,
    // Strict objects report unknown keys themselves; the lines above already name them, better.
    ...(result.error?.issues ?? [])
      .filter((i) => i.code !== 'unrecognized_keys')
      .map((i) => ({ path: i.path as ConfigPath, message: describe(i) })),
  ];
  const lines = issues.map(({ path, message }) => {
    const dotted = path.join('.') || '(top level)';
    // Only the file's keys can appear here, never its values; a key can still be a mistyped URL.
    const shown = redactUrlsIn(dotted);
    const set = [...origin.keys()].find((o) => dotted === o || dotted.startsWith(`${o}.`));
    const line = source?.lineOf(path);
    const from = set ? ` (from ${origin.get(set)})` : line ? ` (line ${line})` : '';
    return `  ${shown}: ${message}${from}`;
  });
  const where = source ? `in ${source.file}` : '(no config file: defaults and environment variables)';
  throw new SluiceError('CONFIG_INVALID', `invalid configuration ${where}:\n${lines.join('\n')}`);
}

/** zod's message, except that a missing field says so. */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message))
    return `required, but missing (${issue.expected})`;
  return issue.message;
}

function convert(value: string, kind: 'string' | 'number' | 'list'): unknown {
  if (kind === 'list')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  // Not a number: kept as text, so that the error says what was given rather than NaN.
  if (kind === 'number') return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  return value;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
}

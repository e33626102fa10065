import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { SluiceError } from '../errors.ts';

/** An environment variable that overrides one config field, e.g. SLUICE_SOURCE_URL -> source.url. */
export interface EnvOverride {
  env: string;
  path: string;
  /** 'list' splits a comma-separated value. */
  kind?: 'string' | 'number' | 'list';
}

/**
 * Reads a YAML or JSON file (JSON is YAML), applies environment overrides, validates with the
 * service's schema and returns the normalized config. Errors name the field and where it came
 * from (the file, or the variable that set it).
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: EnvOverride[] },
): z.infer<S> {
  const env = opts.env ?? process.env;
  let raw: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (cause) {
      throw new SluiceError('CONFIG_FILE_UNREADABLE', `cannot read config file ${opts.file}`, { cause });
    }
    const parsed = parseYaml(text) as unknown;
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new SluiceError('CONFIG_INVALID', `config file ${opts.file}: the top level must be a mapping`);
    }
    raw = (parsed as Record<string, unknown>) ?? {};
  }
  const origin = new Map<string, string>();
  for (const o of opts.overrides ?? []) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    setPath(raw, o.path, convert(value, o.kind ?? 'string'));
    origin.set(o.path, `environment variable ${o.env}`);
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.join('.') || '(top level)';
    const set = [...origin.keys()].find((o) => path === o || path.startsWith(`${o}.`));
    const from = set ? origin.get(set) : opts.file ? `file ${opts.file}` : 'defaults and environment';
    return `  ${path}: ${issue.message} (from ${from})`;
  });
  throw new SluiceError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
}

function convert(value: string, kind: 'string' | 'number' | 'list'): unknown {
  if (kind === 'list')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  if (kind === 'number') return Number(value);
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

/** `--config <file>` or SLUICE_CONFIG. */
export function configFileFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const i = argv.indexOf('--config');
  if (i >= 0) return argv[i + 1];
  return env.SLUICE_CONFIG || undefined;
}

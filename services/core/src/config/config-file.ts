import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { SluiceError } from '../errors.ts';
import type { ConfigPath } from './unknown-keys.ts';

/** A parsed config file: its values, and where in the file each key was written. */
export interface ConfigFile {
  file: string;
  values: Record<string, unknown>;
  /**
   * 1-based line of the key (or array item) at `path`; for a key the file lacks, the line of its
   * nearest parent that the file has (a missing field is reported where its mapping is).
   */
  lineOf(path: ConfigPath): number | undefined;
}

const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/** Why a file could not be read, in words, with the system's code: `no such file (ENOENT)`. */
export function unreadableReason(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  const why = WHY[code] ?? (cause as Error).message;
  return `${why}${code ? ` (${code})` : ''}`;
}

/**
 * Reads a YAML (or JSON: JSON is YAML) config file. A file that cannot be read is
 * CONFIG_FILE_UNREADABLE with the reason; a syntax error, a duplicate key, an unknown tag or more
 * than one document is CONFIG_INVALID with the line and column of each problem.
 */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SluiceError('CONFIG_FILE_UNREADABLE', `cannot read config file ${file}: ${unreadableReason(cause)}`, { cause });
  }
  const lines = new LineCounter();
  // merge: `<<: *anchor` merges a mapping, as most YAML users expect (YAML 1.2 alone would make
  // it a key named "<<", which strict checking would refuse).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    // Positions only, never the text around them: any line may hold a password or the mask salt.
    const described = problems.map((p) => {
      const { line, col } = lines.linePos(p.pos[0]);
      return `  line ${line}, column ${col}: ${p.message}`;
    });
    throw new SluiceError('CONFIG_INVALID', `config file ${file} is not valid YAML:\n${described.join('\n')}`);
  }
  const values = doc.toJS() as unknown;
  if (values != null && (typeof values !== 'object' || Array.isArray(values))) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `config file ${file}: the top level must be a mapping of keys (such as source:, kafka:)`,
    );
  }
  return {
    file,
    values: (values as Record<string, unknown>) ?? {},
    lineOf: (path) => {
      const offset = offsetOf(doc.contents, path);
      return offset === undefined ? undefined : lines.linePos(offset).line;
    },
  };
}

/** Offset of the key (or item) at `path` in the document, or of its nearest parent there. */
function offsetOf(root: unknown, path: ConfigPath): number | undefined {
  let node = root;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0];
      node = item;
    } else return offset;
  }
  return offset;
}

import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';

/**
 * The modules the page runs, by path under services/cli/src: the same TypeScript the CLI and the
 * unit tests use, served with their types stripped (Node's own stripper, as Node runs this code),
 * so the browser renders with exactly the code that is tested. Only these are served; they import
 * nothing at run time but each other (checked by modules.test.ts).
 */
export const BROWSER_MODULES = [
  'ui/client.ts',
  'ui/view.ts',
  'ui/view-pipeline.ts',
  'ui/view-details.ts',
  'ui/plot.ts',
  'ui/format.ts',
  'ui/escape.ts',
  'ui/history.ts',
  'output/table.ts',
  'status/offsets.ts',
] as const;

const root = new URL('../', import.meta.url);
const cache = new Map<string, string>();

/** JavaScript of one served module, or undefined when `path` is not one of them. */
export function browserModule(path: string): string | undefined {
  if (!(BROWSER_MODULES as readonly string[]).includes(path)) return undefined;
  let js = cache.get(path);
  if (js === undefined) {
    js = stripTypes(readFileSync(new URL(path, root), 'utf8'));
    cache.set(path, js);
  }
  return js;
}

/** Type annotations blanked out (positions kept); Node's once-per-process experimental notice left out. */
function stripTypes(source: string): string {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes('stripTypeScriptTypes')) (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emit;
  }
}

/** The module specifiers a script imports at run time (after stripping: type-only imports are gone). */
export const runtimeImports = (js: string): string[] =>
  [...js.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)].map(
    (m) => (m[1] ?? m[2]) as string,
  );

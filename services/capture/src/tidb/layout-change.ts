import type { LayoutChange } from './table-cycle.ts';

/** How the table's columns at the previous read point differ from now, if they do. */
export function layoutChange(was: string[] | undefined, now: string[]): LayoutChange | undefined {
  if (!was || (was.length === now.length && was.every((c, i) => c === now[i]))) return undefined;
  const lower = new Set(was.map((c) => c.toLowerCase()));
  const nowLower = new Set(now.map((c) => c.toLowerCase()));
  return {
    was,
    common: was.filter((c) => nowLower.has(c.toLowerCase())),
    added: now.some((c) => !lower.has(c.toLowerCase())),
  };
}

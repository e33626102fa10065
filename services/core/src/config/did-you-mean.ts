/**
 * The candidate a misspelled name most likely meant, or undefined when none is close: the same
 * name in another case or separator style (`TopicPrefix`, `topic_prefix`), else the nearest by
 * edit distance (a swap of two neighbours counts as one edit, so `tabels` is one from `tables`),
 * within a third of the name's length (one edit for short names).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates].filter((c) => c !== word);
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const same = list.find((c) => norm(c) === norm(word));
  if (same !== undefined) return same;
  // Never a name that shares nothing with the word (`b` for `a`).
  const limit = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1);
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of list) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return rows[a.length]?.[b.length] as number;
}

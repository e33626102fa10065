import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// Not among zongji's exports: loaded by its path (patches/@vlasky+zongji+0.9.0+002+fast-zero-pad.patch).
const common = join(dirname(createRequire(import.meta.url).resolve('@vlasky/zongji')), 'lib', 'common.js');
const { zeroPad } = (await import(pathToFileURL(common).href)) as { zeroPad: (num: unknown, size: number) => string };

/** zongji's own zeroPad, as it was before the patch: the last `size` characters of 32 zeros and num. */
const original = (num: unknown, size: number): string => {
  const s = `00000000000000000000000000000000${num}`;
  return s.substring(s.length - size);
};

describe('zongji zeroPad (patched at install)', () => {
  it('is patched: two-digit fields come from a table', () => {
    expect(readFileSync(common, 'utf8')).toContain('sluice: the same result');
    expect(String(zeroPad)).toContain('TWO_DIGITS');
  });

  it('gives what the original gave, for numbers, digit strings and odd input alike', () => {
    for (let i = -120; i < 20_000; i += i < 200 ? 1 : 37) {
      for (const size of [0, 1, 2, 3, 4, 6, 9]) {
        for (const v of [i, String(i), i + 0.5]) expect(zeroPad(v, size), `${v} at ${size}`).toBe(original(v, size));
      }
    }
    for (const v of [999_999_999, '000000123', 2 ** 40, -0]) expect(zeroPad(v, 9)).toBe(original(v, 9));
  });
});

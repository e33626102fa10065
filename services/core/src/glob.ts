/** A `*` / `?` name pattern as an anchored RegExp; `*` and `?` capture what they match. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '(.*)')
      .replace(/\?/g, '(.)')}$`,
  );
}

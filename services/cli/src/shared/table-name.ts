/**
 * `<db>.<table>` as an operator types it: plain (`shop.orders`), or with backticks around either
 * part for names holding dots, spaces or backticks (`` `a.b`.`t``x` ``, a doubled backtick is
 * one). Undefined when it is not one qualified table name.
 */
export function parseTableName(text: string): { db: string; table: string } | undefined {
  const part = '(`(?:[^`]|``)+`|[^.`\\s]+)';
  const m = new RegExp(`^${part}\\.${part}$`, 'u').exec(text);
  if (!m) return undefined;
  const unquote = (s: string) => (s.startsWith('`') ? s.slice(1, -1).replaceAll('``', '`') : s);
  return { db: unquote(m[1] as string), table: unquote(m[2] as string) };
}

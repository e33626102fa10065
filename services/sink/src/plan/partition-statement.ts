/**
 * Partition statements that change rows without row events in the binlog (the marker carries
 * the statement, docs/ddl.md, partitions): TRUNCATE and DROP PARTITION (the sink applies them
 * to a target table partitioned the same way), EXCHANGE PARTITION and CONVERT PARTITION (moved
 * to or from another table: not applied). Other partition statements keep every row and are
 * definition changes only. Read from the text; not a SQL parser.
 */
export type PartitionStatement =
  | { op: 'truncate' | 'drop'; partitions: string[] | 'all' }
  | { op: 'exchange' | 'convert'; partitions: string[] };

const NAME = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)';
const QNAME = `${NAME}(?:\\s*\\.\\s*${NAME})?`;
const HEAD = new RegExp(
  `^ALTER (?:ONLINE |IGNORE )*TABLE (?:IF EXISTS )?${QNAME} (TRUNCATE|DROP|EXCHANGE|CONVERT) PARTITION (?:IF EXISTS )?(.*)$`,
  'i',
);
const LIST = new RegExp(`^${NAME}(?: ?, ?${NAME})*$`);

const unquote = (n: string): string => (n.startsWith('`') ? n.slice(1, -1).replaceAll('``', '`') : n);
const names = (list: string): string[] => [...list.matchAll(new RegExp(NAME, 'g'))].map((m) => unquote(m[0]));

export function partitionStatement(statement: string | null | undefined): PartitionStatement | undefined {
  if (!statement) return undefined;
  const sql = statement
    .replace(/\/\*.*?\*\//gs, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/;$/, '');
  const m = HEAD.exec(sql);
  if (!m) return undefined;
  const op = (m[1] as string).toLowerCase() as PartitionStatement['op'];
  const rest = (m[2] as string).trim();
  if (op === 'exchange' || op === 'convert') {
    const p = new RegExp(`^(${NAME})`).exec(rest);
    return { op, partitions: p ? [unquote(p[1] as string)] : [] };
  }
  if (op === 'truncate' && /^ALL$/i.test(rest)) return { op, partitions: 'all' };
  // Anything else after the names (more clauses) is not a statement sinks apply by name.
  if (!LIST.test(rest)) return undefined;
  return { op, partitions: names(rest) };
}

import { compactSql, isOneSqlPiece } from '@sluice/core';

/**
 * Partition statements (the marker carries the statement, docs/ddl.md, partitions), applied by
 * statement in source order: TRUNCATE and DROP PARTITION change rows without row events (the
 * sink applies them to a target table partitioned the same way); EXCHANGE PARTITION and CONVERT
 * PARTITION move rows to or from another table (not applied); ADD, REORGANIZE and COALESCE
 * PARTITION, PARTITION BY and REMOVE PARTITIONING (`define`) keep every row and change how the
 * table is partitioned: a target's partitions change only by these, never from a definition read
 * later (structure-sync.ts). Maintenance statements (ANALYZE, CHECK, OPTIMIZE, REBUILD, REPAIR
 * PARTITION) change nothing a target holds. Read from the text; not a SQL parser.
 */
export type PartitionStatement =
  | { op: 'truncate' | 'drop'; partitions: string[] | 'all' }
  | { op: 'exchange' | 'convert'; partitions: string[] }
  | { op: 'define'; clause: string };

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
  const sql = compactSql(statement).replace(/;$/, '');
  const m = HEAD.exec(sql);
  if (!m) return defineStatement(sql);
  const op = (m[1] as string).toLowerCase() as 'truncate' | 'drop' | 'exchange' | 'convert';
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

const DEFINE = new RegExp(
  `^ALTER (?:ONLINE |IGNORE )*TABLE (?:IF EXISTS )?${QNAME} ((?:ADD|REORGANIZE|COALESCE) PARTITION\\b.*|PARTITION BY\\b.*|REMOVE PARTITIONING)$`,
  'i',
);

/** A statement that only changes how the table is partitioned: its clause, when it is one clause. */
function defineStatement(sql: string): PartitionStatement | undefined {
  const m = DEFINE.exec(sql);
  const clause = m?.[1];
  return clause && isOneSqlPiece(clause) ? { op: 'define', clause } : undefined;
}

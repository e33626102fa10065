import { compactSql, partitioningAfter, partitionNames } from '@sluice/core';
import { type PartitionMoveStatement, partitionMoveOf } from '../event/partition-move.ts';

const NAME = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)';
const QNAME = `${NAME}(?:\\s*\\.\\s*${NAME})?`;
const REMOVE = new RegExp(
  `^ALTER (?:ONLINE |IGNORE )*TABLE (?:IF EXISTS )?${QNAME} (TRUNCATE|DROP) PARTITION (?:IF EXISTS )?(${NAME}(?: ?, ?${NAME})*|ALL)$`,
  'i',
);
const unquote = (n: string): string => (n.startsWith('`') ? n.slice(1, -1).replaceAll('``', '`') : n);
const partitionList = (list: string): string[] => [...list.matchAll(new RegExp(NAME, 'g'))].map((x) => unquote(x[0]));

/**
 * A table's partitioning as of the binlog position, followed statement by statement: the capture
 * reads a definition from the catalog when it reads a DDL, which in a backlog may already be
 * after a later DROP PARTITION; the rows a partition statement removes must be told by the
 * partitions as they were right before it (partition-markers.ts). TRUNCATE and EXCHANGE
 * PARTITION keep the partitions, DROP and CONVERT PARTITION remove some, CONVERT TABLE adds one;
 * after any other DDL on the table (or a restart) the catalog's definition stands again.
 */
export class PartitionTracker {
  private readonly clauses = new Map<string, string>();

  /** The partitioning before a statement: as followed, else `read()` (the definition last published). */
  async before(key: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
    return this.clauses.get(key) ?? (await read());
  }

  /** Follows a partition statement on the table whose partitioning was `before`. */
  after(key: string, before: string | undefined, statement: string, database: string): void {
    const next = before ? this.next(before, statement, database) : undefined;
    if (next) this.clauses.set(key, next);
    else this.clauses.delete(key);
  }

  /**
   * Whether a partitioning can be the table's right before `statement`: it has the partitions the
   * statement truncates, drops, exchanges or converts to a table, and not the one CONVERT TABLE
   * adds. A clause whose partitions cannot be told (KEY) fits any statement.
   */
  static fits(statement: string, database: string): (clause: string) => boolean {
    const { move, remove } = readStatement(statement, database);
    const named = move ? [move.partition] : remove && remove.names !== 'all' ? remove.names : [];
    return (clause) => {
      const have = partitionNames(clause)?.map((n) => n.toLowerCase());
      if (!have) return true;
      if (move?.op === 'in') return !have.includes(move.partition.toLowerCase());
      return named.every((n) => have.includes(n.toLowerCase()));
    };
  }

  forget(key: string): void {
    this.clauses.delete(key);
  }

  private next(before: string, statement: string, database: string): string | undefined {
    const { move, remove } = readStatement(statement, database);
    if (move?.op === 'exchange') return before;
    if (move?.op === 'out') return partitioningAfter(before, { drop: [move.partition] });
    if (move?.op === 'in') return move.definition ? partitioningAfter(before, { add: move.definition }) : undefined;
    if (!remove) return undefined;
    if (remove.truncate) return before;
    return remove.names === 'all' ? undefined : partitioningAfter(before, { drop: remove.names });
  }
}

/** A partition statement as these read it: a move (EXCHANGE, CONVERT), or TRUNCATE / DROP of partitions. */
function readStatement(
  statement: string,
  database: string,
): { move?: PartitionMoveStatement; remove?: { truncate: boolean; names: string[] | 'all' } } {
  const sql = compactSql(statement).replace(/;$/, '');
  const move = partitionMoveOf(sql, database);
  if (move) return { move };
  const m = REMOVE.exec(sql);
  if (!m) return {};
  const list = m[2] as string;
  return { remove: { truncate: /^TRUNCATE$/i.test(m[1] as string), names: /^ALL$/i.test(list) ? 'all' : partitionList(list) } };
}

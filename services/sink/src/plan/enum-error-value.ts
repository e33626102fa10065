import type { SqlParam } from '@sluice/core';
import type { TargetTable } from '../decode/target-table.ts';

/**
 * MySQL stores an invalid ENUM value written by a non-strict session as the error value: index 0,
 * read back as ''. Capture carries it as '' (design contract 3); a strict target session refuses
 * to store '' in an ENUM that has no '' member, so statements that carry it run non-strict
 * (target-writer.ts), which stores index 0 again.
 */

const MEMBER = /'((?:[^'\\]|''|\\.)*)'/g;

/** Whether an ENUM type has '' among its members: enum('a','','b'). */
export function enumHasEmptyMember(sqlType: string): boolean {
  const body = sqlType.slice(sqlType.indexOf('(') + 1, sqlType.lastIndexOf(')'));
  for (const m of body.matchAll(MEMBER)) if (m[1] === '') return true;
  return false;
}

const cache = new WeakMap<TargetTable, number[]>();

/** Positions of the ENUM columns in which '' can only be the error value. */
export function enumErrorColumns(t: TargetTable): number[] {
  let hit = cache.get(t);
  if (!hit) {
    hit = t.columns.flatMap((c, i) => (/^enum\(/i.test(c.sqlType) && !enumHasEmptyMember(c.sqlType) ? [i] : []));
    cache.set(t, hit);
  }
  return hit;
}

export const carriesEnumError = (row: SqlParam[], columns: number[]): boolean => columns.some((i) => row[i] === '');

/** Runs a statement without strict mode, keeping the session's other modes (restored by RESTORE_SQL_MODE). */
export const LENIENT_SQL_MODE =
  "SET @sluice_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',STRICT_TRANS_TABLES,', ','), ',STRICT_ALL_TABLES,', ','))";
export const RESTORE_SQL_MODE = 'SET SESSION sql_mode = @sluice_sql_mode';

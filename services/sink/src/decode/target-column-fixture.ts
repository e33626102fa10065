import { codecFor } from '@sluice/core';
import type { TargetColumn } from './target-table.ts';

/** For tests: a target column of a SQL type (its Avro field named as it is), with that type's codec. */
export const targetColumn = (name: string, sqlType = 'int', nullable = false): TargetColumn => ({
  name,
  field: name,
  sqlType,
  nullable,
  charset: null,
  collation: null,
  codec: codecFor(sqlType),
});

import { codecFor } from '@sluice/core';
import type { TargetColumn } from './target-table.ts';

/** For unit tests: a nullable target column with a NULL default, its codec from its SQL type. */
export const testColumn = (name: string, sqlType = 'int(11)', more: Partial<TargetColumn> = {}): TargetColumn => ({
  name,
  field: name,
  sqlType,
  nullable: true,
  charset: null,
  collation: null,
  codec: codecFor(sqlType),
  default: { kind: 'null' },
  ...more,
});

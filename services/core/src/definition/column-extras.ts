import { canonicalExpression } from '../avro/column-default.ts';
import type { ColumnDef } from '../avro/table-schema.ts';

/**
 * A column's extras from information_schema.COLUMNS: EXTRA (`auto_increment`,
 * `on update current_timestamp(3)` on MariaDB, `DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)`
 * on MySQL and TiDB, `VIRTUAL GENERATED` / `STORED GENERATED`), COLUMN_COMMENT and
 * GENERATION_EXPRESSION. Only what is set is returned, so equal columns give equal objects.
 */
export function columnExtras(c: {
  extra: string;
  comment?: string | null;
  generation?: string | null;
}): Pick<ColumnDef, 'comment' | 'autoIncrement' | 'onUpdate' | 'generated'> {
  const extra = c.extra.toLowerCase();
  const onUpdate = /on update (\S+)/.exec(extra)?.[1];
  const generated = /\b(virtual|stored|persistent) generated\b/.exec(extra)?.[1];
  return {
    ...(c.comment ? { comment: c.comment } : {}),
    ...(/\bauto_increment\b/.test(extra) ? { autoIncrement: true as const } : {}),
    ...(onUpdate ? { onUpdate: canonicalExpression(onUpdate) } : {}),
    ...(generated && c.generation ? { generated: { expression: c.generation, stored: generated !== 'virtual' } } : {}),
  };
}

import { createHmac } from 'node:crypto';
import { type ColumnDef, globToRegExp, indexesOver, SluiceError, type TableSchema, type TableStructure } from '@sluice/core';

/** Column filters from the config: `db.table.column` patterns with * and ?. */
export interface ColumnRules {
  exclude: string[];
  mask: string[];
  /** Secret for masking; never logged. */
  maskSalt?: string;
}

/**
 * Applies column rules to a table before anything is encoded: excluded columns disappear from
 * the schema and the records; masked columns become CHAR(64) holding HMAC-SHA256(salt, value)
 * in hex, so equal values stay joinable without being readable.
 */
export function projectTable(
  schema: TableSchema,
  rules: ColumnRules,
): { schema: TableSchema; masks: Map<string, (v: unknown) => string> } {
  const name = (c: string) => `${schema.database}.${schema.table}.${c}`;
  const excluded = rules.exclude.map(globToRegExp);
  const masked = rules.mask.map(globToRegExp);
  const masks = new Map<string, (v: unknown) => string>();
  const columns = [];
  for (const c of schema.columns) {
    if (excluded.some((r) => r.test(name(c.name)))) {
      if (schema.primaryKey.includes(c.name)) {
        throw new SluiceError('SOURCE_TABLE_UNSUPPORTED', `column ${name(c.name)} is part of the key and cannot be excluded`);
      }
      continue;
    }
    if (masked.some((r) => r.test(name(c.name)))) {
      if (!rules.maskSalt) throw new SluiceError('CONFIG_INVALID', 'columns.maskSalt is required when columns.mask is set');
      const salt = rules.maskSalt;
      const mask = (v: unknown) =>
        createHmac('sha256', salt)
          .update(Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'))
          .digest('hex');
      masks.set(c.name, mask);
      // The default is masked too: the clear value must not reach the schema, and a target's
      // rows filled by ADD COLUMN must hold what the records of those rows would.
      const d = c.default;
      const def: ColumnDef['default'] =
        d?.kind === 'text'
          ? { kind: 'text', value: mask(d.value) }
          : d?.kind === 'bytes'
            ? { kind: 'text', value: mask(Buffer.from(d.hex, 'hex')) }
            : d?.kind === 'null'
              ? d
              : undefined;
      const { default: _clear, ...rest } = c;
      columns.push({ ...rest, sqlType: 'char(64)', charset: 'ascii', collation: 'ascii_bin', ...(def ? { default: def } : {}) });
      continue;
    }
    columns.push(c);
  }
  const structure = schema.structure ? publishedStructure(schema.structure, columns, masks) : undefined;
  return { schema: { ...schema, columns, ...(structure ? { structure } : {}) }, masks };
}

/**
 * The structure as published: indexes over excluded columns go; a masked column (CHAR(64)) is
 * indexed whole, since a prefix of its clear text means nothing for the HMAC.
 */
function publishedStructure(s: TableStructure, columns: ColumnDef[], masks: Map<string, unknown>): TableStructure {
  const over = indexesOver(
    s,
    columns.map((c) => c.name),
  );
  const indexes = over.indexes.map((i) => ({
    ...i,
    parts: i.parts.map(({ length, ...p }) => (masks.has(p.column) || !length ? p : { ...p, length })),
  }));
  return { ...over, indexes };
}

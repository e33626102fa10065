import { buildTableAvro, createLogger, type TableSchema } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { targetTableFromSchema } from '../decode/target-table.ts';
import { StructureSync } from './structure-sync.ts';

/** A target that has table d.t with columns id, a and only its primary key; ALTERs are recorded, or refused by `refuse`. */
function fakeTarget(refuse: RegExp = /$^/, partitioning?: string) {
  const ran: string[] = [];
  const pool = {
    query: async (sql: string) => {
      if (/information_schema\.COLUMNS/.test(sql)) {
        return [
          [
            { COLUMN_NAME: 'id', COLUMN_TYPE: 'int(11)', IS_NULLABLE: 'NO', COLUMN_DEFAULT: null, EXTRA: '' },
            { COLUMN_NAME: 'a', COLUMN_TYPE: 'int(11)', IS_NULLABLE: 'YES', COLUMN_DEFAULT: 'NULL', EXTRA: '' },
          ],
        ];
      }
      if (/information_schema\.STATISTICS/.test(sql)) {
        return [[{ INDEX_NAME: 'PRIMARY', NON_UNIQUE: 0, COLUMN_NAME: 'id', INDEX_TYPE: 'BTREE', INDEX_COMMENT: '' }]];
      }
      if (/information_schema\.TABLES/.test(sql)) {
        return [[{ TABLE_COMMENT: '', CREATE_OPTIONS: partitioning ? 'partitioned' : '' }]];
      }
      if (/^SHOW CREATE TABLE/.test(sql)) {
        return [[{ 'Create Table': `CREATE TABLE \`t\` (\n  \`id\` int(11) NOT NULL\n) ENGINE=InnoDB\n ${partitioning}` }]];
      }
      if (refuse.test(sql)) throw Object.assign(new Error('refused'), { errno: 1064, sqlMessage: 'refused' });
      ran.push(sql);
      return [[]];
    },
  } as unknown as mysql.Pool;
  return { pool, ran };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('test', 'info', { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const schema: TableSchema = {
  database: 'd',
  table: 't',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false },
    { name: 'a', sqlType: 'int(11)', nullable: true, default: { kind: 'null' } },
  ],
  primaryKey: ['id'],
  structure: {
    indexes: [
      { name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] },
      { name: 'ka', kind: 'index', parts: [{ column: 'a' }] },
      { name: 'fa', kind: 'fulltext', parts: [{ column: 'a' }] },
    ],
    options: {},
  },
};
const table = targetTableFromSchema(buildTableAvro('p', schema).valueSchema);
const mariadb = { charsets: new Set<string>(), collations: new Set<string>(), flavor: 'mariadb' as const };
const tidb = { ...mariadb, spatial: false, tidb: true };

describe('StructureSync', () => {
  it('adds what the target lacks under ddl apply, in one ALTER', async () => {
    const { pool, ran } = fakeTarget();
    await new StructureSync(pool, logLines().log, 'apply').reconcile(table, mariadb);
    expect(ran).toEqual(['ALTER TABLE `d`.`t` ADD KEY `ka` (`a`), ADD FULLTEXT KEY `fa` (`a`)']);
  });

  it('leaves out what TiDB cannot hold, warning once per table', async () => {
    const { pool, ran } = fakeTarget();
    const { log, lines } = logLines();
    const sync = new StructureSync(pool, log, 'apply');
    await sync.reconcile(table, tidb);
    await sync.reconcile(table, tidb);
    expect(ran).toEqual(['ALTER TABLE `d`.`t` ADD KEY `ka` (`a`)', 'ALTER TABLE `d`.`t` ADD KEY `ka` (`a`)']);
    expect(lines.filter((l) => l.leftOut)).toHaveLength(1);
    expect(lines.find((l) => l.leftOut)?.leftOut).toEqual(['FULLTEXT index fa']);
  });

  it('leaves out a clause the target refuses and goes on', async () => {
    const { pool, ran } = fakeTarget(/FULLTEXT/);
    const { log, lines } = logLines();
    await new StructureSync(pool, log, 'apply').reconcile(table, mariadb);
    expect(ran).toEqual(['ALTER TABLE `d`.`t` ADD KEY `ka` (`a`)']);
    expect(String(((lines.find((l) => l.leftOut)?.leftOut ?? []) as string[])[0])).toMatch(
      /^ALTER TABLE `d`.`t` ADD FULLTEXT KEY `fa`/,
    );
  });

  it('refuses a difference under ddl stop, naming it, and changes nothing under ddl ignore', async () => {
    const { pool, ran } = fakeTarget();
    await expect(new StructureSync(pool, logLines().log, 'stop').reconcile(table, mariadb)).rejects.toThrow(
      /target table d\.t differs from the source definition: missing indexes ka, fa \(ddl: stop\)/,
    );
    await new StructureSync(pool, logLines().log, 'ignore').reconcile(table, mariadb);
    expect(ran).toEqual([]);
  });

  it('takes the source partitioning on a target without any, and never re-partitions a partitioned one', async () => {
    const ranged = (parts: string) => `PARTITION BY RANGE (\`id\`) (${parts})`;
    const partitioned = targetTableFromSchema(
      buildTableAvro('p', {
        ...schema,
        structure: {
          indexes: [{ name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] }],
          options: {},
          partitioning: ranged('PARTITION p2 VALUES LESS THAN MAXVALUE'),
        },
      }).valueSchema,
    );
    const { log } = logLines();
    const plain = fakeTarget();
    await new StructureSync(plain.pool, log, 'apply').reconcile(partitioned, mariadb);
    expect(plain.ran.join('\n')).toMatch(/PARTITION BY RANGE/);
    // Later partitions read while a DROP PARTITION p1 is still to come: the marker's statement drops them.
    const ahead = fakeTarget(
      /$^/,
      ranged('PARTITION p1 VALUES LESS THAN (20) ENGINE = InnoDB, PARTITION p2 VALUES LESS THAN MAXVALUE ENGINE = InnoDB'),
    );
    await new StructureSync(ahead.pool, log, 'apply').reconcile(partitioned, mariadb);
    expect(ahead.ran.filter((sql) => /PARTITION/.test(sql))).toEqual([]);
  });
});

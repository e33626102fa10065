import { connect, stack, waitFor } from '../../../test/support/stack.ts';
import { createTypeTableSql, insertTypeRowSql, TYPE_ROWS, typeRowParams } from '../../../test/support/type-fixture.ts';

const s = stack();
const db = process.argv[2]!;
const src = await connect(s.sourceUrl);
await src.query("SET time_zone = '+00:00'");
await src.query(`CREATE DATABASE \`${db}\``);
await src.query(createTypeTableSql(db));
for (const row of TYPE_ROWS) await src.query(insertTypeRowSql(db), typeRowParams(row));
for (const t of s.targets) {
  const c = await connect(t.url);
  await waitFor(t.name, async () => {
    const [r] = (await c.query(`SELECT COUNT(*) n FROM \`${db}\`.alltypes`).catch(() => [[{ n: 0 }]])) as any;
    return r[0].n === TYPE_ROWS.length ? true : undefined;
  });
  await c.end();
}
await src.end();
console.log('ok');

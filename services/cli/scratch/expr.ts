import { connect, stack } from '../../../test/support/stack.ts';
const s = stack();
const db = process.argv[2]!; const expr = process.argv[3]!;
const servers = [['src', s.sourceUrl], ...s.targets.map((t) => [t.name, t.url]), ['mysql8', s.mysql8Url]];
for (const [name, url] of servers) {
  const c = await connect(url!);
  await c.query("SET time_zone = '+00:00'");
  try {
    const [rows] = await c.query({ sql: `SELECT id, ${expr} FROM \`${db}\`.alltypes ORDER BY id`, rowsAsArray: true });
    console.log(name.padEnd(8), JSON.stringify(rows));
  } catch (e) { console.log(name, String(e)); }
  await c.end();
}

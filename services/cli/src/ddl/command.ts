import { SluiceError } from '@sluice/core';
import { checkReplacement } from '@sluice/sink/src/apply/ddl-replacement.ts';
import { parseCommandLine } from '../shared/args.ts';
import { Settings } from '../shared/settings.ts';
import { parseTableName } from '../shared/table-name.ts';
import { decide, listDecisions } from './decisions.ts';
import { renderDecisions } from './render.ts';

export const DDL_HELP = `sluice ddl: a sink's DDL the target refused, and the operator's decision on it (DM's handle-error)

usage: sluice ddl list    --sink <name> [--table <db.table>] [--json] [options]
       sluice ddl skip    --sink <name> --table <db.table> [--id <ddl id>] [options]
       sluice ddl replace --sink <name> --table <db.table> [--id <ddl id>] --sql "<statement>" [--sql ...] [options]

When the target refuses a DDL statement a sink runs to make a table follow the source, the sink
stops with DDL_REJECTED and records the change as pending in the target, next to its checkpoint
(<checkpointSchema>.ddl_decisions). A change is named by its DDL id: the target table plus the
source layout the sink failed to reach (the same id after restarts and replays).

  list     the sink's pending changes (statements and the target's error), shards held on a merged
           table (waiting for the other shards) and recorded decisions
  skip     leave the target table as it is; the sink writes the columns it has (as ddl: ignore does);
           for a DDL marker (a partition statement, a rename): do not apply it, go on after it
  replace  run these statements (each --sql one statement: ALTER, CREATE, DROP, RENAME, TRUNCATE,
           DELETE, INSERT or UPDATE, run as written) instead, once; the sink then writes the
           columns the table has

A decision takes effect when the sink starts again: restart it. Without --id, skip and replace
take the table's one pending change. A later layout of the table is compared with the target
afresh (a decision covers one change).

options:
  --sink <name>               the sink (default: --sink-config's sinkName)
  --table <db.table>          the target table (backticks around names with dots or spaces)
  --id <ddl id>               the change, as the stop message and list print it
  --sql <statement>           replace: a statement to run (repeat for several, run in order)
  --sink-config <file>        the sink's config: its name, target and checkpoint schema
  --target <url>              the target (SLUICE_TARGET_URL; the local stack's by sink name)
  --checkpoint-schema <name>  where the sink keeps its checkpoint (default: config, _sluice)
  --json                      list: one JSON document on stdout
  -h, --help                  this text
Exit codes: 0 done (list: nothing pending or held), 1 list: changes pending or held, 2 the command could not run.`;

const OPTIONS = {
  sink: { type: 'string' },
  table: { type: 'string' },
  id: { type: 'string' },
  sql: { type: 'string', multiple: true },
  'sink-config': { type: 'string' },
  target: { type: 'string' },
  'checkpoint-schema': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const ACTIONS = ['list', 'skip', 'replace'] as const;

export async function ddlCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandLine('ddl', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${DDL_HELP}\n`);
    return 0;
  }
  const action = positionals[0] as (typeof ACTIONS)[number] | undefined;
  if (!action || positionals.length !== 1 || !ACTIONS.includes(action)) {
    throw new SluiceError('CONFIG_INVALID', `sluice ddl: name one of ${ACTIONS.join(', ')} (see sluice ddl --help)`);
  }
  const settings = new Settings({ sinkConfig: f['sink-config'] });
  const sink = f.sink ?? settings.sink?.sinkName;
  if (!sink) throw new SluiceError('CONFIG_INVALID', 'sluice ddl: name the sink: --sink <name> or --sink-config <file>');
  const where = {
    sink,
    url: settings.targetUrl(f.target, sink),
    schema: f['checkpoint-schema'] ?? settings.sink?.checkpointSchema ?? '_sluice',
  };
  const table = f.table === undefined ? undefined : parseTableName(f.table);
  if (f.table !== undefined && !table) {
    throw new SluiceError('CONFIG_INVALID', `sluice ddl: --table must be <db>.<table>, got ${JSON.stringify(f.table)}`);
  }
  if (action === 'list') {
    const rows = await listDecisions(where, table);
    process.stdout.write(`${f.json ? JSON.stringify(rows, null, 2) : renderDecisions(sink, rows)}\n`);
    return rows.some((r) => r.action === 'pending' || r.action === 'held') ? 1 : 0;
  }
  if (!table) throw new SluiceError('CONFIG_INVALID', `sluice ddl ${action}: name the target table: --table <db>.<table>`);
  const sql = f.sql ?? [];
  if (action === 'skip' && sql.length)
    throw new SluiceError('CONFIG_INVALID', 'sluice ddl skip takes no --sql (did you mean replace?)');
  if (action === 'replace' && !sql.length) {
    throw new SluiceError('CONFIG_INVALID', 'sluice ddl replace: give the statements to run instead with --sql (one each)');
  }
  const statements = sql.map(checkReplacement);
  const d = await decide(where, { database: table.db, table: table.table }, f.id, action, statements);
  process.stdout.write(
    `sink ${sink}: DDL ${d.ddlId} of ${d.targetDb}.${d.targetTable} will be ${action === 'skip' ? 'skipped' : `replaced by ${statements.length} statement(s)`}; restart the sink to go on\n`,
  );
  return 0;
}

import { hostname, userInfo } from 'node:os';
import { SluiceError } from '@sluice/core';
import {
  type DdlDecision,
  decisionFromRow,
  decisionsTableSql,
  isMissingTable,
  recordDecision,
  selectDecision,
  selectDecisions,
} from '@sluice/sink/src/apply/ddl-decisions.ts';
import { Session } from '../shared/session.ts';

export interface DecisionsAt {
  sink: string;
  url: string;
  schema: string;
}

/** The sink's pending changes and decisions (none when the table does not exist yet). */
export async function listDecisions(at: DecisionsAt, table?: { db: string; table: string }): Promise<DdlDecision[]> {
  const s = await Session.open(at.url, 'target');
  try {
    return await readDecisions(s, at, table ? { database: table.db, table: table.table } : undefined);
  } finally {
    await s.close();
  }
}

export async function readDecisions(
  s: Session,
  at: { sink: string; schema: string },
  table?: { database: string; table: string },
): Promise<DdlDecision[]> {
  const st = selectDecisions(at.schema, at.sink, table);
  try {
    return (await s.objects(st.sql, st.params)).map(decisionFromRow);
  } catch (err) {
    if (isMissingTable((err as SluiceError).cause ?? err)) return [];
    throw err;
  }
}

/** Records skip or replace for a change: the one given by id, or the table's one pending change. */
export async function decide(
  at: DecisionsAt,
  target: { database: string; table: string },
  id: string | undefined,
  action: 'skip' | 'replace',
  statements: string[],
): Promise<DdlDecision> {
  const name = `${target.database}.${target.table}`;
  if (id !== undefined && !/^[0-9a-f]{16}$/.test(id)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `--id must be a DDL id of 16 hex digits (sluice ddl list prints them), got ${JSON.stringify(id)}`,
    );
  }
  const s = await Session.open(at.url, 'target');
  try {
    for (const sql of decisionsTableSql(at.schema)) await s.objects(sql);
    let ddlId = id;
    if (!ddlId) {
      const pending = (await readDecisions(s, at, target)).filter((d) => d.action === 'pending' || d.action === 'held');
      if (!pending.length) {
        throw new SluiceError(
          'NOT_FOUND',
          `sink ${at.sink} has no pending DDL for ${name} in ${at.schema}.ddl_decisions: pass --id from the stop message, or see sluice ddl list --sink ${at.sink}`,
        );
      }
      if (pending.length > 1) {
        throw new SluiceError(
          'CONFIG_INVALID',
          `sink ${at.sink} has ${pending.length} pending DDL changes for ${name} (${pending.map((p) => p.ddlId).join(', ')}): name one with --id`,
        );
      }
      ddlId = (pending[0] as DdlDecision).ddlId;
    }
    const who = `${userInfo().username}@${hostname()}`;
    const st = recordDecision(at.schema, { sink: at.sink, target, ddlId, action, statements, decidedBy: who });
    await s.execute(st.sql, st.params);
    const back = selectDecision(at.schema, at.sink, target, ddlId);
    const [row] = await s.objects(back.sql, back.params);
    return decisionFromRow(row as Record<string, unknown>);
  } finally {
    await s.close();
  }
}

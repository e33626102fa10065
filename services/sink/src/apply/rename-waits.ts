import { type Logger, SluiceError } from '@sluice/core';
import type { TargetName } from '../plan/table-action.ts';
import type { MarkerDecisions } from './marker-decisions.ts';
import { renameWaitDdlId } from './marker-decisions.ts';
import type { TableActions } from './table-actions.ts';

/** A rename a partition waits for (rename-gate.ts): its id, the new name and, when known, the old one. */
export interface WaitedRename {
  id: string;
  to?: TargetName;
  from?: TargetName;
}

const name = (t: TargetName | undefined) => (t ? `${t.database}.${t.table}` : '?');

/**
 * A rename the new name's topic waits for, as the operator sees it. Done when the target table
 * was renamed, or when the operator decided (`sluice ddl skip|replace` under the new name, the
 * id of the rename's decision): the rename is then noted done without the sink doing it, so the
 * new name's rows go on and a late marker of the old name changes nothing. A wait longer than
 * the sink's bound becomes `RENAME_NOT_APPLIED`: logged as an error and kept as a `held` row
 * (`sluice status`, `sluice ddl list`), naming both tables and the ways out.
 */
export class RenameWaits {
  private readonly opts: {
    actions: Pick<TableActions, 'renameDone' | 'renameSkipped'>;
    decisions: Pick<MarkerDecisions, 'find' | 'replace' | 'applied' | 'held' | 'released'>;
    sink: string;
    log: Logger;
  };

  constructor(opts: RenameWaits['opts']) {
    this.opts = opts;
  }

  async done(id: string, to?: TargetName): Promise<boolean> {
    const { actions, decisions, log } = this.opts;
    if (await actions.renameDone(id, to)) {
      // A wait told overdue (maybe by an earlier run of the sink) is over: its held row goes.
      if (to) await this.over({ id, to }).catch(() => undefined);
      return true;
    }
    if (!to) return false;
    const did = renameWaitDdlId(to, id);
    const d = await decisions.find(to, did);
    if (d?.action !== 'skip' && d?.action !== 'replace') return false;
    const what = `the wait for the rename ${id} to ${name(to)}`;
    if (d.action === 'replace')
      await decisions.replace({ code: 'TARGET_RENAME_CONFLICT', target: to, id: did, statement: '', what }, d);
    else await decisions.applied(to, did);
    await actions.renameSkipped(id, to);
    log.warn(
      { code: 'RENAME_NOT_APPLIED', table: name(to), ddlId: did, action: d.action, decidedBy: d.decidedBy },
      `the operator decided (${d.action}) on ${what}: the sink does not rename the target table; the new name's rows go on into ${name(to)}`,
    );
    return true;
  }

  /** The wait went on past the bound: an error in the log and a held row, once per wait. */
  async overdue(
    w: WaitedRename,
    at: { topic: string; partition: number; offset: string; waitingSeconds: number },
  ): Promise<void> {
    if (!w.to) return;
    const did = renameWaitDdlId(w.to, w.id);
    const err = new SluiceError('RENAME_NOT_APPLIED', overdueMessage(this.opts.sink, { ...w, to: w.to }, did, at));
    this.opts.log.error({ code: err.code, ...at, rename: w.id, ddlId: did }, err.message);
    await this.opts.decisions.held(w.to, did, `${err.code}: ${err.message}`, w.from);
  }

  /** The wait is over (the rename came, or was decided): its held row goes. */
  async over(w: WaitedRename): Promise<void> {
    if (w.to) await this.opts.decisions.released(w.to, renameWaitDdlId(w.to, w.id));
  }
}

export function overdueMessage(
  sink: string,
  w: WaitedRename & { to: TargetName },
  ddlId: string,
  at: { topic: string; partition: number; offset: string; waitingSeconds: number },
): string {
  const to = name(w.to);
  return (
    `sink ${sink}: rows of ${to} wait for the rename of ${name(w.from)} to ${to} (topic ${at.topic} partition ${at.partition} ` +
    `offset ${at.offset}, ${at.waitingSeconds}s): no sink applied the old name's marker (its topic not read, its sink stopped, ` +
    `or the marker dead-lettered). Other tables go on. Start the sink that reads ${name(w.from)}'s topic, or skip the rename: ` +
    `sluice ddl skip --sink ${sink} --table '${w.to.database}.${w.to.table}' --id ${ddlId} (the target table is not renamed; ` +
    `the rows of ${to} go to it as it is)`
  );
}

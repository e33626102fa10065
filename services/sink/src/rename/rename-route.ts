import { barrierHeaderOf, renameHeaderOf } from '@sluice/core';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { MarkerAt, TargetName } from '../plan/table-action.ts';
import type { Router } from '../route/router.ts';

/**
 * A DDL marker with the rename its headers carry, both names routed: the marker on the old
 * name's topic gets the rename action (apply/table-actions.ts), the one on the new name's topic
 * only the wait (rename-gate.ts). A partition statement's marker gets its barrier, if any, and
 * so does any other DDL marker (a layout change). Any other change is returned as it is.
 */
export function withRename(
  change: TargetChange,
  headers: Record<string, unknown> | undefined,
  partition: number,
  router: Router,
  at?: MarkerAt,
): TargetChange {
  if (change.kind === 'truncate' || change.kind === 'drop') {
    // TRUNCATE and DROP on a topic of several partitions wait for every partition, as partition statements do.
    const b = barrierHeaderOf(headers);
    return b ? { ...change, barrier: { ...b, at: partition, ...(at ? { marker: at } : {}) } } : change;
  }
  if (change.kind !== 'schema') return change;
  const header = renameHeaderOf(headers);
  if (!header) {
    const b = barrierHeaderOf(headers);
    if (!b) return change;
    if (change.action?.kind === 'partition') {
      return { ...change, action: { ...change.action, barrier: { ...b, at: partition, ...(at ? { marker: at } : {}) } } };
    }
    // Any other DDL marker: the layout is followed once every partition reached it (target-writer.ts).
    // Its offset is not noted as a floor: replaying the rows before it (sluice replay) stays possible.
    return change.action ? change : { ...change, barrier: { ...b, at: partition } };
  }
  const route = (n: { database: string; table: string }): TargetName => {
    const r = router.name(n.database, n.table);
    return { database: r.database, table: r.table, ...(r.merged ? { shared: true } : {}) };
  };
  const to = route(header.to);
  const from = route(header.from);
  const rename = { header, to, from };
  if (header.role === 'to') return { ...change, rename };
  const said = { position: change.position, ...(change.query ? { statement: change.query } : {}) };
  return {
    ...change,
    rename,
    action: { kind: 'rename', rename: header, from, to, partition, ...(at ? { at } : {}), ...said },
  };
}

import { partitionHeaderOf } from '@sluice/core';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { MarkerAt, TargetName } from '../plan/table-action.ts';
import type { Router } from '../route/router.ts';

/**
 * A partition statement's marker with what its `sluice.partition` header says (capture
 * publish/partition-markers.ts): the source's partitioning before the statement (rows to delete
 * where the target is not partitioned so), and for EXCHANGE / CONVERT PARTITION the move, both
 * tables routed, with a barrier over every partition of both topics (apply/partition-moves.ts).
 * Any other change is returned as it is.
 */
export function withPartitionHeader(
  change: TargetChange,
  headers: Record<string, unknown> | undefined,
  partition: number,
  router: Router,
  at?: MarkerAt,
): TargetChange {
  if (change.kind !== 'schema' || change.rename) return change;
  const header = partitionHeaderOf(headers);
  if (!header) return change;
  const move = header.move;
  if (!move) {
    if (change.action?.kind !== 'partition' || !header.partitioning) return change;
    return { ...change, action: { ...change.action, partitioning: header.partitioning } };
  }
  const route = (n: { database: string; table: string }): TargetName => {
    const r = router.name(n.database, n.table);
    return { database: r.database, table: r.table, ...(r.merged ? { shared: true } : {}) };
  };
  const side = change.table.database === move.table.database && change.table.table === move.table.table ? 'table' : 'other';
  const statement = change.query ?? '';
  return {
    ...change,
    action: {
      kind: 'partition',
      statement,
      partition: { op: move.op === 'exchange' ? 'exchange' : 'convert', partitions: [move.partition] },
      // The decision id of a refused move (marker-decisions.ts) is made of its position and statement.
      ...(change.position ? { position: change.position } : {}),
      ...(header.partitioning ? { partitioning: header.partitioning } : {}),
      barrier: { id: move.id, partitions: move.partitions, at: partition, ...(at ? { marker: at } : {}) },
      move: { ...move, target: { table: route(move.table), other: route(move.other) }, side },
    },
  };
}

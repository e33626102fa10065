import type { TargetChange } from '../decode/change-decoder.ts';
import type { MarkerAt } from '../plan/table-action.ts';
import type { Router } from '../route/router.ts';
import { withPartitionHeader } from './partition-route.ts';
import { withRename } from './rename-route.ts';

/**
 * A change with what its record's headers say of it: a DDL marker's rename or barrier
 * (rename-route.ts) and partition statement (partition-route.ts). The sink reads the headers
 * from Kafka, a restore from the archive's records.
 */
export const withMarkerHeaders = (
  change: TargetChange,
  headers: Record<string, unknown> | undefined,
  at: MarkerAt,
  router: Router,
): TargetChange => withPartitionHeader(withRename(change, headers, at.partition, router, at), headers, at.partition, router, at);

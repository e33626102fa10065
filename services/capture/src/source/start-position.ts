import { BinlogPosition, type Logger } from '@sluice/core';
import type { Pool } from 'mysql2/promise';
import type { StartFrom } from './binlog-reader.ts';
import { mariadbGtidAt } from './current-position.ts';
import type { Flavor } from './source-checks.ts';

/**
 * Where streaming starts. A checkpoint is resumed by GTID when it has one. MariaDB can translate a
 * file + position into its GTID position (BINLOG_GTID_POS), so a checkpoint written without one
 * still resumes by GTID there; on MySQL without GTIDs the file + position is used as it is.
 */
export async function startPosition(
  pool: Pool,
  flavor: Flavor,
  checkpoint: BinlogPosition | undefined,
  log: Logger,
): Promise<StartFrom> {
  if (!checkpoint) return { end: true };
  if (checkpoint.gtidSet || flavor !== 'mariadb') return { position: checkpoint };
  const gtid = await mariadbGtidAt(pool, checkpoint.file, checkpoint.pos);
  if (gtid === null) {
    log.warn({ at: checkpoint.toString() }, 'no GTID position for the checkpoint; resuming by file and position');
    return { position: checkpoint };
  }
  return { position: new BinlogPosition(checkpoint.file, checkpoint.pos, gtid) };
}

/**
 * The raw decode rate: zongji alone, with the options and event list capture uses, reading the
 * backlog and counting its rows, with no work per row. Run as its own process (by raw-decode.ts)
 * so that its peak RSS is its own. Prints one JSON line (RawResult) on stdout.
 */
import { BinlogPosition, mysqlOptionsFromUrl } from '@sluice/core';
import ZongJi from '@vlasky/zongji';
import { BINLOG_EVENTS } from '../../services/capture/src/source/binlog-reader.ts';
import { childMain } from '../common/json-child.ts';
import { procStats } from './proc.ts';

export interface RawJob {
  url: string;
  serverId: number;
  database: string;
  table: string;
  start: string;
  end: string;
}

export interface RawResult {
  rows: number;
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
}

function run(job: RawJob): Promise<RawResult> {
  const start = BinlogPosition.parse(job.start);
  const end = BinlogPosition.parse(job.end);
  const zongji = new ZongJi(mysqlOptionsFromUrl(job.url));
  let rows = 0;
  const t0 = performance.now();
  const cpu0 = procStats('self')?.cpuSeconds ?? 0;
  return new Promise((resolve, reject) => {
    let done = false;
    zongji.on('error', (err) => {
      if (!done) reject(err);
    });
    zongji.on('binlog', (e: any) => {
      if (done) return;
      const name = e.getEventName();
      if (name === 'writerows' || name === 'updaterows' || name === 'deleterows') {
        const tm = e.tableMap[e.tableId];
        if (tm?.parentSchema === job.database && tm.tableName === job.table) rows += e.rows.length;
        return;
      }
      // Only a commit (or a DDL) carries a resumable position on MariaDB; stop once it reaches the end.
      if (name !== 'xid' && name !== 'query') return;
      const here = new BinlogPosition(String(zongji.options.filename), e.nextPosition);
      if (here.compare(end) < 0) return;
      done = true;
      const seconds = (performance.now() - t0) / 1000;
      const stats = procStats('self');
      zongji.stop();
      resolve({ rows, seconds, peakRssMb: stats?.peakRssMb ?? 0, cpuSeconds: (stats?.cpuSeconds ?? 0) - cpu0 });
    });
    zongji.start({ serverId: job.serverId, filename: start.file, position: start.pos, includeEvents: BINLOG_EVENTS });
  });
}

childMain('raw decode', run);

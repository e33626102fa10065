import type { StatusReport } from '../status/collect.ts';

/** Names that need escaping everywhere they are shown: markup, both quotes, an ampersand, unicode. */
export const ODD = {
  db: 'we<ird>"db"',
  table: "t'q&<script>alert(1)</script>_日本語",
  sink: 'sink<b>"x"</b>',
  capture: `cap&"1"<i>`,
  prefix: 'p<re>',
} as const;

/** For the ui unit tests: a report with one capture and two sinks, one stopped with a dead letter, odd names throughout. */
export function oddReport(): StatusReport {
  const topic = `${ODD.prefix}.${ODD.db}.${ODD.table}`;
  return {
    at: '2026-12-02T05:00:00.000Z',
    prefix: ODD.prefix,
    source: { position: 'mariadb-bin.000007:4242', gtid: '0-1-99' },
    captures: [
      {
        id: ODD.capture,
        checkpoint: {
          captureId: ODD.capture,
          file: 'mariadb-bin.000007',
          pos: 4000,
          gtidSet: '0-1-98',
          sourceTsMs: 1_796_187_597_500,
          tsMs: 1_796_187_598_000,
          snapshot: null,
        },
        lag: { bytes: 242, seconds: 2.5 },
        process: { eventsPerSecond: 1234.4, state: 'streaming', lastErrorCode: null },
        state: 'streaming',
        error: false,
        reason: '',
      },
    ],
    sinks: [
      {
        group: {
          name: ODD.sink,
          exists: true,
          state: 'Empty',
          members: [],
          partitions: [
            { topic, partition: 0, committed: 40, low: 0, high: 45, lag: 5, heartbeat: false },
            { topic: `${ODD.prefix}._heartbeats`, partition: 0, committed: 10, low: 0, high: 12, lag: 2, heartbeat: true },
          ],
        },
        freshnessSeconds: 12.34,
        deadLetters: { count: 3, lastError: `TARGET_REJECTED: Data too long for column 'v<1>' at mysql://app:hunter2@db:3306/` },
        stop: {
          code: 'TARGET_REJECTED',
          message: `target rejected the batch (1406): "${ODD.table}" & more`,
          topic,
          partition: 0,
          offset: '41',
          at: '2026-12-02T04:59:00.125Z',
        },
        ddlPending: [
          {
            kind: 'pending',
            ddlId: 'ddl-<7>',
            table: `${ODD.db}.${ODD.table}`,
            sourceTable: `${ODD.db}.${ODD.table}`,
            sourcePosition: 'mariadb-bin.000007:100',
            error: 'DDL_REJECTED: <bad>',
          },
        ],
        verify: {
          at: '2026-12-02T04:58:00.000Z',
          tables: 4,
          different: [{ table: `${ODD.db}.${ODD.table}`, status: 'changed', rows: 2 }],
        },
        state: 'stopped',
        error: true,
        reason: `TARGET_REJECTED at ${topic}[0] offset 41: <stop>`,
      },
      {
        group: {
          name: 'tidb',
          exists: true,
          state: 'Stable',
          members: [{ clientId: 'c', host: 'h' }],
          partitions: [{ topic, partition: 0, committed: 45, low: 0, high: 45, lag: 0, heartbeat: false }],
        },
        freshnessSeconds: null,
        freshnessError: 'cannot connect to the target mysql://sluice:***@127.0.0.1:14000/: ECONNREFUSED',
        state: 'running',
        error: false,
        reason: '',
      },
    ],
    notes: ['a note with <markup> & "quotes"'],
  };
}

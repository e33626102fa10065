import { qualified } from '@sluice/core';
import { isoMillis, rowsIfTable, type Session } from '../shared/session.ts';
import type { Verdict } from './health.ts';

/** Why a sink stopped, as it noted in its target (`<checkpointSchema>.stops`, sink apply/stop-record.ts). */
export interface StopReason {
  code: string;
  message: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  at: string;
}

/** The sink's stop row; undefined when it has none (running, or never stopped since it last started). */
export async function readStopReason(s: Session, schema: string, sink: string): Promise<StopReason | undefined> {
  const [r] = await rowsIfTable(
    s,
    `SELECT code, message, topic, \`partition\`, \`offset\`, ${isoMillis('stopped_at')} FROM ${qualified(schema, 'stops')} WHERE sink = ?`,
    [sink],
  );
  if (!r) return undefined;
  return {
    code: String(r[0]),
    message: String(r[1]),
    topic: r[2] === null ? null : String(r[2]),
    partition: r[3] === null ? null : Number(r[3]),
    offset: r[4] === null ? null : String(r[4]),
    at: String(r[5]),
  };
}

/**
 * A sink with no members that noted why it stopped is in error with that reason, whatever its lag
 * says: the code, the message and the record it stopped at. A running sink's old row is ignored.
 */
export function stopVerdict(v: Verdict, stop: StopReason | undefined): Verdict {
  if (!stop || v.state !== 'stopped') return v;
  const where = stop.topic ? ` at ${stop.topic}[${stop.partition}]${stop.offset === null ? '' : ` offset ${stop.offset}`}` : '';
  return { state: v.state, error: true, reason: `${stop.code}${where} (${stop.at}): ${stop.message}` };
}

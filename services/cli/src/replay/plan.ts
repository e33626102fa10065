/** Where to move a sink group's offsets. */
export type ReplayTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'time'; ms: number }
  | { kind: 'offset'; topic: string; partition: number; offset: number }
  | { kind: 'shift'; by: number };

/** A partition as it is now; `atTime` is the first offset at or after the time asked for. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing (the sink then starts at the beginning). */
  committed: number;
  low: number;
  high: number;
  atTime?: number;
  /** retention.ms when the topic deletes old records (cleanup.policy includes delete). */
  retentionMs?: number;
}

export interface PlanRow {
  topic: string;
  partition: number;
  from: number;
  to: number;
  /** Offsets the sink applies again (transaction markers included). */
  reapply: number;
  /** Offsets jumped over: records the sink will never apply. */
  skip: number;
}

/**
 * Per partition, the offset the group moves to and what that means: offsets re-applied (the sink
 * is idempotent, so re-applying converges) or skipped. Refusals name the partition: an offset
 * outside what the topic holds, or a time older than it retains (records were deleted before its
 * first offset, so what happened since that time can no longer all be replayed).
 */
export function planReplay(
  states: PartitionState[],
  target: ReplayTarget,
  nowMs: number,
): { rows: PlanRow[]; refusals: string[] } {
  const rows: PlanRow[] = [];
  const refusals: string[] = [];
  for (const s of states) {
    const from = s.committed >= 0 ? s.committed : s.low;
    let to: number;
    switch (target.kind) {
      case 'earliest':
        to = s.low;
        break;
      case 'latest':
        to = s.high;
        break;
      case 'shift':
        to = Math.min(s.high, Math.max(s.low, from + target.by));
        break;
      case 'offset':
        if (s.topic !== target.topic || s.partition !== target.partition) continue;
        if (target.offset < s.low || target.offset > s.high) {
          refusals.push(`${s.topic}:${s.partition} holds offsets ${s.low} to ${s.high}; ${target.offset} is outside`);
        }
        to = target.offset;
        break;
      case 'time':
        to = s.atTime ?? s.high;
        if (s.low > 0 && to === s.low && s.high > s.low) {
          refusals.push(`${s.topic}:${s.partition} no longer holds records from that time (its oldest kept offset is ${s.low})`);
        } else if (s.retentionMs !== undefined && s.retentionMs >= 0 && target.ms < nowMs - s.retentionMs) {
          refusals.push(
            `${s.topic} keeps records for ${Math.round(s.retentionMs / 3_600_000)} h only (retention.ms); the time is older`,
          );
        }
        break;
    }
    rows.push({
      topic: s.topic,
      partition: s.partition,
      from,
      to,
      reapply: Math.max(0, from - to),
      skip: Math.max(0, to - from),
    });
  }
  if (target.kind === 'offset' && !rows.length) refusals.push(`the group does not read ${target.topic}:${target.partition}`);
  return { rows, refusals };
}

/** `topic:partition:offset`; the topic may contain dots but not colons. */
export function parseOffsetSpec(spec: string): { topic: string; partition: number; offset: number } | undefined {
  const m = /^([^:]+):(\d+):(\d+)$/.exec(spec);
  return m ? { topic: m[1] as string, partition: Number(m[2]), offset: Number(m[3]) } : undefined;
}

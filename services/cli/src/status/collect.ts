import { type KafkaAdmin, type KafkaClient, qualified, Registry } from '@sluice/core';
import { registryConnection } from '../shared/connections.ts';
import { Session } from '../shared/session.ts';
import { readSourcePosition, type SourcePosition } from '../shared/source-position.ts';
import { type CaptureProcessMetrics, readCaptureMetrics } from './capture-metrics.ts';
import { type CaptureNote, noteVerdict, readCaptureNotes } from './capture-notes.ts';
import { type CaptureCheckpoint, type CaptureLag, captureLag, readCaptureCheckpoints } from './capture-status.ts';
import { ddlVerdict, type PendingDdl, readPendingDdl } from './ddl-pending.ts';
import { type DeadLetters, readDeadLetters } from './dead-letters.ts';
import { captureVerdict, sinkVerdict, type Verdict } from './health.ts';
import { findSinkGroups, readSinkGroup, type SinkGroup } from './sink-status.ts';
import { readStopReason, type StopReason, stopVerdict } from './stop-reason.ts';
import { readVerifyStatus, type VerifyStatus, verifyVerdict } from './verify-status.ts';

export interface StatusInputs {
  kafka: KafkaClient;
  admin: KafkaAdmin;
  registryUrl: string | undefined;
  prefix: string;
  sourceUrl: string | undefined;
  captureId: string | undefined;
  captureMetricsUrl: string | undefined;
  sinks: string[];
  /** Target URL and checkpoint schema of a sink, when known. */
  target: (sink: string) => { url: string; checkpointSchema: string } | undefined;
  maxLagSeconds: number;
}

export interface StatusReport {
  at: string;
  prefix: string;
  source: { position: string; gtid: string | null } | { error: string } | null;
  captures: (Verdict & {
    id: string;
    checkpoint: CaptureCheckpoint | undefined;
    lag: CaptureLag | undefined;
    process?: CaptureProcessMetrics;
    /** The capture's own note of why it fails or stopped. */
    note?: CaptureNote;
  })[];
  sinks: (Verdict & {
    group: SinkGroup;
    freshnessSeconds: number | null;
    freshnessError?: string;
    deadLetters?: DeadLetters;
    /** DDL the target refused, where the sink stopped (sluice ddl list). */
    ddlPending?: PendingDdl[];
    /** Why the sink stopped, as it noted in its target. */
    stop?: StopReason;
    /** The last pass of a following verify against its target. */
    verify?: VerifyStatus;
  })[];
  notes: string[];
}

/** One look at every part: source position, captures' checkpoints, sink groups and their targets. */
export async function collectStatus(i: StatusInputs): Promise<StatusReport> {
  const now = Date.now();
  const notes: string[] = [];
  let source: SourcePosition | undefined;
  let sourceInfo: StatusReport['source'] = null;
  if (i.sourceUrl) {
    try {
      const s = await Session.open(i.sourceUrl, 'source');
      try {
        source = await readSourcePosition(s);
        sourceInfo = { position: source.position.toString(), gtid: source.gtid };
      } finally {
        await s.close();
      }
    } catch (err) {
      sourceInfo = { error: (err as Error).message };
    }
  } else {
    notes.push('no source given (--source, --capture-config, SLUICE_SOURCE_URL): capture lag in bytes unknown');
  }

  const captures: StatusReport['captures'] = [];
  if (i.registryUrl) {
    const all = await readCaptureCheckpoints(i.kafka, i.admin, new Registry(registryConnection(i.registryUrl)), i.prefix);
    const captureNotes = await readCaptureNotes(i.kafka, i.admin, i.prefix);
    // A capture that never committed a checkpoint (failing from its start) is known by its note.
    const ids = i.captureId ? [i.captureId] : [...new Set([...all.map((c) => c.captureId), ...captureNotes.keys()])].sort();
    if (!ids.length) notes.push(`no capture checkpoint in ${i.prefix}._checkpoints`);
    // The metrics endpoint belongs to one capture process: the configured id, or the only one.
    let process: CaptureProcessMetrics | undefined;
    if (i.captureMetricsUrl && (i.captureId || ids.length === 1)) {
      process = await readCaptureMetrics(i.captureMetricsUrl).catch((err: Error) => {
        notes.push(`capture metrics not read (${i.captureMetricsUrl}): ${err.message}`);
        return undefined;
      });
    }
    for (const id of ids) {
      const checkpoint = all.find((c) => c.captureId === id);
      const lag = checkpoint ? captureLag(checkpoint, source, now) : undefined;
      const p = process && (i.captureId ?? ids[0]) === id ? process : undefined;
      captures.push({
        id,
        checkpoint,
        lag,
        ...(p ? { process: p } : {}),
        ...(captureNotes.get(id) ? { note: captureNotes.get(id) } : {}),
        ...noteVerdict(captureVerdict(checkpoint, lag, i.maxLagSeconds, p), captureNotes.get(id), checkpoint?.tsMs),
      });
    }
  } else {
    notes.push('no schema registry (SLUICE_SCHEMA_REGISTRY_URL or a config file): capture checkpoints not read');
  }

  const sinks: StatusReport['sinks'] = [];
  for (const name of await findSinkGroups(i.admin, i.prefix, i.sinks)) {
    const group = await readSinkGroup(i.admin, name, i.prefix);
    let freshnessSeconds: number | null = null;
    let freshnessError: string | undefined;
    let ddlPending: PendingDdl[] = [];
    let stop: StopReason | undefined;
    let verify: VerifyStatus | undefined;
    const t = i.target(name);
    if (t) {
      // One session for everything the target says of the sink.
      let target: Session | undefined;
      try {
        target = await Session.open(t.url, 'target');
        const tsMs = await targetFreshness(target, t.checkpointSchema, name);
        freshnessSeconds = tsMs === null ? null : Math.max(0, (now - tsMs) / 1000);
        ddlPending = await readPendingDdl(target, t.checkpointSchema, name);
        stop = group.members.length ? undefined : await readStopReason(target, t.checkpointSchema, name);
        verify = await readVerifyStatus(target, t.checkpointSchema, name);
      } catch (err) {
        freshnessError = (err as Error).message;
      } finally {
        await target?.close();
      }
    }
    const deadLetters = await readDeadLetters(i.kafka, i.admin, i.prefix, name);
    // A sink that stopped at its first batch has no offsets and no members, but its target knows it.
    const known = { ...group, exists: group.exists || !!stop || freshnessSeconds !== null };
    sinks.push({
      group: known,
      freshnessSeconds,
      ...(deadLetters ? { deadLetters } : {}),
      ...(freshnessError ? { freshnessError } : {}),
      ...(ddlPending.length ? { ddlPending } : {}),
      ...(stop ? { stop } : {}),
      ...(verify ? { verify } : {}),
      ...ddlVerdict(
        name,
        verifyVerdict(stopVerdict(sinkVerdict(known, freshnessSeconds, i.maxLagSeconds), stop), verify),
        ddlPending,
      ),
    });
  }
  if (!sinks.length) notes.push(`no sink group has committed offsets on the topics of prefix ${i.prefix}`);
  return { at: new Date(now).toISOString(), prefix: i.prefix, source: sourceInfo, captures, sinks, notes };
}

/** The newest source time the sink has applied (changes and heartbeats), from its checkpoint rows. */
async function targetFreshness(s: Session, schema: string, sink: string): Promise<number | null> {
  const [row] = await s.rows(`SELECT MAX(source_ts_ms) FROM ${qualified(schema, 'checkpoints')} WHERE sink = ?`, [sink]);
  return row?.[0] === null || row?.[0] === undefined ? null : Number(row[0]);
}

export const hasError = (r: StatusReport): boolean =>
  r.captures.some((c) => c.error) || r.sinks.some((s) => s.error) || (r.source !== null && 'error' in r.source);

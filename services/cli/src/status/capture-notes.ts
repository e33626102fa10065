import type { CaptureStatusNote } from '@sluice/capture/src/observe/status-notes.ts';
import { captureStatusTopic, type KafkaAdmin, type KafkaClient } from '@sluice/core';
import { latestPerKey } from '../shared/kafka.ts';
import type { Verdict } from './health.ts';

/** A capture's own note of its state, as the capture writes it (newest per capture id). */
export type CaptureNote = CaptureStatusNote;

/** Every capture's last note on `<prefix>._capture_status`, by capture id. */
export async function readCaptureNotes(kafka: KafkaClient, admin: KafkaAdmin, prefix: string): Promise<Map<string, CaptureNote>> {
  const out = new Map<string, CaptureNote>();
  for (const m of (await latestPerKey(kafka, admin, captureStatusTopic(prefix))).values()) {
    if (!m.key || !m.value) continue;
    try {
      out.set(m.key.toString('utf8'), JSON.parse(m.value.toString('utf8')) as CaptureNote);
    } catch {
      // Not a note this version wrote: nothing to say.
    }
  }
  return out;
}

/**
 * A capture that noted it fails (its supervisor restarting it) or stopped, after its last
 * checkpoint, is in error with its code and message, whatever its lag says: a capture stuck in a
 * retry loop on an idle source would otherwise show a small lag.
 */
export function noteVerdict(v: Verdict, note: CaptureNote | undefined, checkpointTsMs: number | undefined): Verdict {
  if (!note || note.state === 'running') return v;
  if (checkpointTsMs !== undefined && Date.parse(note.at) < checkpointTsMs) return v;
  const how =
    note.state === 'failing'
      ? `failing since ${note.since ?? note.at}, ${note.failures} runs failed in a row; capture retries`
      : `stopped at ${note.at}`;
  return {
    state: note.state === 'failing' ? 'failing' : 'stopped',
    error: true,
    reason: `${note.code} (${how}): ${note.message}`,
  };
}

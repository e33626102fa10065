import type { ArchiveStorage } from './archive-storage.ts';

/**
 * The archive sink's lease (docs/backup.md, one writer): an object at the archive's root saying
 * which sink writes there, refreshed every heartbeat while it runs and removed on a clean stop.
 * `sluice archive prune` refuses while it is fresh (a running sink rewrites manifests), and a
 * second archive sink of another name refuses to start on it. `.` is escaped in every database
 * directory (escapeName), so this key can never be a database's.
 */
export const LEASE_KEY = 'writer.lease.json';
/** How often a running sink refreshes its lease. */
export const LEASE_HEARTBEAT_MS = 30_000;
/** A lease is held while its last heartbeat is younger than this many heartbeats. */
export const LEASE_FRESH_BEATS = 3;

export interface ArchiveLease {
  sinkName: string;
  /** One per process run: tells a restarted sink from the one before it. */
  instanceId: string;
  host: string;
  pid: number;
  startedAtMs: number;
  heartbeatAtMs: number;
  /** The writer's heartbeat interval: freshness is judged by it, not the reader's. */
  heartbeatEveryMs: number;
}

/** The lease as stored; a malformed one is an error string (never guessed to be stale). */
export function parseLease(text: string): ArchiveLease | { error: string } {
  try {
    const v = JSON.parse(text) as Partial<ArchiveLease>;
    if (typeof v?.sinkName !== 'string' || typeof v.instanceId !== 'string' || typeof v.heartbeatAtMs !== 'number') {
      return { error: 'writer.lease.json lacks sinkName, instanceId or heartbeatAtMs' };
    }
    return {
      sinkName: v.sinkName,
      instanceId: v.instanceId,
      host: String(v.host ?? '?'),
      pid: Number(v.pid ?? 0),
      startedAtMs: Number(v.startedAtMs ?? v.heartbeatAtMs),
      heartbeatAtMs: v.heartbeatAtMs,
      heartbeatEveryMs:
        typeof v.heartbeatEveryMs === 'number' && v.heartbeatEveryMs > 0 ? v.heartbeatEveryMs : LEASE_HEARTBEAT_MS,
    };
  } catch (e) {
    return { error: `writer.lease.json is not JSON: ${(e as Error).message}` };
  }
}

/** The archive's lease, if any. */
export async function readLease(storage: ArchiveStorage): Promise<ArchiveLease | { error: string } | undefined> {
  const data = await storage.read(LEASE_KEY);
  return data ? parseLease(data.toString('utf8')) : undefined;
}

/** Whether a lease is still held: its last heartbeat is younger than LEASE_FRESH_BEATS heartbeats. */
export const leaseIsFresh = (lease: ArchiveLease, nowMs: number): boolean =>
  nowMs - lease.heartbeatAtMs < LEASE_FRESH_BEATS * lease.heartbeatEveryMs;

/** The writer a lease names, for messages. */
export const describeLease = (lease: ArchiveLease, nowMs: number): string =>
  `archive sink ${lease.sinkName} (instance ${lease.instanceId}, host ${lease.host}, pid ${lease.pid}), ` +
  `last heartbeat ${new Date(lease.heartbeatAtMs).toISOString()} (${Math.max(0, Math.round((nowMs - lease.heartbeatAtMs) / 1000))} s ago)`;

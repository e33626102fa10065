import { type ArchiveStorage, describeLease, leaseIsFresh, readLease, SluiceError } from '@sluice/core';

/**
 * Whether an archive sink writes the archive now (its lease, writer.lease.json, is fresh): a
 * prune then refuses (ARCHIVE_IN_USE) unless forced, since the sink rewrites its manifests at
 * every file close (docs/backup.md, one writer). Returns a note for the report, or undefined.
 */
export async function checkWriter(
  storage: ArchiveStorage,
  opts: { force: boolean; dryRun: boolean; nowMs?: number },
): Promise<string | undefined> {
  const now = opts.nowMs ?? Date.now();
  const lease = await readLease(storage);
  if (!lease) return undefined;
  if ('error' in lease) return `the archive's lease cannot be read (${lease.error}): whether a sink writes is not known`;
  if (!leaseIsFresh(lease, now)) return undefined;
  const who = describeLease(lease, now);
  if (opts.dryRun) return `written now by ${who}: a prune would be refused without --force`;
  if (opts.force) return `written now by ${who}: pruned anyway (--force)`;
  throw new SluiceError(
    'ARCHIVE_IN_USE',
    `sluice archive prune: ${storage.location} is written now by ${who}; ` +
      'stop it first, let its target.retention prune, or pass --force (the sink re-reads each manifest before it rewrites it)',
  );
}

/** Who writes the archive, for `sluice archive ls`: the lease's writer, fresh or stale; undefined without one. */
export async function describeWriter(storage: ArchiveStorage, nowMs = Date.now()): Promise<string | undefined> {
  const lease = await readLease(storage);
  if (!lease) return undefined;
  if ('error' in lease) return `unknown (${lease.error})`;
  return `${describeLease(lease, nowMs)}${leaseIsFresh(lease, nowMs) ? '' : ' (stale: not running, or killed)'}`;
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type ArchiveLease,
  type ArchiveStorage,
  describeLease,
  LEASE_HEARTBEAT_MS,
  LEASE_KEY,
  type Logger,
  leaseIsFresh,
  readLease,
  SluiceError,
} from '@sluice/core';

/**
 * The archive sink's hold on its archive (docs/backup.md, one writer): acquire() before anything
 * is recovered or consumed, a heartbeat every heartbeatMs while it runs, release() on a clean
 * stop. A fresh lease of another sinkName refuses the start (ARCHIVE_IN_USE: two sinks would
 * rewrite each other's manifests); the same sinkName takes it over at once (a restart after a
 * SIGKILL must not wait out its own lease); a stale lease of any name is taken over.
 */
export class ArchiveLeaseHolder {
  private readonly storage: ArchiveStorage;
  private readonly sinkName: string;
  private readonly log: Logger;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  readonly instanceId = randomUUID();
  private readonly startedAtMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** The heartbeat being written: a release waits for it, so it cannot write the lease back after. */
  private beating: Promise<void> = Promise.resolve();

  constructor(opts: { storage: ArchiveStorage; sinkName: string; log: Logger; heartbeatMs?: number; now?: () => number }) {
    this.storage = opts.storage;
    this.sinkName = opts.sinkName;
    this.log = opts.log;
    this.heartbeatMs = opts.heartbeatMs ?? LEASE_HEARTBEAT_MS;
    this.now = opts.now ?? Date.now;
    this.startedAtMs = this.now();
  }

  async acquire(): Promise<void> {
    const now = this.now();
    const held = await readLease(this.storage);
    if (held && 'error' in held) {
      // Unreadable: nobody can tell who writes, so nobody is refused for it; it is replaced.
      this.log.warn({ archive: this.storage.location, err: held.error }, 'archive lease unreadable: replaced');
    } else if (held && held.sinkName !== this.sinkName) {
      if (leaseIsFresh(held, now)) {
        throw new SluiceError(
          'ARCHIVE_IN_USE',
          `archive ${this.storage.location} is written by ${describeLease(held, now)}: archive sink ${this.sinkName} does not start on it (one writer per archive; give it its own path or prefix)`,
        );
      }
      this.log.warn({ archive: this.storage.location, lease: held }, 'archive lease of another sink is stale: taken over');
    } else if (held && held.instanceId !== this.instanceId) {
      this.log.info({ lease: held }, 'archive lease of this sink name (an earlier run): taken over');
    }
    await this.beat();
    this.timer = setInterval(() => {
      this.beating = this.beat().catch((err) =>
        this.log.warn({ err: String(err) }, 'archive lease heartbeat failed; tried again'),
      );
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const lease: ArchiveLease = {
      sinkName: this.sinkName,
      instanceId: this.instanceId,
      host: hostname(),
      pid: process.pid,
      startedAtMs: this.startedAtMs,
      heartbeatAtMs: this.now(),
      heartbeatEveryMs: this.heartbeatMs,
    };
    await this.storage.write(LEASE_KEY, `${JSON.stringify(lease)}\n`);
  }

  /** Stops the heartbeat (the lease goes stale by itself: a stop that is not clean). */
  stopBeating(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A clean stop: the heartbeat ends and the lease goes, if it is still this instance's. */
  async release(): Promise<void> {
    this.stopBeating();
    await this.beating;
    const held = await readLease(this.storage);
    if (held && !('error' in held) && held.instanceId === this.instanceId) await this.storage.remove([LEASE_KEY]);
  }
}

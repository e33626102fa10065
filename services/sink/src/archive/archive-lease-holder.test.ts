import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LEASE_KEY, LocalArchiveStorage, readLease, removeTree } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveLeaseHolder } from './archive-lease-holder.ts';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));
const storage = () => {
  const d = mkdtempSync(join(tmpdir(), 'archive-lease-'));
  roots.push(d);
  return new LocalArchiveStorage(d);
};
const log = createLogger('test', 'silent');
const T = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('ArchiveLeaseHolder', () => {
  it('writes a lease, refuses a second sink of another name while it is fresh, removes it on a clean stop', async () => {
    const st = storage();
    let now = T;
    const a = new ArchiveLeaseHolder({ storage: st, sinkName: 'archive', log, now: () => now });
    await a.acquire();
    expect(await readLease(st)).toMatchObject({ sinkName: 'archive', instanceId: a.instanceId, heartbeatAtMs: T });
    now = T + 89_000;
    const b = new ArchiveLeaseHolder({ storage: st, sinkName: 'archive-2', log, now: () => now });
    await expect(b.acquire()).rejects.toMatchObject({
      code: 'ARCHIVE_IN_USE',
      message: expect.stringMatching(/archive sink archive \(instance .*last heartbeat 2026-12-02T12:00:00.000Z \(89 s ago\)/),
    });
    await a.release();
    expect(await st.read(LEASE_KEY)).toBeUndefined();
    await b.acquire();
    b.stopBeating();
    expect(await readLease(st)).toMatchObject({ sinkName: 'archive-2' });
  });

  it('the same sink name takes its lease over at once (a restart after SIGKILL); a stale one of another name too', async () => {
    const st = storage();
    let now = T;
    const killed = new ArchiveLeaseHolder({ storage: st, sinkName: 'archive', log, now: () => now });
    await killed.acquire();
    killed.stopBeating();
    now = T + 1_000;
    const again = new ArchiveLeaseHolder({ storage: st, sinkName: 'archive', log, now: () => now });
    await again.acquire();
    again.stopBeating();
    expect(await readLease(st)).toMatchObject({ instanceId: again.instanceId, heartbeatAtMs: T + 1_000 });
    // The killed instance's late release leaves the new owner's lease alone.
    await killed.release();
    expect(await readLease(st)).toMatchObject({ instanceId: again.instanceId });
    // Three heartbeats (90 s) without a beat: stale, another name takes it over.
    now = T + 1_000 + 90_000;
    const other = new ArchiveLeaseHolder({ storage: st, sinkName: 'other', log, now: () => now });
    await other.acquire();
    other.stopBeating();
    expect(await readLease(st)).toMatchObject({ sinkName: 'other' });
  });

  it('refreshes the heartbeat while it runs', async () => {
    const st = storage();
    const a = new ArchiveLeaseHolder({ storage: st, sinkName: 'archive', log, heartbeatMs: 50 });
    await a.acquire();
    const first = (await readLease(st)) as { heartbeatAtMs: number; heartbeatEveryMs: number };
    expect(first.heartbeatEveryMs).toBe(50);
    await new Promise((r) => setTimeout(r, 200));
    const later = (await readLease(st)) as { heartbeatAtMs: number };
    expect(later.heartbeatAtMs).toBeGreaterThan(first.heartbeatAtMs);
    await a.release();
  });

  it('a heartbeat being written when the sink stops cleanly does not leave the lease behind', async () => {
    const st = storage();
    // A slow storage: the heartbeat's write is still in flight when release() is called.
    const slow = Object.assign(Object.create(st) as LocalArchiveStorage, {
      write: async (key: string, data: string | Buffer) => {
        await new Promise((r) => setTimeout(r, 100));
        await st.write(key, data);
      },
    });
    const a = new ArchiveLeaseHolder({ storage: slow, sinkName: 'archive', log, heartbeatMs: 20 });
    await a.acquire();
    await new Promise((r) => setTimeout(r, 30));
    await a.release();
    await new Promise((r) => setTimeout(r, 250));
    expect(await st.read(LEASE_KEY)).toBeUndefined();
  });
});

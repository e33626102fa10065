import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEASE_KEY, LocalArchiveStorage, removeTree } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWriter, describeWriter } from './writer-check.ts';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));
const T = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('sluice archive prune while a sink writes', () => {
  it('refuses while the lease is fresher than 3 heartbeats, unless --force; --dry-run and a stale lease pass', async () => {
    const root = mkdtempSync(join(tmpdir(), 'archive-prune-lease-'));
    roots.push(root);
    const st = new LocalArchiveStorage(root);
    expect(await checkWriter(st, { force: false, dryRun: false, nowMs: T })).toBeUndefined();
    const lease = { sinkName: 'archive', instanceId: 'i-1', host: 'h1', pid: 7, heartbeatAtMs: T, heartbeatEveryMs: 30_000 };
    await st.write(LEASE_KEY, JSON.stringify(lease));
    await expect(checkWriter(st, { force: false, dryRun: false, nowMs: T + 89_000 })).rejects.toMatchObject({
      code: 'ARCHIVE_IN_USE',
      message: expect.stringContaining(
        'archive sink archive (instance i-1, host h1, pid 7), last heartbeat 2026-12-02T12:00:00.000Z (89 s ago)',
      ),
    });
    expect(await checkWriter(st, { force: true, dryRun: false, nowMs: T })).toMatch(/pruned anyway \(--force\)/);
    expect(await checkWriter(st, { force: false, dryRun: true, nowMs: T })).toMatch(/would be refused without --force/);
    expect(await checkWriter(st, { force: false, dryRun: false, nowMs: T + 90_000 })).toBeUndefined();
    // ls names the writer, and says when its lease went stale.
    expect(await describeWriter(st, T + 1_000)).toMatch(/^archive sink archive \(instance i-1.*\(1 s ago\)$/);
    expect(await describeWriter(st, T + 90_000)).toMatch(/\(90 s ago\) \(stale: not running, or killed\)$/);
  });
});

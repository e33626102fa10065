import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice } from '../support/cli.ts';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * sluice status explains a capture that fails (its supervisor restarting it) or stopped, from
 * the note the capture leaves on <prefix>._capture_status: the code, the message, since when,
 * how many runs failed; and shows it streaming again once it recovered.
 */
const s = stack();
const env = { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') };

describe('capture state in sluice status', () => {
  const db = uniqueName('iso_cst');
  const services: ServiceProcess[] = [];
  const proxies: TcpProxy[] = [];
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    for (const p of proxies) await p.close();
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  const status = async (prefix: string) => {
    const r = await sluice(['status', '--topic-prefix', prefix, '--json'], { env });
    return { code: r.code, capture: JSON.parse(r.stdout || '{"captures":[]}').captures[0], stderr: r.stderr };
  };

  it('shows a capture failing in a retry loop with its code and reason, then streaming again', async () => {
    conn = await connect(s.sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY)`);
    const { proxy, url } = TcpProxy.forUrl(s.sourceUrl);
    proxies.push(proxy);
    const prefix = uniqueName('cst');
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: url(await proxy.listen()),
      include: [`${db}.*`],
      extra: { heartbeatMs: 500 },
    });
    services.push(capture);
    await capture.start();
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (1)`);
    await waitFor('streaming in status', async () => ((await status(prefix)).capture?.state === 'streaming' ? true : undefined));

    proxy.cut();
    const failing = await waitFor(
      'the failure in status',
      async () => {
        const r = await status(prefix);
        return r.capture?.state === 'failing' && r.capture.note?.failures >= 2 ? r : undefined;
      },
      60_000,
    );
    expect(failing.code).toBe(1);
    expect(failing.capture.error).toBe(true);
    expect(failing.capture.reason).toMatch(
      /^(SOURCE_UNREACHABLE|BINLOG_STREAM) \(failing since \d{4}-\d\d-\d\dT[^,]+Z, \d+ runs failed in a row; capture retries\): /,
    );

    proxy.restore();
    await waitFor(
      'streaming again',
      async () => ((await status(prefix)).capture?.state === 'streaming' ? true : undefined),
      60_000,
    );
    expect((await status(prefix)).capture.note).toMatchObject({ state: 'running', code: null });
  });

  it('shows a capture stopped by an error that is not retried, and one that never committed a checkpoint', async () => {
    const prefix = uniqueName('csp');
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      include: [`${db}.*`],
      extra: { snapshot: { mode: 'never' }, startFrom: { file: 'binlog.000000', pos: 4 } },
    });
    services.push(capture);
    await expect(capture.start()).rejects.toThrow(/exited during start-up/);
    const r = await waitFor('the stop in status', async () => {
      const x = await status(prefix);
      return x.capture?.state === 'stopped' ? x : undefined;
    });
    expect(r.code).toBe(1);
    expect(r.capture.reason).toMatch(
      /^BINLOG_PURGED \(stopped at \S+Z\): the source no longer has the binlog at binlog\.000000:4/,
    );
  });
});

import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName, waitFor } from '../support/stack.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * Issue 12, health that tells the truth: one capture and one sink of the test's own, each reaching
 * Kafka, the registry, the source or the target through a TCP proxy the test cuts for OUTAGE_MS
 * under a steady write load. For each outage, the process that depends on the component turns
 * unready (503, naming it) within the grace period and a little, turns ready again after, and a
 * change made at the restore reaches the target within 10 s; at the end the target equals the
 * source, column by column.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const OUTAGE_MS = 10_000;
const GRACE_MS = 5_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  at: number;
  status: number;
  text: string;
}

/** Polls a process's /readyz every 200 ms, keeping every answer. */
class ReadyWatch {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly done: Promise<void>;
  private readonly p: ServiceProcess;

  constructor(p: ServiceProcess) {
    this.p = p;
    this.done = this.poll();
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const r = await fetch(`http://127.0.0.1:${this.p.port}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
        async (res) => ({ status: res.status, text: (await res.text()).trim() }),
        () => ({ status: 0, text: 'no answer' }),
      );
      this.samples.push({ at, ...r });
      await pause(200);
    }
  }

  first(after: number, status: number): Sample | undefined {
    return this.samples.find((x) => x.at >= after && x.status === status);
  }

  statusesBetween(from: number, to: number): Set<number> {
    return new Set(this.samples.filter((x) => x.at >= from && x.at <= to).map((x) => x.status));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('outages: readiness and resumption', () => {
  const proxies: TcpProxy[] = [];
  const services: ServiceProcess[] = [];
  const watches: ReadyWatch[] = [];
  let load: VersionLoad | undefined;
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;
  let db = '';

  afterAll(async () => {
    await load?.stop();
    for (const w of watches) await w.stop();
    for (const p of services) await p.stop();
    for (const p of proxies) await p.close();
    if (db) {
      await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    }
    await source?.end();
    await target?.end();
  });

  const proxyTo = async (url: string) => {
    const { proxy, url: through } = TcpProxy.forUrl(url);
    proxies.push(proxy);
    return { proxy, url: through(await proxy.listen()) };
  };

  it('turns unready during each outage and resumes within 10 s of each restore', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    if (!s.kafkaFault) throw new Error('the stack has no FAULT Kafka listener (KAFKA_FAULT_PORT in .stack/stack.env)');
    db = uniqueName('iso_outage');
    const prefix = uniqueName('outg');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    load = new VersionLoad(s.sourceUrl, db, 200);
    await load.createTable();
    await source.query(`CREATE TABLE \`${db}\`.mark (id INT PRIMARY KEY, what VARCHAR(32) NOT NULL)`);

    const src = await proxyTo(s.sourceUrl);
    const tgt = await proxyTo(mariadb.url);
    const capReg = await proxyTo(s.registryUrl);
    const sinkReg = await proxyTo(s.registryUrl);
    const kafka = new TcpProxy(`127.0.0.1:${s.kafkaFault.port}`);
    proxies.push(kafka);
    await kafka.listen(s.kafkaFault.proxyPort);
    const faultBrokers = [`127.0.0.1:${s.kafkaFault.proxyPort}`];

    const captureOn = (brokers: string[], n: number) =>
      ownCapture(s, {
        name: `capture-${prefix}-${n}`,
        prefix,
        sourceUrl: src.url,
        include: [`${db}.*`],
        extra: { kafka: { brokers }, schemaRegistry: { url: capReg.url } },
      });
    // Same sink name, same consumer group: a second sink process goes on where the first stopped.
    const sinkOn = (brokers: string[]) =>
      ownSink(s, {
        name: `sink-${prefix}`,
        prefix,
        targetUrl: tgt.url,
        extra: { kafka: { brokers }, schemaRegistry: { url: sinkReg.url } },
      });
    let capture = captureOn(faultBrokers, 1);
    let sink = sinkOn(s.kafkaBrokers);
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    let capWatch = new ReadyWatch(capture);
    let sinkWatch = new ReadyWatch(sink);
    watches.push(capWatch, sinkWatch);
    load.start(1);
    await pause(2_000);

    const figures: Record<
      string,
      { to503Ms: number; reason: string; resumeMs: number; caughtUpMs: number; readyAgainMs: number }
    > = {};
    let mark = 0;
    /** When the capture commits a checkpoint (a Kafka transaction) after `since`: its progress. */
    const captureCommitted = async (since: number) => {
      const text = await (await fetch(`http://127.0.0.1:${capture.port}/metrics`)).text();
      const at = Number(/^sluice_capture_last_checkpoint_timestamp_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
      return at * 1000 > since ? true : undefined;
    };
    const inTarget = async (id: number) => {
      const [rows] = await (target as mysql.Connection).query(`SELECT 1 FROM \`${db}\`.mark WHERE id = ?`, [id]);
      return (rows as unknown[]).length ? true : undefined;
    };
    /**
     * Cuts `proxy` for OUTAGE_MS; `who` lost the component. Progress after the restore: for the
     * capture, a Kafka transaction committed; for the sink, a change made at the restore applied.
     */
    const outage = async (what: string, proxy: TcpProxy, who: 'capture' | 'sink', during?: () => Promise<void>) => {
      const [affected, other] = who === 'capture' ? [capWatch, sinkWatch] : [sinkWatch, capWatch];
      const cutAt = Date.now();
      proxy.cut();
      await during?.();
      // A registry outage is noticed when a record needs a schema the sink has not cached: from then on.
      const neededAt = Date.now();
      const down = await waitFor(`${what}: 503`, async () => affected.first(cutAt, 503), OUTAGE_MS + 20_000);
      await pause(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
      const restoredAt = Date.now();
      proxy.restore();
      const id = ++mark;
      await (source as mysql.Connection).query(`INSERT INTO \`${db}\`.mark (id, what) VALUES (?, ?)`, [id, what]);
      if (who === 'capture') await waitFor(`${what}: a capture commit`, () => captureCommitted(restoredAt), 60_000);
      else await waitFor(`${what}: a change applied by the sink`, () => inTarget(id), 60_000);
      const resumedAt = Date.now();
      await waitFor(`${what}: the change made at the restore in the target`, () => inTarget(id), 60_000);
      const caughtUpAt = Date.now();
      const up = await waitFor(`${what}: 200`, async () => affected.first(restoredAt, 200), 30_000);
      figures[what] = {
        to503Ms: down.at - cutAt,
        reason: down.text,
        resumeMs: resumedAt - restoredAt,
        caughtUpMs: caughtUpAt - restoredAt,
        readyAgainMs: up.at - restoredAt,
      };
      console.log(`outage ${what}: ${JSON.stringify(figures[what])}`);
      expect(down.at - neededAt, `${what}: time to 503`).toBeLessThanOrEqual(GRACE_MS + 5_000);
      expect(down.text, `${what}: the reason names the component`).toMatch(new RegExp(what.split(' ')[0] as string));
      expect(resumedAt - restoredAt, `${what}: progress resumed`).toBeLessThanOrEqual(10_000);
      // End to end, through the backlog of the whole shared source's binlog.
      expect(caughtUpAt - restoredAt, `${what}: caught up`).toBeLessThanOrEqual(30_000);
      expect([...other.statusesBetween(cutAt, restoredAt)], `${what}: the other process stays ready`).toEqual([200]);
    };

    let col = 0;
    const newColumn = async () => {
      col++;
      await (source as mysql.Connection).query(`ALTER TABLE \`${db}\`.mark ADD COLUMN c${col} INT NULL`);
      await (source as mysql.Connection).query(`INSERT INTO \`${db}\`.mark (id, what, c${col}) VALUES (?, 'ddl', ?)`, [
        1000 + col,
        col,
      ]);
    };

    await outage('target', tgt.proxy, 'sink');
    await outage('source', src.proxy, 'capture');
    await outage('registry (sink)', sinkReg.proxy, 'sink', newColumn);
    await outage('registry (capture)', capReg.proxy, 'capture', newColumn);
    await outage('kafka (capture)', kafka, 'capture');

    // The same capture and sink, the other way round: the sink on the FAULT listener.
    for (const w of [capWatch, sinkWatch]) await w.stop();
    await capture.stop();
    await sink.stop();
    capture = captureOn(s.kafkaBrokers, 2);
    sink = sinkOn(faultBrokers);
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    capWatch = new ReadyWatch(capture);
    sinkWatch = new ReadyWatch(sink);
    watches.push(capWatch, sinkWatch);
    await pause(2_000);
    await outage('kafka (sink)', kafka, 'sink');

    // The sink's time without Kafka, in its metrics: the 10 s outage, and connected now.
    const metrics = await (await fetch(`http://127.0.0.1:${sink.port}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}\\{[^}]*component="kafka"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    expect(value('sluice_sink_disconnected_seconds_total'), metrics).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 1);
    expect(value('sluice_sink_disconnected'), metrics).toBe(0);

    await load.stop();
    console.log(`outage figures: ${JSON.stringify(figures)}`);
    const acct = await expectConverged({ source, target, db, table: 'acct', columns: ['id', 'v', 'note'] });
    expect(acct.target, sink.tail()).toEqual(acct.source);
    expect(acct.source.length).toBe(200);
    const marks = await expectConverged({ source, target, db, table: 'mark', columns: ['id', 'what', 'c1', 'c2'] });
    expect(marks.target, sink.tail()).toEqual(marks.source);
    expect(load.transactions).toBeGreaterThan(100);
  }, 300_000);
});

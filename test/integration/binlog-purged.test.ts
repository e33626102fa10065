import { createKafka, createLogger, Registry } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointCodec } from '../../services/capture/src/publish/checkpoint.ts';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * A checkpoint that points into binlog the source no longer has (purged, error 1236): a clear
 * error naming the position, or with snapshot.mode when_needed a new snapshot.
 */
describe('checkpoint in purged binlog', () => {
  const s = stack();
  const db = uniqueName('iso_purged');
  const services: ServiceProcess[] = [];
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  const capture = (prefix: string, extra: Record<string, unknown>) => {
    const p = ownCapture(s, { name: `capture-${prefix}`, prefix: prefix, include: [`${db}.*`], extra: { ...extra } });
    services.push(p);
    return p;
  };

  it('stops with an error that names the missing position', async () => {
    const p = capture(uniqueName('pg'), { snapshot: { mode: 'never' }, startFrom: { file: 'binlog.000000', pos: 4 } });
    await expect(p.start()).rejects.toThrow(/exited during start-up/);
    expect(p.log()).toMatch(/"code":"BINLOG_PURGED".*no longer has the binlog at binlog\.000000:4/);
  });

  it('takes a new snapshot when snapshot.mode is when_needed', async () => {
    conn = await connect(s.sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(10))`);
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (1, 'a'), (2, 'b')`);
    const prefix = uniqueName('pw');
    // Plant a checkpoint of this capture id that points into a binlog file the source lacks.
    const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'test', log: createLogger('test', 'warn') });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: `${prefix}._checkpoints`, numPartitions: 1 }] });
    await admin.disconnect();
    const codec = new CheckpointCodec(prefix, new Registry(s.registryUrl));
    const producer = kafka.producer();
    await producer.connect();
    const cp = await codec.encode({
      capture_id: prefix,
      server_id: 1,
      file: 'binlog.000000',
      pos: 4,
      gtid_set: null,
      source_ts_ms: 0,
      ts_ms: 0,
      snapshot: null,
    });
    await producer.send({ topic: codec.topic, messages: [cp] });
    await producer.disconnect();

    const p = capture(prefix, { snapshot: { mode: 'when_needed' } });
    await p.start();
    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 2,
      settleMs: 500,
    });
    expect(records.map((r) => [r.value?.op, (r.value?.after as { id: number } | null)?.id])).toEqual([
      ['r', 1],
      ['r', 2],
    ]);
    expect(p.log()).toMatch(/purged; snapshot.mode when_needed takes a new snapshot/);
  });
});

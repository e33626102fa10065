import { createKafka, createLogger } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { anotherInstanceStarted, startMarkerKey } from '../../services/capture/src/publish/takeover.ts';
import { stack, uniqueName } from '../support/stack.ts';

/**
 * The check a capture makes before restarting after a Kafka failure (supervisor.ts): is there
 * another instance's start marker after its own? Against the real broker, read uncommitted.
 */
const s = stack();
const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') });

describe('takeover check', () => {
  const topic = uniqueName('tk');
  const admin = kafka.admin();
  const producer = kafka.producer();

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('finds a newer instance of the same capture id after this one, and nothing else', async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await producer.connect();
    const send = async (key: string) => {
      const [r] = await producer.send({ topic, messages: [{ key, value: null }] });
      return { partition: r?.partition ?? 0, offset: String(r?.baseOffset ?? '0') };
    };
    const mine = await send(startMarkerKey('cap'));
    const check = () => anotherInstanceStarted({ kafka, topic, captureId: 'cap', since: mine });
    expect(await check()).toBe(false); // nothing after it
    await send(startMarkerKey('cap')); // this process again (a restarted run)
    await send('other-capture#start-x-y'); // another capture id
    await send('cap'); // a checkpoint record
    expect(await check()).toBe(false);
    await send('cap#start-another-process-run');
    expect(await check()).toBe(true);
  });
});

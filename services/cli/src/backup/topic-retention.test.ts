import { FakeKafka } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { keepsEveryRow, requireTopicsKeepEveryRow } from './topic-retention.ts';

describe('sluice backup: topics must keep every row', () => {
  it('takes compacted topics and deleting ones without limits; refuses a finite retention, naming each topic', async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('p.d.compact', 1, { 'cleanup.policy': 'compact', 'retention.ms': '604800000' });
    kafka.createTopic('p.d.forever', 1, { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' });
    kafka.createTopic('p.d.week', 1, { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'retention.bytes': '-1' });
    kafka.createTopic('p.d.both', 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'retention.bytes': '1000000' });
    const admin = kafka.admin();
    await requireTopicsKeepEveryRow(admin, ['p.d.compact', 'p.d.forever']);
    await expect(requireTopicsKeepEveryRow(admin, ['p.d.compact', 'p.d.week', 'p.d.both'])).rejects.toMatchObject({
      code: 'BACKUP_TOPIC_NOT_COMPACTED',
      message: expect.stringContaining(
        'p.d.week (cleanup.policy=delete, retention.ms=604800000, retention.bytes=-1), p.d.both (cleanup.policy=compact,delete, retention.ms=-1, retention.bytes=1000000)',
      ),
    });
  });

  it("judges by Kafka's defaults where a topic reports none (delete, 7 days)", async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('p.d.plain', 1);
    await expect(requireTopicsKeepEveryRow(kafka.admin(), ['p.d.plain'])).rejects.toMatchObject({
      code: 'BACKUP_TOPIC_NOT_COMPACTED',
      message: expect.stringContaining('p.d.plain (cleanup.policy=delete, retention.ms=604800000'),
    });
    expect(keepsEveryRow({ topic: 't', cleanupPolicy: 'compact', retentionMs: 1, retentionBytes: 1 })).toBe(true);
  });
});

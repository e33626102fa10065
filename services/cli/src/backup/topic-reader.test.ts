import { FakeKafka } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { readTopicsToEnd } from './topic-reader.ts';

const send = (kafka: FakeKafka, topic: string, partition: number, values: string[]) =>
  kafka.producer().send({ topic, messages: values.map((value) => ({ key: value, value, partition })) });

describe('readTopicsToEnd', () => {
  it('reads every partition from its start to its end, then on to where the end moved meanwhile', async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('p.d.t', 2);
    kafka.createTopic('p.d.empty', 1);
    await send(kafka, 'p.d.t', 0, ['a', 'b', 'c']);
    await send(kafka, 'p.d.t', 1, ['x']);
    const admin = kafka.admin();
    const seen: string[] = [];
    let appended = false;
    const ends = await readTopicsToEnd({
      kafka,
      admin,
      topics: ['p.d.t', 'p.d.empty'],
      onRecords: async (topic, partition, records) => {
        for (const r of records) seen.push(`${topic}/${partition}@${r.offset}=${r.value}`);
        // Records arriving after the first measure of the end (compaction could have removed
        // what they supersede meanwhile): read too, and the end reported is after them.
        if (!appended && partition === 0) {
          appended = true;
          await send(kafka, 'p.d.t', 0, ['d', 'e']);
        }
      },
    });
    expect(seen.filter((s) => s.includes('/0@'))).toEqual([
      'p.d.t/0@0=a',
      'p.d.t/0@1=b',
      'p.d.t/0@2=c',
      'p.d.t/0@3=d',
      'p.d.t/0@4=e',
    ]);
    expect(seen.filter((s) => s.includes('/1@'))).toEqual(['p.d.t/1@0=x']);
    expect(ends.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)).toEqual([
      { topic: 'p.d.empty', partition: 0, endOffset: '0' },
      { topic: 'p.d.t', partition: 0, endOffset: '5' },
      { topic: 'p.d.t', partition: 1, endOffset: '1' },
    ]);
    // Its throwaway group commits nothing and is gone.
    expect([...kafka.groups.values()].every((g) => g.size === 0)).toBe(true);
  });
});

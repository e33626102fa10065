import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  foldTopicName,
  mappedTableTopic,
  parseTableTopic,
  TOPIC_NAME_MAX,
  tableTopic,
  tableTopicCandidates,
  tableTopicPattern,
} from './table-topic.ts';
import { checkpointTopic, dlqTopic, heartbeatTopic, schemaChangeTopic } from './topic-names.ts';

const hash = (db: string, table: string) => createHash('sha256').update(`${db}\u0000${table}`, 'utf8').digest('hex').slice(0, 16);
const KAFKA_NAME = /^[A-Za-z0-9._-]{1,249}$/;

const long64 = 'd'.repeat(64);
// 64 characters outside the BMP: 128 UTF-16 units, 256 UTF-8 bytes.
const astral64 = '😀'.repeat(64);

describe('table topics', () => {
  it.each([
    ['clean names stay as they are', 'shop', 'orders', 'sluice.shop.orders'],
    ['dashes and underscores are clean', 'shop-1', 'order_lines', 'sluice.shop-1.order_lines'],
    ['unicode', 'shop', '名前表', `sluice.shop.___.h${hash('shop', '名前表')}`],
    ['a space', 'shop', 'my table', `sluice.shop.my_table.h${hash('shop', 'my table')}`],
    ['a semicolon', 'sh;op', 't', `sluice.sh_op.t.h${hash('sh;op', 't')}`],
    ['a backtick', 'shop', 'a`b', `sluice.shop.a_b.h${hash('shop', 'a`b')}`],
    ['a dot in the table', 'shop', 't.dot', `sluice.shop.t_dot.h${hash('shop', 't.dot')}`],
    ['a dot in the database', 'a.b', 'c', `sluice.a_b.c.h${hash('a.b', 'c')}`],
    ['64 characters and 64 astral ones', long64, astral64, `sluice.${long64}.${'_'.repeat(64)}.h${hash(long64, astral64)}`],
    ['a database like an internal topic', '_x', 't', `sluice.-_x.t.h${hash('_x', 't')}`],
    ['the dlq database', 'dlq', 't', `sluice.-dlq.t.h${hash('dlq', 't')}`],
    [
      'a database folding into a dead-letter topic',
      'dlq_archive',
      'orders',
      `sluice.-dlq_archive.orders.h${hash('dlq_archive', 'orders')}`,
    ],
    [
      'a table ending like a mapped name',
      'a',
      'b_h0123456789abcdef',
      `sluice.a.b_h0123456789abcdef.h${hash('a', 'b_h0123456789abcdef')}`,
    ],
    [
      'a table named like a hash',
      'a_b',
      'h0123456789abcdef',
      `sluice.a_b.h0123456789abcdef.h${hash('a_b', 'h0123456789abcdef')}`,
    ],
  ])('%s', (_what, db, table, want) => {
    const topic = tableTopic('sluice', db, table);
    expect(topic).toBe(want);
    expect(topic).toMatch(KAFKA_NAME);
    expect(tableTopicPattern('sluice').test(topic)).toBe(true);
  });

  it('is deterministic, and different tables never share a topic even when their names sanitize alike', () => {
    const names: [string, string][] = [
      ['a b', 't'],
      ['a;b', 't'],
      ['a`b', 't'],
      ['a.b', 't'],
      ['a', 'b.t'],
      ['a.b', 'c'],
      ['a', 'b.c'],
      ['名前', 't'],
      ['__', 't'],
      ['_x', 't'],
      ['-_x', 't'],
      ['dlq', 't'],
      ['-dlq', 't'],
      [long64, astral64],
      [long64, '😀'.repeat(63)],
    ];
    const topics = names.map(([d, t]) => tableTopic('sluice', d, t));
    expect(names.map(([d, t]) => tableTopic('sluice', d, t))).toEqual(topics);
    expect(new Set(topics).size).toBe(names.length);
    // Kafka also refuses names equal once '.' and '_' are folded together.
    expect(new Set(topics.map(foldTopicName)).size).toBe(names.length);
  });

  it('never folds into an internal topic of the prefix', () => {
    const internal = [
      checkpointTopic('sluice'),
      heartbeatTopic('sluice'),
      schemaChangeTopic('sluice'),
      dlqTopic('sluice', 'archive_orders'),
      dlqTopic('sluice', 'archive.orders'),
      dlqTopic('sluice', 't'),
    ].map(foldTopicName);
    for (const [db, table] of [
      ['_checkpoints', 'x'],
      ['', 'checkpoints'],
      ['dlq_archive', 'orders'],
      ['dlq', 'archive_orders'],
      ['dlq', 't'],
      ['dlq.archive', 'orders'],
    ] as const) {
      expect(internal).not.toContain(foldTopicName(tableTopic('sluice', db, table)));
    }
  });

  it('takes the mapped form when the clean name folds into an existing topic', () => {
    const existing = new Set(['sluice.a.b_c']);
    expect(tableTopic('sluice', 'a_b', 'c', existing)).toBe(`sluice.a_b.c.h${hash('a_b', 'c')}`);
    expect(tableTopic('sluice', 'a', 'b_c', existing)).toBe('sluice.a.b_c');
    // Topics of another prefix count too: Kafka compares all names.
    expect(tableTopic('sluice', 'x', 'y', new Set(['sluice_x.y']))).toBe(`sluice.x.y.h${hash('x', 'y')}`);
  });

  it('keeps a table on the topic it already has', () => {
    const mapped = mappedTableTopic('sluice', 'a_b', 'c');
    // Once mapped, the table stays mapped even after the topic it folded into is gone.
    expect(tableTopic('sluice', 'a_b', 'c', new Set([mapped]))).toBe(mapped);
    // A clean name that exists stays, also where new names would be mapped (an earlier version made it).
    expect(tableTopic('sluice', 'dlq_x', 'y', new Set(['sluice.dlq_x.y']))).toBe('sluice.dlq_x.y');
    // A name that no sink could read does not count as the table's topic.
    expect(tableTopic('sluice', 'd', 't.dot', new Set(['sluice.d.t.dot']))).toBe(`sluice.d.t_dot.h${hash('d', 't.dot')}`);
  });

  it('shortens the sanitized parts so that the name fits a long prefix, keeping it unique', () => {
    const prefix = 'p'.repeat(200);
    const a = tableTopic(prefix, long64, astral64);
    const b = tableTopic(prefix, long64, '😀'.repeat(63));
    expect(a.length).toBe(TOPIC_NAME_MAX);
    expect(a).toMatch(KAFKA_NAME);
    expect(a).not.toBe(b);
    expect(parseTableTopic(prefix, a)).toEqual({ mapped: true });
    // A clean name too long for Kafka is mapped.
    const longClean = tableTopic('p'.repeat(130), long64, long64);
    expect(longClean.length).toBeLessThanOrEqual(TOPIC_NAME_MAX);
    expect(longClean.endsWith(`.h${hash(long64, long64)}`)).toBe(true);
  });

  it('lists the names a table can have, the clean one first', () => {
    expect(tableTopicCandidates('sluice', 'shop', 'orders')).toEqual([
      'sluice.shop.orders',
      mappedTableTopic('sluice', 'shop', 'orders'),
    ]);
    expect(tableTopicCandidates('sluice', 'shop', 't.dot')).toEqual([mappedTableTopic('sluice', 'shop', 't.dot')]);
  });
});

describe('table topic pattern', () => {
  const re = tableTopicPattern('sluice');

  it('matches both forms of the prefix and nothing internal', () => {
    expect(re.test('sluice.shop.orders')).toBe(true);
    expect(re.test(tableTopic('sluice', 'shop', 't.dot'))).toBe(true);
    expect(re.test(tableTopic('sluice', '_x', 't'))).toBe(true);
    for (const t of [
      checkpointTopic('sluice'),
      heartbeatTopic('sluice'),
      schemaChangeTopic('sluice'),
      dlqTopic('sluice', 'tidb-a'),
      dlqTopic('sluice', 'x.h0123456789abcdef'),
      dlqTopic('sluice', 'a.b.h0123456789abcdef'),
      'other.shop.orders',
      'sluiceX.shop.orders',
      'sluice.shop',
      'sluice.a.b.c',
      'sluice.a.b.h0123',
      'sluice.a.b.h0123456789ABCDEF',
      `sluice_x.${tableTopic('sluice', 'a', 'b.c').slice('sluice.'.length)}`,
    ]) {
      expect([t, re.test(t)]).toEqual([t, false]);
    }
  });

  it('splits a clean topic back into its names and says when names are mapped', () => {
    expect(parseTableTopic('sluice', 'sluice.shop.orders')).toEqual({ db: 'shop', table: 'orders' });
    expect(parseTableTopic('sluice', tableTopic('sluice', 'shop', '名前表'))).toEqual({ mapped: true });
    expect(parseTableTopic('sluice', 'sluice._checkpoints')).toBeUndefined();
    expect(parseTableTopic('sluice', 'sluice.dlq.tidb-a')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { compactionWarning, knownPrefixes, prefixHint, prefixTopics, retentionText, sizeText, topicKind } from './topic-kinds.ts';

describe('topic kinds', () => {
  it('tells the topics of a prefix apart and leaves other prefixes out', () => {
    expect(topicKind('p', 'p._checkpoints')).toBe('checkpoints');
    expect(topicKind('p', 'p._heartbeats')).toBe('heartbeats');
    expect(topicKind('p', 'p._schema_changes')).toBe('schema_changes');
    expect(topicKind('p', 'p.shop.items')).toBe('table');
    expect(topicKind('p', 'p.dlq.tidb')).toBe('dlq');
    expect(topicKind('p', 'p2.shop.items')).toBeUndefined();
    expect(topicKind('p', 'p.shop.items.x')).toBeUndefined();
    expect(topicKind('p', '__consumer_offsets')).toBeUndefined();
  });

  it('lists internal topics first, then tables, then dead-letter queues', () => {
    const all = ['p.dlq.a', 'p.shop.b', 'p._heartbeats', 'p.shop.a', 'q.shop.a', 'p._checkpoints', 'p._schema_changes'];
    expect(prefixTopics('p', all).map((t) => t.topic)).toEqual([
      'p._checkpoints',
      'p._heartbeats',
      'p._schema_changes',
      'p.shop.a',
      'p.shop.b',
      'p.dlq.a',
    ]);
    expect(knownPrefixes(all)).toEqual(['p']);
    expect(prefixHint(all, 'x')).toBe(' (prefixes with topics: p)');
    expect(prefixHint(all, 'p')).toBe('');
    expect(prefixHint(['a._checkpoints', 'b._checkpoints', 'c._checkpoints'], 'x', 2)).toBe(
      ' (prefixes with topics: a, b, … 1 more)',
    );
  });

  it('prints retention in whole units', () => {
    expect(retentionText(604_800_000)).toBe('7 d');
    expect(retentionText(3_600_000 * 5)).toBe('5 h');
    expect(retentionText(-1)).toBe('forever');
    expect(retentionText(90_000)).toBe('1 m 30 s');
  });

  it('prints sizes in binary units', () => {
    expect(sizeText(0)).toBe('0 B');
    expect(sizeText(1023)).toBe('1023 B');
    expect(sizeText(1024)).toBe('1.0 KiB');
    expect(sizeText(12.34 * 1024 * 1024)).toBe('12.3 MiB');
    expect(sizeText(5 * 1024 ** 4)).toBe('5.0 TiB');
    expect(sizeText(1024 * 1024 - 10)).toBe('1.0 MiB');
    expect(sizeText(null)).toBe('unknown');
  });

  it('warns about table topics that delete old records only', () => {
    expect(compactionWarning('p.a.b', { cleanupPolicy: 'compact', retentionMs: 604_800_000 }, 0)).toBeUndefined();
    expect(compactionWarning('p.a.b', { cleanupPolicy: 'delete', retentionMs: 604_800_000 }, 0)).toBe(
      'p.a.b: cleanup.policy=delete deletes old records (after 7 d), so Kafka alone may not hold the last image of every row',
    );
    expect(compactionWarning('p.a.b', { cleanupPolicy: 'compact,delete', retentionMs: 3_600_000 }, 1500)).toMatch(
      /compact,delete deletes old records \(after 1 h\); 1,500 records are gone already/,
    );
  });
});

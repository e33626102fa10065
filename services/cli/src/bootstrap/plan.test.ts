import { describe, expect, it } from 'vitest';
import { type BootstrapPartition, bootstrapRefusals, bootstrapWarnings, nextStep, planBootstrap } from './plan.ts';

const part = (topic: string, low: number, high: number, selected = true, kind: 'table' | 'heartbeats' = 'table') =>
  ({ topic, partition: 0, low, high, kind, selected }) satisfies BootstrapPartition;

describe('bootstrapRefusals', () => {
  it('accepts a group with no offsets and no members', () => {
    expect(bootstrapRefusals('new', { committed: [], members: [] })).toEqual([]);
    // kafkajs reports -1 for partitions without a committed offset
    expect(bootstrapRefusals('new', { committed: [{ topic: 'p.a.b', partition: 0, offset: -1 }], members: [] })).toEqual([]);
  });

  it('refuses a group with committed offsets or members, pointing to replay', () => {
    const [offsets] = bootstrapRefusals('old', {
      committed: [1, 2, 3, 4].map((partition) => ({ topic: 'p.a.b', partition, offset: 10 })),
      members: [],
    });
    expect(offsets).toBe(
      'sink group old already has committed offsets on 4 partition(s) (p.a.b:1@10, p.a.b:2@10, p.a.b:3@10, …): it is not new; ' +
        'bootstrap prepares new sink groups only (pick a new name; to re-apply history to an existing sink use sluice replay --sink old --earliest)',
    );
    const [members] = bootstrapRefusals('old', { committed: [], members: [{ clientId: 'sluice-sink-old', host: '/10.0.0.1' }] });
    expect(members).toMatch(/^sink group old has 1 active member\(s\) \(sluice-sink-old@\/10.0.0.1\): it is running, not new/);
  });
});

describe('planBootstrap', () => {
  it('starts selected partitions at their first offset and the others at their end', () => {
    const rows = planBootstrap([
      part('p.a.b', 0, 120),
      part('p.a.c', 30, 50, false),
      part('p._heartbeats', 5, 9, true, 'heartbeats'),
    ]);
    expect(rows).toEqual([
      { topic: 'p.a.b', partition: 0, kind: 'table', start: 'earliest', to: 0, apply: 120 },
      { topic: 'p.a.c', partition: 0, kind: 'table', start: 'end', to: 50, apply: 0 },
      { topic: 'p._heartbeats', partition: 0, kind: 'heartbeats', start: 'earliest', to: 5, apply: 4 },
    ]);
  });
});

describe('bootstrapWarnings', () => {
  const configs = new Map([
    ['p.a.b', { cleanupPolicy: 'compact', retentionMs: 604_800_000 }],
    ['p.a.c', { cleanupPolicy: 'delete', retentionMs: 604_800_000 }],
    ['p.a.d', { cleanupPolicy: 'delete', retentionMs: 604_800_000 }],
  ]);

  it('warns per selected table topic that is not compacted, about skipped tables and a DLQ of the name', () => {
    const parts = [
      part('p.a.b', 0, 10),
      part('p.a.c', 7, 10),
      part('p.a.d', 0, 10, false),
      part('p._heartbeats', 0, 3, true, 'heartbeats'),
    ];
    expect(bootstrapWarnings(parts, configs, 'p.dlq.new')).toEqual([
      'p.a.c: cleanup.policy=delete deletes old records (after 7 d); 7 records are gone already (first offsets above 0), so Kafka alone may not hold the last image of every row',
      '1 table topic(s) not matched by --tables start at their end (p.a.d): the sink reads every table topic of the prefix, so it will write only their rows changed from now on',
      'the dead-letter topic p.dlq.new exists: a sink of this name ran before',
    ]);
    expect(bootstrapWarnings([part('p.a.b', 0, 10)], configs, undefined)).toEqual([]);
  });
});

describe('nextStep', () => {
  it('names the sink config when given, and the sink name where the config has another', () => {
    expect(nextStep({ group: 'g', prefix: 'p', sinkConfig: 's.yaml', configSinkName: 'g' })).toBe(
      'npx sluice-sink --config s.yaml',
    );
    expect(nextStep({ group: 'g2', prefix: 'p', sinkConfig: 's.yaml', configSinkName: 'g' })).toBe(
      'SLUICE_SINK_NAME=g2 npx sluice-sink --config s.yaml',
    );
    expect(nextStep({ group: 'g', prefix: 'p' })).toMatch(
      /^SLUICE_SINK_NAME=g npx sluice-sink --config <sink config: .*topicPrefix: p>$/,
    );
  });
});

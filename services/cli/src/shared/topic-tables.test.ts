import { buildTableAvro, SluiceError, tableTopic, valueSubject } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { SubjectVersion } from './registry-api.ts';
import { TopicTables } from './topic-tables.ts';

const schemaOf = (database: string, table: string) =>
  buildTableAvro('sluice', {
    database,
    table,
    columns: [{ name: 'id', sqlType: 'int(11)', nullable: false }],
    primaryKey: ['id'],
  }).valueSchema;

/** A registry holding the latest value schema of each topic given. */
const registry = (subjects: Record<string, Record<string, unknown>>) => ({
  version: async (subject: string): Promise<SubjectVersion | undefined> => {
    const schema = subjects[subject];
    return schema ? { subject, version: 1, id: 1, schema } : undefined;
  },
});

describe('the table of a topic', () => {
  const unicode = tableTopic('sluice', 'shop', '名前表');
  const dotted = tableTopic('sluice', 'a.b', 't.dot');

  it('reads clean topics off the name, mapped ones from the registry', async () => {
    const names = new TopicTables(
      'sluice',
      registry({ [valueSubject(unicode)]: schemaOf('shop', '名前表'), [valueSubject(dotted)]: schemaOf('a.b', 't.dot') }),
    );
    expect(await names.of('sluice.shop.orders')).toEqual({ db: 'shop', table: 'orders' });
    expect(await names.of(unicode)).toEqual({ db: 'shop', table: '名前表' });
    expect(await names.of(dotted)).toEqual({ db: 'a.b', table: 't.dot' });
    expect(await names.of('sluice._checkpoints')).toBeUndefined();
  });

  it('does not trust a schema whose names do not hash to the topic, nor a topic without one', async () => {
    const names = new TopicTables('sluice', registry({ [valueSubject(unicode)]: schemaOf('shop', 'other') }));
    expect(await names.of(unicode)).toBeUndefined();
    expect(await names.of(dotted)).toBeUndefined();
  });

  it('asks for a registry only when a mapped topic needs one', async () => {
    const names = new TopicTables('sluice', undefined);
    expect(await names.of('sluice.shop.orders')).toEqual({ db: 'shop', table: 'orders' });
    const err = await names.of(unicode).catch((e) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(err.message).toContain('--registry');
  });
});

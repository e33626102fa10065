import { mappedTableTopic, parseTableTopic, SluiceError, valueSubject } from '@sluice/core';
import { tableMapping } from '../schema/mapping.ts';
import type { RegistryApi } from './registry-api.ts';

export interface TopicTable {
  db: string;
  table: string;
}

/**
 * The source table of each table topic of a prefix. A clean topic (`<prefix>.<db>.<table>`)
 * spells its names; a mapped one (`….h<hash>`, names Kafka cannot spell: docs/limits.md) does
 * not, so its names are read from the latest value schema's `sluice.database` / `sluice.table`
 * and checked against the topic's hash. Undefined: not a table topic of the prefix, or a mapped
 * topic without a sluice schema yet.
 */
export class TopicTables {
  private readonly prefix: string;
  private readonly registry: Pick<RegistryApi, 'version'> | undefined;
  private readonly cache = new Map<string, Promise<TopicTable | undefined>>();

  /** `registry`: needed only when a mapped topic is asked about. */
  constructor(prefix: string, registry: Pick<RegistryApi, 'version'> | undefined) {
    this.prefix = prefix;
    this.registry = registry;
  }

  of(topic: string): Promise<TopicTable | undefined> {
    let hit = this.cache.get(topic);
    if (!hit) {
      hit = this.read(topic);
      this.cache.set(topic, hit);
    }
    return hit;
  }

  private async read(topic: string): Promise<TopicTable | undefined> {
    const parsed = parseTableTopic(this.prefix, topic);
    if (!parsed) return undefined;
    if (!parsed.mapped) return { db: parsed.db, table: parsed.table };
    if (!this.registry) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `topic ${topic} has a mapped name (its table's names are not valid in topic names, docs/limits.md): ` +
          'its table is known from the schema registry only; pass --registry <url> or set SLUICE_SCHEMA_REGISTRY_URL',
      );
    }
    const latest = await this.registry.version(valueSubject(topic), 'latest');
    if (!latest) return undefined;
    let names: TopicTable;
    try {
      const m = tableMapping(latest.schema);
      names = { db: m.database, table: m.table };
    } catch {
      return undefined;
    }
    // Only a schema whose names hash to this topic tells the truth about it.
    return mappedTableTopic(this.prefix, names.db, names.table) === topic ? names : undefined;
  }
}

import { type Registry, tableTopicPattern, valueSubject } from '@sluice/core';
import { targetTableFromSchema } from '../decode/target-table.ts';
import type { Router } from './router.ts';
import type { ShardLayout } from './shard-ddl.ts';

/** The shards of a merged target table, each with its latest layout. */
export type ShardLayouts = (target: { database: string; table: string }) => Promise<ShardLayout[]>;

/**
 * Finds the shards of a merged table: the source tables whose topics (of the prefix) route to it,
 * with their latest value schemas from the registry. Asked only when a shard's layout would change
 * the merged table, so each ask reads the registry afresh; which source table a topic holds is
 * remembered (it never changes).
 */
export class ShardCatalog {
  private readonly registry: Registry;
  private readonly prefix: string;
  private readonly router: Router;
  private readonly listTopics: () => Promise<string[]>;
  private readonly sources = new Map<string, { database: string; table: string }>();

  constructor(opts: { registry: Registry; prefix: string; router: Router; listTopics: () => Promise<string[]> }) {
    this.registry = opts.registry;
    this.prefix = opts.prefix;
    this.router = opts.router;
    this.listTopics = opts.listTopics;
  }

  readonly layouts: ShardLayouts = async (target) => {
    const pattern = tableTopicPattern(this.prefix);
    const out: ShardLayout[] = [];
    for (const topic of (await this.listTopics()).filter((t) => pattern.test(t)).sort()) {
      const known = this.sources.get(topic);
      if (known && !this.routesTo(known, target)) continue;
      const latest = await this.registry.latest(valueSubject(topic));
      if (!latest) continue;
      let table: ReturnType<typeof targetTableFromSchema>;
      try {
        table = targetTableFromSchema(latest.schema);
      } catch {
        continue; // not a sluice table topic
      }
      const source = { database: table.database, table: table.table };
      this.sources.set(topic, source);
      if (this.routesTo(source, target)) out.push({ source, table });
    }
    return out;
  };

  private routesTo(source: { database: string; table: string }, target: { database: string; table: string }): boolean {
    const to = this.router.name(source.database, source.table);
    return to.database === target.database && to.table === target.table;
  }
}

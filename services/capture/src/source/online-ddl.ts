import { globToRegExp } from '@sluice/core';

/** gh-ost's ghost, changelog and old tables, pt-online-schema-change's new and old tables. */
export const ONLINE_DDL_TABLES = ['_*_gho', '_*_ghc', '_*_del', '_*_new', '_*_old'];

export interface OnlineDdlConfig {
  enabled: boolean;
  /** Table name patterns with one `*`, which stands for the name of the table the tool alters. */
  tables: string[];
}

/**
 * Online schema-change tools (gh-ost, pt-online-schema-change; DM's "online-ddl") build the new
 * table beside the real one and swap them with RENAME TABLE. Their tables are never captured;
 * a rename of one of them onto the table it stands for is the tool's cut-over, which sluice
 * publishes as an ALTER of that table (docs/ddl.md, online schema-change tools).
 */
export class OnlineDdl {
  private readonly patterns: RegExp[];

  constructor(cfg: OnlineDdlConfig) {
    this.patterns = cfg.enabled ? cfg.tables.map(globToRegExp) : [];
  }

  /** The table a tool table stands for, or undefined when `table` is not a tool table. */
  baseOf(table: string): string | undefined {
    for (const re of this.patterns) {
      const m = re.exec(table);
      if (m?.[1]) return m[1];
    }
    return undefined;
  }

  isToolTable(table: string): boolean {
    return this.baseOf(table) !== undefined;
  }

  /** `from` is a tool table of `to`, in the same database: the tool's cut-over. */
  isCutOver(from: { database: string; table: string }, to: { database: string; table: string }): boolean {
    return from.database === to.database && this.baseOf(from.table) === to.table;
  }
}

import { describe, expect, it } from 'vitest';
import { loadSinkConfig } from './config.ts';
import { BASE_CONFIG as base, configFileOf as file } from './config-fixture.ts';

describe('sink config: filters', () => {
  it('takes event and row filters per table pattern', () => {
    const cfg = loadSinkConfig(
      file(`${base}filters:
  - tables: ["shop.orders", "shop.order_*"]
    skip: [delete, drop_table]
  - tables: ["crm.*"]
    where: "region IN ('eu', 'uk') AND deleted_at IS NULL"
`),
      {},
    );
    expect(cfg.filters).toEqual([
      { tables: ['shop.orders', 'shop.order_*'], skip: ['delete', 'drop_table'] },
      { tables: ['crm.*'], skip: [], where: "region IN ('eu', 'uk') AND deleted_at IS NULL" },
    ]);
    expect(loadSinkConfig(file(base), {}).filters).toEqual([]);
  });

  it('stops at start-up naming the field: an unknown operation, a bad expression, an unknown key', () => {
    expect(() => loadSinkConfig(file(`${base}filters: [{ tables: ["a.b"], skip: [deletes] }]\n`), {})).toThrow(
      /filters\.0\.skip\.0/,
    );
    expect(() => loadSinkConfig(file(`${base}filters: [{ tables: ["a.b"], where: "x = 1; DROP TABLE t" }]\n`), {})).toThrow(
      /filters\.0\.where: .*unexpected ";" at character 6/,
    );
    expect(() => loadSinkConfig(file(`${base}filters: [{ tables: ["a.b"], wher: "x = 1" }]\n`), {})).toThrow(/wher/);
    expect(() => loadSinkConfig(file(`${base}filters: [{ tables: [], skip: [delete] }]\n`), {})).toThrow(/filters\.0\.tables/);
  });
});

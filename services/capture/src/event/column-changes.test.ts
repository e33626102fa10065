import { describe, expect, it } from 'vitest';
import { columnChanges, nextRenames } from './column-changes.ts';

describe('columnChanges', () => {
  it.each([
    ['ALTER TABLE t RENAME COLUMN a TO b', [['a', 'b']], [], []],
    ['alter table `d`.`t` rename column `it``s` to `x y`', [['it`s', 'x y']], [], []],
    ['ALTER TABLE t CHANGE b c VARCHAR(30)', [['b', 'c']], [], []],
    ['ALTER TABLE t CHANGE COLUMN IF EXISTS b c VARCHAR(30) NOT NULL', [['b', 'c']], [], []],
    // Same name: a type change, not a rename.
    ['ALTER TABLE t CHANGE c c VARCHAR(40)', [], [], []],
    ['ALTER TABLE t DROP COLUMN x, DROP y, DROP INDEX i, DROP PRIMARY KEY, DROP FOREIGN KEY f', [], ['x', 'y'], []],
    [
      "ALTER TABLE t ADD COLUMN y INT NOT NULL DEFAULT 7, ADD z VARCHAR(10) DEFAULT 'a,b' AFTER y, ADD INDEX (y)",
      [],
      [],
      ['y', 'z'],
    ],
    ['ALTER TABLE t ADD (p INT, q DECIMAL(8,2) DEFAULT 1.5)', [], [], ['p', 'q']],
    // Commas and keywords inside strings, parentheses and comments are not clauses.
    [
      "ALTER TABLE t /* RENAME COLUMN x TO y, */ MODIFY e ENUM('a, DROP b','c') -- , DROP c\n, RENAME COLUMN a TO b",
      [['a', 'b']],
      [],
      [],
    ],
    ['ALTER ONLINE IGNORE TABLE IF EXISTS t DROP COLUMN IF EXISTS x', [], ['x'], []],
  ])('%s', (sql, renames, drops, adds) => {
    const c = columnChanges(sql);
    expect(c?.renames.map((r) => [r.from, r.to])).toEqual(renames);
    expect(c?.drops).toEqual(drops);
    expect(c?.adds).toEqual(adds);
  });

  it('is undefined for other statements', () => {
    expect(columnChanges('CREATE TABLE t (a INT)')).toBeUndefined();
    expect(columnChanges('ALTER DATABASE d CHARACTER SET utf8mb4')).toBeUndefined();
  });
});

describe('nextRenames', () => {
  it('keeps each column its former names, most recent first', () => {
    let h = nextRenames({}, { renames: [{ from: 'a', to: 'b' }], drops: [], adds: [] });
    expect(h).toEqual({ b: ['a'] });
    h = nextRenames(h, { renames: [{ from: 'b', to: 'c' }], drops: [], adds: [] });
    expect(h).toEqual({ c: ['b', 'a'] });
    // Names are case-insensitive in MySQL: RENAME COLUMN C TO d moves c's history.
    h = nextRenames(h, { renames: [{ from: 'C', to: 'd' }], drops: [], adds: [] });
    expect(h).toEqual({ d: ['C', 'b', 'a'] });
  });

  it('renames of one ALTER refer to the names before it (a swap), drops forget a history', () => {
    const h = nextRenames(
      { a: ['x'] },
      {
        renames: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
        drops: [],
        adds: [],
      },
    );
    expect(h).toEqual({ b: ['a', 'x'], a: ['b'] });
    expect(nextRenames(h, { renames: [], drops: ['B'], adds: [] })).toEqual({ a: ['b'] });
  });
});

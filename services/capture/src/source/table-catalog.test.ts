import { describe, expect, it } from 'vitest';
import { chooseKey } from './table-catalog.ts';

const cols = [
  { name: 'a', sqlType: 'int', nullable: false },
  { name: 'b', sqlType: 'int', nullable: true },
  { name: 'c', sqlType: 'int', nullable: false },
];
const idx = (name: string, col: string, nonUnique = 0) => ({ INDEX_NAME: name, COLUMN_NAME: col, NON_UNIQUE: nonUnique });

describe('chooseKey', () => {
  it('prefers the primary key', () => {
    expect(chooseKey('d', 't', cols, [idx('PRIMARY', 'a'), idx('PRIMARY', 'c'), idx('u', 'c')])).toEqual(['a', 'c']);
  });

  it('falls back to a unique key whose columns are all NOT NULL', () => {
    expect(chooseKey('d', 't', cols, [idx('u1', 'b'), idx('u2', 'c'), idx('i', 'a', 1)])).toEqual(['c']);
  });

  it('refuses a table without a usable key, saying how to fix it', () => {
    expect(() => chooseKey('d', 't', cols, [idx('u1', 'b')])).toThrow(/d\.t has no primary key.*tables\.exclude/);
  });
});

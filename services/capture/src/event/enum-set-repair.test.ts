import { describe, expect, it } from 'vitest';
import { enumSetRepairs, realMembers, zongjiMembers } from './enum-set-repair.ts';

describe('ENUM/SET repair', () => {
  const type = "enum('a','b,c','it''s')";

  it('parses real members and reproduces the naive list', () => {
    expect(realMembers(type)).toEqual(['a', 'b,c', "it's"]);
    expect(zongjiMembers(type)).toEqual(['a', '', "c'", "it''s"]);
  });

  it('maps zongji values back to the real members', () => {
    const fix = enumSetRepairs([{ name: 'e', sqlType: type, nullable: true }]).get('e');
    // zongji returns naive[index - 1] for the real 1-based index.
    expect(fix?.('a')).toBe('a');
    expect(fix?.('')).toBe('b,c');
    expect(fix?.("c'")).toBe("it's");
  });

  it('repairs SET values member by member', () => {
    const fix = enumSetRepairs([{ name: 's', sqlType: "set('x','it''s','z')", nullable: true }]).get('s');
    expect(fix?.("x,it''s")).toBe("x,it's");
    expect(fix?.('')).toBe('');
  });

  it('leaves plain lists alone', () => {
    expect(enumSetRepairs([{ name: 'e', sqlType: "enum('a','b')", nullable: true }]).size).toBe(0);
  });
});

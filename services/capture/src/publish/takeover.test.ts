import { describe, expect, it } from 'vitest';
import { isForeignStart, startMarkerKey } from './takeover.ts';

describe('start markers', () => {
  it("tell this process's runs from another instance's, per capture id", () => {
    const mine = startMarkerKey('cap');
    expect(mine).not.toBe(startMarkerKey('cap'));
    expect(isForeignStart('cap', mine)).toBe(false);
    expect(isForeignStart('cap', startMarkerKey('cap'))).toBe(false);
    expect(isForeignStart('cap', 'cap#start-0f6d1f1e-other-process')).toBe(true);
    expect(isForeignStart('cap', 'capture2#start-anything')).toBe(false);
    expect(isForeignStart('cap', 'cap')).toBe(false);
  });
});

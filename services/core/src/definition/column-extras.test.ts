import { describe, expect, it } from 'vitest';
import { columnExtras } from './column-extras.ts';

describe('columnExtras', () => {
  it('reads MariaDB, MySQL and TiDB spellings alike', () => {
    expect(columnExtras({ extra: 'on update current_timestamp(3)' })).toEqual({ onUpdate: 'current_timestamp(3)' });
    expect(columnExtras({ extra: 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)' })).toEqual({
      onUpdate: 'current_timestamp(3)',
    });
    expect(columnExtras({ extra: 'on update current_timestamp()' })).toEqual({ onUpdate: 'current_timestamp' });
    expect(columnExtras({ extra: 'auto_increment', comment: 'the id' })).toEqual({ autoIncrement: true, comment: 'the id' });
    expect(columnExtras({ extra: 'VIRTUAL GENERATED', generation: 'length(`a`)' })).toEqual({
      generated: { expression: 'length(`a`)', stored: false },
    });
    expect(columnExtras({ extra: '', comment: '' })).toEqual({});
  });
});
